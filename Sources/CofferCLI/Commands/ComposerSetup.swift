import ArgumentParser
import CofferSystem

/// Installs the composer plugin into composer's global home, from a path repository (no network needed).
struct ComposerSetup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "setup",
        abstract: "Install Coffer's composer plugin into composer's global home (idempotent); --undo removes it.",
        discussion: "Runs 'composer global' to add the plugin from a path repository (PREFIX/share/coffer/composer-plugin, where make install puts it), allow it, and require it. Works offline: nothing is fetched.")

    static let package = "coffer/composer-plugin"

    @Option(help: ArgumentHelp("The plugin's directory (default: share/coffer/composer-plugin beside this coffer's bin).", valueName: "path"))
    var plugin: String?

    @Flag(help: "Remove the plugin instead.")
    var undo = false

    var pluginDirectory: String {
        plugin ?? Environment.executableDirectory + "../share/coffer/composer-plugin"
    }

    func run() throws {
        if undo {
            _ = try composer(["global", "remove", ComposerSetup.package, "--no-interaction"])
            _ = try composer(["global", "config", "--unset", "repositories.coffer"])
            _ = try composer(["global", "config", "--unset", "allow-plugins.\(ComposerSetup.package)"])
            return Console.out("removed \(ComposerSetup.package) from composer's global home")
        }
        guard let real = Files.realPath(pluginDirectory), Files.exists(real + "/composer.json") else {
            throw CLIError.notFound("no composer plugin at \(pluginDirectory)", hint: "run 'make install', or name it with --plugin PATH")
        }
        // A path repository that symlinks: the plugin finds the coffer installed beside it.
        _ = try composer(["global", "config", "repositories.coffer", #"{"type": "path", "url": "\#(real)", "options": {"symlink": true}}"#])
        _ = try composer(["global", "config", "allow-plugins.\(ComposerSetup.package)", "true"])
        _ = try composer(["global", "require", "\(ComposerSetup.package):*@dev", "--no-interaction", "--no-progress"])
        Console.out("composer will ask coffer for credentials: \(ComposerSetup.package) from \(real)")
    }

    func composer(_ arguments: [String]) throws -> String {
        try ChildProcess.capture(["composer"] + arguments, what: "composer \(arguments.prefix(2).joined(separator: " "))").output
    }
}
