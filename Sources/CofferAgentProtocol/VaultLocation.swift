import CofferSystem

/// Where the vault is, for every program of Coffer: the explicit path, else `$COFFER_VAULT`, else
/// `$XDG_DATA_HOME/coffer/vault.coffer`, else `~/.local/share/coffer/vault.coffer`.
public enum VaultLocation {
    public static func resolve(_ explicit: String?) -> String {
        if let explicit { return explicit }
        if let env = Environment.get("COFFER_VAULT"), !env.isEmpty { return env }
        if let data = Environment.get("XDG_DATA_HOME"), data.hasPrefix("/") { return data + "/coffer/vault.coffer" }
        return home + "/.local/share/coffer/vault.coffer"
    }

    public static var home: String { Environment.home }
}
