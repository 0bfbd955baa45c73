import ArgumentParser
import CofferCore
import CofferSystem
import FoundationEssentials

struct Exec: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec", abstract: "Run a command with the vault's credentials in its environment, never on argv or in a lasting file.",
        discussion: """
        COMPOSER_AUTH is set (merged with one already in the environment; Coffer's hosts win). With --netrc, the
        netrc is a sealed memory file the command inherits, named /dev/fd/N in COFFER_NETRC and NETRC: on no
        file system, gone when the command ends, whatever ends coffer. The command's exit status, output and signals pass through.
        """)

    @Flag(help: "Set COMPOSER_AUTH (the default when no other flag is given).")
    var composer = false

    @Flag(help: "Provide a netrc as an inherited memory file, /dev/fd/N in COFFER_NETRC and NETRC.")
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
        let session = VaultSession(options)
        let entries = try session.export(selection.selection)
        var environment = Environment.all
        if withComposer {
            let (document, warnings) = try ProjectChoice.composerDocument(entries, names: selection.name, hosts: selection.host) { try session.list(EntrySelection(names: $0)) }
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
        var netrcDescriptor: Int32?
        if netrc {
            let (lines, warnings) = Netrc.lines(from: entries)
            warnings.forEach { Console.warning($0) }
            let fd = try memoryNetrc(lines)
            netrcDescriptor = fd
            environment["COFFER_NETRC"] = "/dev/fd/\(fd)"
            environment["NETRC"] = "/dev/fd/\(fd)"
        }
        let status = try ChildProcess.run(command, environment: environment)
        if let netrcDescriptor { Files.close(netrcDescriptor) }
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

    /// The netrc as a sealed memory file the command inherits, named `/dev/fd/N`: on no disk or tmpfs, so
    /// no kill of coffer leaves it behind, and every byte is in it or the command does not run.
    func memoryNetrc(_ lines: [String]) throws -> Int32 {
        do { return try Files.memoryFile(named: "coffer-netrc", Array(lines.map { $0 + "\n" }.joined().utf8)) } catch {
            throw CLIError.failure("cannot make the netrc for the command: \(error.errno.text)")
        }
    }
}
