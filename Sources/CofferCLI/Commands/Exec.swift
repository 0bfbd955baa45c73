import ArgumentParser
import CofferCore
import CofferSystem
import FoundationEssentials

struct Exec: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec", abstract: "Run a command with the vault's credentials in its environment, never on argv or in a lasting file.",
        discussion: """
        COMPOSER_AUTH is set (merged with one already in the environment; Coffer's hosts win). With --netrc, a
        temporary 0600 netrc file is made and its path put in COFFER_NETRC and NETRC; it is removed when the
        command ends. The command's exit status, output and signals pass through.
        """)

    @Flag(help: "Set COMPOSER_AUTH (the default when no other flag is given).")
    var composer = false

    @Flag(help: "Provide a temporary netrc file, path in COFFER_NETRC and NETRC.")
    var netrc = false

    @OptionGroup var selection: SelectionOptions
    @OptionGroup var options: VaultOptions

    @Argument(parsing: .postTerminator, help: "The command and its arguments, after --.")
    var command: [String] = []

    func validate() throws {
        if command.isEmpty { throw ValidationError("no command to run; put it after --") }
    }

    func run() throws {
        let withComposer = composer || !netrc
        // The vault first: when it is locked or damaged, the command does not run at all.
        let entries = try VaultSession(options).export(selection.selection)
        var environment = Environment.all
        if withComposer {
            let (document, warnings) = ComposerAuth.document(from: entries)
            warnings.forEach { Console.warning($0) }
            var existing: [String: JSONValue] = [:]
            if let current = environment["COMPOSER_AUTH"], !current.isEmpty {
                guard let object = JSONValue(parsing: current)?.object else {
                    throw CLIError.input("COMPOSER_AUTH in the environment is not a JSON object")
                }
                existing = object
            }
            environment["COMPOSER_AUTH"] = JSONText.encode(ComposerAuth.merge(document, into: existing), pretty: false)
            warnAboutProjectAuthJSON(Set(document.values.flatMap(\.keys)))
        }
        var netrcPath: String?
        if netrc {
            let (lines, warnings) = Netrc.lines(from: entries)
            warnings.forEach { Console.warning($0) }
            let path = try temporaryNetrc(lines)
            netrcPath = path
            environment["COFFER_NETRC"] = path
            environment["NETRC"] = path
        }
        defer { if let netrcPath { try? Files.remove(netrcPath) } }
        let status = try ChildProcess.run(command, environment: environment)
        if let netrcPath { try? Files.remove(netrcPath) }
        ChildProcess.exitLike(status)
    }

    /// composer before 2.7.8 lets a project's auth.json win over COMPOSER_AUTH for the same host.
    func warnAboutProjectAuthJSON(_ ours: Set<String>) {
        guard let data = FileManager.default.contents(atPath: "auth.json"), let object = JSONValue(parsing: Array(data))?.object else { return }
        let both = ComposerAuth.hosts(in: object).intersection(ours).sorted()
        if !both.isEmpty {
            Console.warning("./auth.json also has credentials for \(both.joined(separator: ", ")); composer before 2.7.8 uses those instead of coffer's")
        }
    }

    /// In the per-user runtime directory (a tmpfs) when there is one, so the file never reaches a disk.
    func temporaryNetrc(_ lines: [String]) throws -> String {
        let base = Environment.get("XDG_RUNTIME_DIR").flatMap { $0.hasPrefix("/") ? $0 : nil } ?? (Environment.get("TMPDIR") ?? "/tmp")
        let file: (fd: Int32, path: String)
        do { file = try Files.temporary(beside: base + "/coffer-netrc") } catch {
            throw CLIError.failure("cannot create a temporary netrc file in \(base): \(error.errno.text)")
        }
        defer { Files.close(file.fd) }
        // Every byte, or the command does not run: a short netrc would send it on with missing credentials.
        do { try Files.writeAll(file.fd, Array(lines.map { $0 + "\n" }.joined().utf8), path: file.path) } catch {
            try? Files.remove(file.path)
            throw CLIError.failure("cannot write the temporary netrc file \(file.path): \(error.errno.text)")
        }
        return file.path
    }
}
