import CofferCore
import CofferSodium
import Foundation
import Glibc
import XCTest

/// Real composer, curl and a loopback composer repository (`php -S` with a router that demands basic auth).
final class ComposerTests: XCTestCase {
    static let publicKey = "5d2c3e8b1a9f4c7e6b0a1d2e3f4a5b6c"
    static let privateKey = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"
    static let token = "tok_0123456789abcdef"
    /// The composer plugin of this repository (Integrations/composer-plugin).
    static let plugin = Sandbox.repository + "/Integrations/composer-plugin"
    static let otherPublicKey = "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", otherPrivateKey = "1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c"
    var box: Sandbox!
    var server: pid_t = 0
    var port = 0
    var pass: [String] { ["--passphrase-file", box.root + "/pass"] }
    var host: String { "127.0.0.1:\(port)" }
    var project: String { box.root + "/project" }

    override func setUpWithError() throws {
        for tool in ["/usr/bin/php", "/usr/bin/composer", "/usr/bin/curl"] where !FileManager.default.isExecutableFile(atPath: tool) {
            throw XCTSkip("\(tool) is missing; make test installs it")
        }
        box = try Sandbox()
        _ = try box.coffer(["init", "--kdf", "interactive"] + pass)
        port = try Self.freePort()
        let env = box.environment.merging([
            "COFFER_TEST_USER": Self.publicKey, "COFFER_TEST_PASS": Self.privateKey,
            "COFFER_TEST_FORBIDDEN_USER": "expiredexpiredexpiredexpired0000", "COFFER_TEST_FORBIDDEN_PASS": "expired-private",
            "COFFER_TEST_DL_USER": "MAG123456789", "COFFER_TEST_DL_PASS": "dl token/with:odd@chars",
            "COFFER_TEST_TOKEN": Self.token, "COFFER_TEST_LOG": box.root + "/requests.log",
            "COFFER_TEST_USER2": Self.otherPublicKey, "COFFER_TEST_PASS2": Self.otherPrivateKey,
        ]) { $1 }
        server = try box.start(["/usr/bin/php", "-S", "127.0.0.1:\(port)", Sandbox.fixtures + "/composer_router.php"], stdin: "", env: env)
        var ready = false
        for _ in 0..<100 where !ready {
            ready = try box.spawn(["/usr/bin/curl", "-s", "-o", "/dev/null", "http://\(host)/"], stdin: "", fd3: nil, env: box.environment).status == 0
            if !ready { usleep(50_000) }
        }
        XCTAssertTrue(ready, "php -S did not start")
        try FileManager.default.createDirectory(atPath: project, withIntermediateDirectories: true)
        try """
        {
            "name": "coffer/test-project",
            "repositories": [{"type": "composer", "url": "http://\(host)"}, {"packagist.org": false}],
            "require": {"coffer-test/magic": "1.0.0"},
            "config": {"secure-http": false}
        }
        """.write(toFile: project + "/composer.json", atomically: true, encoding: .utf8)
    }

    override func tearDown() {
        if server > 0 {
            kill(server, SIGTERM)
            _ = try? box.finish(server)
        }
        box = nil
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A shell command in the project directory, with composer's own state inside the sandbox.
    func sh(_ script: String, env extra: [String: String] = [:]) throws -> CofferRun {
        let env = box.environment.merging([
            "COMPOSER_HOME": box.root + "/composer-home", "COMPOSER_CACHE_DIR": box.root + "/composer-cache",
            "COMPOSER_ALLOW_SUPERUSER": "1", "COMPOSER_NO_INTERACTION": "1",
        ].merging(extra) { $1 }) { $1 }
        return try box.spawn(["/bin/sh", "-c", "cd '\(project)' && " + script], stdin: "", fd3: nil, env: env)
    }

    func installed() -> Bool { FileManager.default.fileExists(atPath: project + "/vendor/coffer-test/magic/src/Magic.php") }

    func clean() throws {
        _ = try sh("rm -rf vendor composer.lock auth.json")
        XCTAssertFalse(installed())
    }

    func addKeypair(host: String? = nil) throws {
        let run = try box.coffer(["add", "keypair", "shop", "--host", host ?? self.host, "--public-key", Self.publicKey] + pass,
                                 stdin: Self.privateKey + "\n")
        XCTAssertEqual(run.status, 0, run.description)
    }

    func testComposerInstallThroughExecExportAndAuthJSON() throws {
        try addKeypair()
        let install = "composer install --no-interaction --no-progress --quiet"
        var run = try sh(install)
        XCTAssertNotEqual(run.status, 0, "composer installed without credentials")
        XCTAssertFalse(installed())
        XCTAssertEqual(try box.coffer(["unlock", "--max", "5m"] + pass).status, 0)

        try clean()
        run = try sh("coffer exec -- " + install)
        XCTAssertEqual(run.status, 0, run.description)
        XCTAssertTrue(installed())
        XCTAssertFalse(run.stdout.contains(Self.privateKey) || run.stderr.contains(Self.privateKey))

        try clean()
        run = try sh(#"eval "$(coffer export composer --format shell)" && "# + install)
        XCTAssertEqual(run.status, 0, run.description)
        XCTAssertTrue(installed())

        try clean()
        // --write merges: another host already in auth.json stays.
        try #"{"github-oauth": {"github.com": "ghp_keep"}}"#.write(toFile: project + "/auth.json", atomically: true, encoding: .utf8)
        chmod(project + "/auth.json", 0o600)
        run = try sh("coffer export composer --write auth.json && " + install)
        XCTAssertEqual(run.status, 0, run.description)
        XCTAssertEqual(run.stdout, "wrote 1 host to auth.json\n")
        XCTAssertTrue(installed())
        let written = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: project + "/auth.json"))) as? [String: Any]
        XCTAssertEqual((written?["github-oauth"] as? [String: String])?["github.com"], "ghp_keep")
        XCTAssertEqual(((written?["http-basic"] as? [String: Any])?[host] as? [String: String])?["password"], Self.privateKey)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: project + "/auth.json")[.posixPermissions] as? Int, 0o600)
        // A project auth.json naming the same host is warned about: composer before 2.7.8 prefers it.
        run = try sh("coffer exec -- true")
        XCTAssertEqual(run.stderr, "coffer: warning: ./auth.json also has credentials for \(host); composer before 2.7.8 uses those instead of coffer's\n")
        chmod(project + "/auth.json", 0o644)
        run = try sh("coffer export composer --write auth.json")
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.stderr, "coffer: error: auth.json can be read by other users (mode 644); not writing secrets into it\ncoffer: hint: run chmod 600 auth.json first\n")

        try clean()
        XCTAssertEqual(try box.coffer(["lock"]).status, 0)
        run = try sh("coffer exec -- sh -c 'touch composer-ran; " + install + "'")
        XCTAssertRun(run, status: 8, stderr: ["coffer: error: vault is locked: no agent listens at \(box.socket)",
                                              "coffer: hint: run 'coffer unlock' first, or pass --passphrase-fd N or --passphrase-file PATH"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: project + "/composer-ran"), "the command ran with the vault locked")
    }

    /// The composer plugin: installed offline into a temporary COMPOSER_HOME, it gives composer the key pair
    /// the moment composer needs it, with no auth.json or COMPOSER_AUTH anywhere; locked, composer fails
    /// with its own 401 and one line from Coffer; no file anywhere holds the secret afterwards.
    func testThePluginGivesComposerCredentialsOnDemand() throws {
        try addKeypair()
        let plugin = Self.plugin
        XCTAssertRun(try sh("coffer composer setup --plugin '\(plugin)'"), stdout: ["composer will ask coffer for credentials: coffer/composer-plugin from \(plugin)"])
        XCTAssertRun(try sh("coffer composer setup --plugin '\(plugin)'"), stdout: ["composer will ask coffer for credentials: coffer/composer-plugin from \(plugin)"])
        let install = "composer install --no-interaction --no-progress"
        var run = try sh(install)
        XCTAssertNotEqual(run.status, 0, run.description)
        XCTAssertEqual(run.stderr.components(separatedBy: "coffer: the vault is locked; run 'coffer unlock' to let composer use it").count, 2,
                       "not one line from coffer: \(run.stderr)")
        XCTAssertTrue(run.stderr.contains("401"), run.stderr)
        XCTAssertFalse(installed())
        XCTAssertEqual(try box.coffer(["unlock", "--max", "5m"] + pass).status, 0)
        try clean()
        let marker = try box.write("before-install", "")
        run = try sh(install)
        XCTAssertEqual(run.status, 0, run.description)
        XCTAssertTrue(installed())
        XCTAssertFalse(FileManager.default.fileExists(atPath: project + "/auth.json"))
        // No file the run wrote, in the project, composer's home and cache or the temporary directory, holds
        // the private key (this harness's own stdin files, in the sandboxes, are not composer's).
        let scan = "{ find '\(project)' '\(box.root)/composer-home' '\(box.root)/composer-cache' -type f -newer '\(marker)' -print0; "
            + "find \"${TMPDIR:-/tmp}\" -path '*/coffer-test-*' -prune -o -type f -newer '\(marker)' -print0; } 2>/dev/null "
            + "| xargs -0 -r grep -l -- '\(Self.privateKey)'; true"
        XCTAssertRun(try box.spawn(["/bin/sh", "-c", scan], stdin: "", fd3: nil, env: box.environment), stdout: [], "files holding the secret")
        // Credentials composer already has win, as composer documents: an auth.json for the host means the
        // plugin does not ask (the server sees auth.json's key pair, not the vault's).
        try clean()
        try? FileManager.default.removeItem(atPath: box.root + "/composer-cache")
        try? FileManager.default.removeItem(atPath: box.root + "/requests.log")
        let theirs = #"{"http-basic": {"\#(host)": {"username": "\#(Self.otherPublicKey)", "password": "\#(Self.otherPrivateKey)"}}}"#
        try theirs.write(toFile: project + "/auth.json", atomically: true, encoding: .utf8)
        chmod(project + "/auth.json", 0o600)
        XCTAssertEqual(try sh(install).status, 0)
        let basic = "Authorization: Basic " + Data("\(Self.otherPublicKey):\(Self.otherPrivateKey)".utf8).base64EncodedString()
        XCTAssertEqual(Set(((try? String(contentsOfFile: box.root + "/requests.log", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)),
                       ["/packages.json \(basic)", "/dist/magic-1.0.0.zip \(basic)"])
        XCTAssertRun(try sh("coffer composer setup --undo"), stdout: ["removed coffer/composer-plugin from composer's global home"])
        // Without the plugin (and without composer's cache of the download), composer has no credentials again.
        try clean()
        try? FileManager.default.removeItem(atPath: box.root + "/composer-cache")
        run = try sh(install)
        XCTAssertNotEqual(run.status, 0, "composer still got the key after the plugin was removed")
    }

    /// Through the plugin each kind of credential reaches the server in the header composer uses for it,
    /// as if it had come from an auth.json. (On a host other than github.com and bitbucket.org, composer sends
    /// a github-oauth token as `TOKEN:x-oauth-basic` and a bitbucket consumer as `KEY:SECRET`, basic auth;
    /// on those two it uses their APIs, which a loopback server cannot stand in for.)
    func testThePluginSendsEachKindInComposersHeader() throws {
        let plugin = Self.plugin
        XCTAssertEqual(try sh("coffer composer setup --plugin '\(plugin)'").status, 0)
        XCTAssertEqual(try box.coffer(["unlock", "--max", "5m"] + pass).status, 0)
        let basic = "Basic " + Data("\(Self.publicKey):\(Self.privateKey)".utf8).base64EncodedString()
        let cases: [(String, [String], String)] = [
            ("keypair", ["add", "keypair", "k", "--host", host, "--public-key", Self.publicKey], "Authorization: \(basic)"),
            ("bearer", ["add", "token", "k", "--type", "bearer", "--host", host], "Authorization: Bearer \(Self.token)"),
            ("gitlab-token", ["add", "token", "k", "--type", "gitlab-token", "--host", host], "PRIVATE-TOKEN: \(Self.token)"),
            ("gitlab-oauth", ["add", "token", "k", "--type", "gitlab-oauth", "--host", host], "Authorization: Bearer \(Self.token)"),
            ("github-oauth", ["add", "token", "k", "--type", "github-oauth", "--host", host],
             "Authorization: Basic " + Data("\(Self.token):x-oauth-basic".utf8).base64EncodedString()),
            ("bitbucket-oauth", ["add", "token", "k", "--type", "bitbucket-oauth", "--host", host, "--consumer-key", Self.token],
             "Authorization: Basic " + Data("\(Self.token):consumer-secret".utf8).base64EncodedString()),
        ]
        for (kind, add, header) in cases {
            let secret = kind == "keypair" ? Self.privateKey : kind == "bitbucket-oauth" ? "consumer-secret" : Self.token
            XCTAssertEqual(try box.coffer(add, stdin: secret + "\n").status, 0, kind)
            try clean()
            try? FileManager.default.removeItem(atPath: box.root + "/composer-cache")
            try? FileManager.default.removeItem(atPath: box.root + "/requests.log")
            let run = try sh("composer install --no-interaction --no-progress")
            XCTAssertEqual(run.status, 0, "\(kind): \(run.description)")
            let log = (try? String(contentsOfFile: box.root + "/requests.log", encoding: .utf8)) ?? ""
            XCTAssertEqual(Set(log.split(separator: "\n").map(String.init)),
                           ["/packages.json \(header)", "/dist/magic-1.0.0.zip \(header)"], kind)
            XCTAssertEqual(try box.coffer(["remove", "k"]).status, 0)
        }
    }

    /// Two projects, two key pairs for one host: each project's composer.json names its own, and each
    /// composer run (through the plugin, exec or an export) sends that one; with no choice made and no
    /// terminal, Coffer refuses to pick; a named entry that is missing, disabled or unusable is an error,
    /// never another key.
    func testEachProjectSendsTheKeyItNames() throws {
        XCTAssertEqual(try box.coffer(["add", "keypair", "client-a", "--host", host, "--public-key", Self.publicKey] + pass, stdin: Self.privateKey + "\n").status, 0)
        XCTAssertEqual(try box.coffer(["add", "keypair", "client-b", "--host", host, "--public-key", Self.otherPublicKey] + pass,
                                      stdin: Self.otherPrivateKey + "\n").status, 0)
        let plugin = Self.plugin
        XCTAssertEqual(try sh("coffer composer setup --plugin '\(plugin)'").status, 0)
        XCTAssertEqual(try box.coffer(["unlock", "--max", "5m"] + pass).status, 0)
        let manifest = try String(contentsOfFile: project + "/composer.json", encoding: .utf8)
        func makeProject(_ name: String, choosing entry: String?) throws -> String {
            let dir = box.root + "/" + name
            try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: true)
            let extra = entry.map { ",\n    \"extra\": {\"coffer\": {\"\(host)\": \"\($0)\"}}\n}" } ?? "\n}"
            try (manifest.trimmingCharacters(in: .whitespacesAndNewlines).dropLast() + extra).write(toFile: dir + "/composer.json", atomically: true, encoding: .utf8)
            return dir
        }
        func basic(_ user: String, _ password: String) -> String { "Authorization: Basic " + Data("\(user):\(password)".utf8).base64EncodedString() }
        for (name, entry, user, password) in [("project-a", "client-a", Self.publicKey, Self.privateKey), ("project-b", "client-b", Self.otherPublicKey, Self.otherPrivateKey)] {
            let dir = try makeProject(name, choosing: entry)
            try? FileManager.default.removeItem(atPath: box.root + "/composer-cache")
            try? FileManager.default.removeItem(atPath: box.root + "/requests.log")
            let run = try sh("cd '\(dir)' && composer install --no-interaction --no-progress")
            XCTAssertEqual(run.status, 0, "\(name): \(run.description)")
            let log = (try? String(contentsOfFile: box.root + "/requests.log", encoding: .utf8)) ?? ""
            XCTAssertEqual(Set(log.split(separator: "\n").map(String.init)), ["/packages.json \(basic(user, password))", "/dist/magic-1.0.0.zip \(basic(user, password))"], name)
            // From a directory below it too (the nearest composer.json upwards), through exec and export.
            XCTAssertRun(try sh("cd '\(dir)/sub' && coffer exec -- sh -c 'printf %s \"$COMPOSER_AUTH\"'; echo"),
                         stdout: [#"{"http-basic":{"\#(host)":{"password":"\#(password)","username":"\#(user)"}}}"#])
            XCTAssertRun(try sh("cd '\(dir)/sub' && coffer which"), stdout: [
                "HOST\(String(repeating: " ", count: host.count - 2))SECTION     ENTRY     WHY", "\(host)  http-basic  \(entry)  named in \(dir)/composer.json",
            ])
        }
        // No choice, no terminal: no key is picked for the user.
        let none = try makeProject("project-c", choosing: nil)
        let refused = [
            "coffer: error: 2 enabled entries for \(host) in http-basic: 'client-a', 'client-b'",
            #"coffer: hint: name the one to use in composer.json: "extra": {"coffer": {"\#(host)": "NAME"}}, or pass --name"#,
        ]
        XCTAssertRun(try sh("cd '\(none)' && coffer exec -- true"), status: 1, stderr: refused)
        XCTAssertRun(try sh("cd '\(none)' && coffer export composer --format env --name client-a"),
                     stdout: [#"COMPOSER_AUTH='{"http-basic":{"\#(host)":{"password":"\#(Self.privateKey)","username":"\#(Self.publicKey)"}}}'"#])
        try? FileManager.default.removeItem(atPath: box.root + "/composer-cache")
        let run = try sh("cd '\(none)' && composer install --no-interaction --no-progress")
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.stderr.contains("coffer: error: 2 enabled entries for \(host) in http-basic"), run.stderr)
        // A named entry that is missing, disabled, or for something composer cannot use is an error.
        let missing = try makeProject("project-d", choosing: "nope")
        XCTAssertRun(try sh("cd '\(missing)' && coffer export composer"), status: 6, stderr: [
            "coffer: error: \(missing)/composer.json names 'nope' for \(host); the vault has no such entry",
            "coffer: hint: 'coffer list' shows the names; another key is never used in its place",
        ])
        XCTAssertEqual(try box.coffer(["disable", "client-b"]).status, 0)
        XCTAssertRun(try sh("cd '\(box.root)/project-b' && coffer exec -- true"), status: 1, stderr: [
            "coffer: error: 'client-b', which \(box.root)/project-b/composer.json names for \(host), is disabled",
            "coffer: hint: enable it with 'coffer enable client-b', or name another entry",
        ])
        XCTAssertEqual(try box.coffer(["add", "login", "ssh-key", "--protocol", "ssh", "--host", host, "--username", "git"], stdin: "pw\n").status, 0)
        let unusable = try makeProject("project-e", choosing: "ssh-key")
        XCTAssertRun(try sh("cd '\(unusable)' && coffer export composer"), status: 2, stderr: [
            "coffer: error: 'ssh-key', which \(unusable)/composer.json names for \(host), is a login composer cannot use",
        ])
    }

    func testExportFormatsQuoteAnySecret() throws {
        let awkward = #"it's "q" \ $HOME ${HOME} `x` ü"#
        XCTAssertEqual(try box.coffer(["add", "login", "odd", "--host", "repo.example:8443", "--username", "me"] + pass, stdin: awkward + "\n").status, 0)
        XCTAssertEqual(try box.coffer(["add", "token", "gh", "--type", "github-oauth", "--host", "github.com"] + pass, stdin: "ghp_1\n").status, 0)
        XCTAssertEqual(try box.coffer(["add", "token", "bb", "--type", "bitbucket-oauth", "--host", "bitbucket.org", "--consumer-key", "ck"] + pass, stdin: "cs\n").status, 0)
        XCTAssertEqual(try box.coffer(["add", "download-token", "dl", "--mageid", "MAG1"] + pass, stdin: "t0k\n").status, 0)
        XCTAssertEqual(try box.coffer(["disable", "dl"] + pass).status, 0)
        let json = #"{"bitbucket-oauth":{"bitbucket.org":{"consumer-key":"ck","consumer-secret":"cs"}},"github-oauth":{"github.com":"ghp_1"},"http-basic":{"repo.example:8443":{"password":"it's \"q\" \\ $HOME ${HOME} `x` ü","username":"me"}}}"#
        let run = try sh(#"eval "$(coffer export composer --format shell \#(pass.joined(separator: " ")))" && printf '%s\n' "$COMPOSER_AUTH""#)
        XCTAssertRun(run, stdout: [json])
        // env: single-quoted, ASCII, no ' or \ of its own, so sh, python-dotenv and composer's PHP read the
        // same document back.
        let quotable = #"{"bitbucket-oauth":{"bitbucket.org":{"consumer-key":"ck","consumer-secret":"cs"}},"github-oauth":{"github.com":"ghp_1"},"http-basic":{"repo.example:8443":{"password":"it\u0027s \"q\" \u005c \u0024HOME \u0024{HOME} `x` \u00fc","username":"me"}}}"#
        XCTAssertRun(try box.coffer(["export", "composer", "--format", "env"] + pass), stdout: ["COMPOSER_AUTH='" + quotable + "'"])
        XCTAssertEqual(try sh("coffer export composer --format env \(pass.joined(separator: " ")) > .env").status, 0)
        let same = #"$a = json_decode(getenv('COMPOSER_AUTH'), true); $b = json_decode($argv[1], true); echo $a === $b && $a !== null ? "same\n" : "differs\n";"#
        XCTAssertRun(try sh("set -a; . ./.env; set +a; php -r '\(same.replacingOccurrences(of: "'", with: "'\\''"))' '\(json.replacingOccurrences(of: "'", with: "'\\''"))'"),
                     stdout: ["same"])
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"),
           (try? box.spawn(["/usr/bin/python3", "-c", "import dotenv"], stdin: "", fd3: nil, env: box.environment).status) == 0 {
            let dotenv = "import dotenv, json, sys; print('same' if json.loads(dotenv.dotenv_values(sys.argv[1])['COMPOSER_AUTH']) == json.loads(sys.argv[2]) else 'differs')"
            XCTAssertRun(try box.spawn(["/usr/bin/python3", "-c", dotenv, project + "/.env", json], stdin: "", fd3: nil, env: box.environment), stdout: ["same"])
        } else {
            XCTFail("python3-dotenv is missing; make test installs it")
        }
        XCTAssertRun(try box.coffer(["export", "composer", "--host", "github.com"] + pass), stdout: [
            "{", #"  "github-oauth" : {"#, #"    "github.com" : "ghp_1""#, "  }", "}",
        ])
        XCTAssertRun(try box.coffer(["export", "composer", "--name", "nope"] + pass), status: 6,
                     stderr: ["coffer: error: no entry named 'nope'", "coffer: hint: 'coffer list' shows the names"])
    }

    /// Keys in byte order: the same vault gives the same auth.json on every machine. (JSONSerialization's
    /// sorted keys are locale-aware: git9 before git10, and a locale built per comparison.)
    func testExportKeysAreInByteOrder() throws {
        for (name, host) in [("nine", "git9.example"), ("ten", "git10.example"), ("upper", "Git.example")] {
            XCTAssertEqual(try box.coffer(["add", "login", name, "--host", host, "--username", "u"] + pass, stdin: "p-\(name)\n").status, 0)
        }
        XCTAssertRun(try box.coffer(["export", "composer", "--format", "env"] + pass), stdout: [
            #"COMPOSER_AUTH='{"http-basic":{"Git.example":{"password":"p-upper","username":"u"},"git10.example":{"password":"p-ten","username":"u"},"#
                + #""git9.example":{"password":"p-nine","username":"u"}}}'"#,
        ])
        // Merged into an auth.json of its own: other sections and values (numbers, booleans, null, arrays) kept.
        let auth = box.root + "/auth.json"
        try #"{"gitlab-domains": ["b.example", "a.example"], "x": {"n": 5, "f": 2.5, "t": true, "z": null, "e": {}}}"#
            .write(toFile: auth, atomically: true, encoding: .utf8)
        chmod(auth, 0o600)
        XCTAssertRun(try box.coffer(["export", "composer", "--name", "ten", "--write", auth] + pass), stdout: ["wrote 1 host to \(auth)"])
        XCTAssertEqual(box.read(auth).map { String(decoding: $0, as: UTF8.self) }, """
            {
              "gitlab-domains" : [
                "b.example",
                "a.example"
              ],
              "http-basic" : {
                "git10.example" : {
                  "password" : "p-ten",
                  "username" : "u"
                }
              },
              "x" : {
                "e" : {

                },
                "f" : 2.5,
                "n" : 5,
                "t" : true,
                "z" : null
              }
            }

            """)
    }

    /// git may store a password that is not UTF-8. git gets it back as it was; auth.json and netrc would carry
    /// it altered (U+FFFD for the bad bytes), so the entry is left out of them, with a warning naming it.
    func testASecretThatIsNotUTF8IsLeftOutOfExportsNotAltered() throws {
        XCTAssertEqual(try box.coffer(["unlock", "--max", "5m"] + pass).status, 0)
        XCTAssertRun(try sh(#"printf 'protocol=https\nhost=bin.example\nusername=u\npassword=p\377q\n\n' | git-credential-coffer store"#))
        XCTAssertRun(try sh(#"printf 'protocol=https\nhost=ok.example\nusername=u\npassword=fine\n\n' | git-credential-coffer store"#))
        XCTAssertRun(try sh(#"printf 'protocol=https\nhost=bin.example\n\n' | git-credential-coffer get | od -An -tx1 | tr -d ' \n'; echo"#),
                     stdout: ["757365726e616d653d750a70617373776f72643d70ff710a"])
        let warning = { (what: String) in "coffer: warning: 'git:https/bin.example/u' is left out of \(what): its secret is not UTF-8 text" }
        XCTAssertRun(try box.coffer(["export", "composer", "--format", "env"]),
                     stdout: [#"COMPOSER_AUTH='{"http-basic":{"ok.example":{"password":"fine","username":"u"}}}'"#], stderr: [warning("auth.json")])
        XCTAssertRun(try box.coffer(["export", "netrc"]), stdout: ["machine ok.example login u password fine"], stderr: [warning("the netrc file")])
        XCTAssertEqual(try box.coffer(["show", "git:https/bin.example/u", "--reveal", "--json"]).stderr,
                     "coffer: warning: a secret of 'git:https/bin.example/u' is not UTF-8 text; it is shown with U+FFFD in place of the bad bytes\n")
        XCTAssertEqual(try box.coffer(["show", "git:https/ok.example/u", "--reveal"]).stderr, "")
    }

    /// Secrets imported from an auth.json may hold line breaks, quotes and backslashes. curl gets them byte for
    /// byte, from the netrc and from the config `check` writes: a raw line break there ended the value, and what
    /// followed was read as more of curl's options (here a `user` line with other keys) or netrc tokens.
    func testLineBreaksInImportedSecretsReachCurlExactly() throws {
        let awkward = "a\nuser = \"\(Self.publicKey):\(Self.privateKey)\"\r\t\\ b"
        let publicKey = "0123456789abcdef0123456789abcdef"
        let document = ["http-basic": ["repo.magento.com": ["username": publicKey, "password": awkward],
                                       "127.0.0.1": ["username": "dl", "password": awkward]]]
        let path = box.root + "/import.json"
        try JSONSerialization.data(withJSONObject: document).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(try box.coffer(["import", "composer", path] + pass).status, 0)
        let sent = "200 - server says: " + Self.hex(publicKey + ":" + awkward)
        XCTAssertRun(try box.coffer(["check", "--repo-url", "http://\(host)/echo"] + pass), stdout: [
            "NAME                         RESULT  DETAIL",
            "http-basic:repo.magento.com  valid   " + sent,
        ])
        XCTAssertRun(try box.coffer(["export", "netrc", "--host", "127.0.0.1"] + pass), stdout: [
            #"machine 127.0.0.1 login dl password "a\nuser = \"\#(Self.publicKey):\#(Self.privateKey)\"\r\t\\ b""#,
        ])
        XCTAssertEqual(try box.coffer(["unlock", "--max", "5m"] + pass).status, 0)
        XCTAssertRun(try sh(#"coffer exec --netrc --host 127.0.0.1 -- sh -c 'curl -s --netrc-file "$NETRC" http://\#(host)/echo/x; echo'"#),
                     stdout: [#"{"warning":"\#(Self.hex("dl:" + awkward))"}"#])
    }

    /// A repository's warning is shown with its control characters escaped: no terminal escape reaches the
    /// user's terminal (before, the ESC, BEL and CSI went out raw).
    func testCheckEscapesWhatTheServerSays() throws {
        try addKeypair(host: "repo.magento.com")
        XCTAssertRun(try box.coffer(["check", "--repo-url", "http://\(host)/hostile"] + pass), stdout: [
            "NAME  RESULT  DETAIL",
            #"shop  valid   200 - server says: \x1b[31mred\x1b]0;pwned\x07 \u009b2J back\\slash"#,
        ])
    }

    /// A private key that is not UTF-8 (no Coffer command stores one; a vault from another writer may) is not
    /// sent to the repository altered.
    func testCheckDoesNotSendAPrivateKeyThatIsNotUTF8() throws {
        let path = box.root + "/foreign.coffer"
        var vault = try Vault.create(passphrase: try SecureBytes(copyingUTF8: "correct horse"), kdf: KDFParameters(level: .interactive))
        let key = try [UInt8]([0x61, 0xFF, 0x62]).withUnsafeBytes { try SecureBytes(copying: $0) }
        for (name, secret) in [("foreign", Secret(key)), ("text", try Secret(copying: "ok"))] {
            try vault.list.add(Entry(name: name, kind: .keypair, host: "repo.magento.com", username: Self.publicKey, secret: secret, created: 1_796_000_000))
        }
        try VaultStore(path: path).write(try vault.seal())
        XCTAssertRun(try box.coffer(["check", "--repo-url", "http://\(host)/echo", "--vault", path] + pass), status: 1, stdout: [
            "NAME     RESULT  DETAIL",
            "foreign  error   the private key is not UTF-8 text",
            "text     valid   200 - server says: " + Self.hex(Self.publicKey + ":ok"),
        ])
    }

    /// The loopback server's `/echo/` answer: what it received, as hex.
    static func hex(_ text: String) -> String { text.utf8.map { String(format: "%02x", $0) }.joined() }

    func testExecPassesStatusSignalsEnvironmentAndAMemoryNetrc() throws {
        XCTAssertEqual(try box.coffer(["add", "download-token", "dl", "--host", host, "--mageid", "MAG123456789"] + pass,
                                      stdin: "dl token/with:odd@chars\n").status, 0)
        XCTAssertEqual(try box.coffer(["unlock", "--max", "5m"] + pass).status, 0)
        XCTAssertEqual(try sh("coffer exec -- sh -c 'exit 7'").status, 7)
        XCTAssertEqual(try sh("coffer exec -- sh -c 'kill -TERM $$'").status, 128 + SIGTERM)
        XCTAssertRun(try sh("coffer exec -- no-such-program-here"), status: 127,
                     stderr: ["coffer: error: cannot run no-such-program-here: no such file or directory"])
        // COMPOSER_AUTH already set: kept, with coffer's hosts merged in.
        var run = try sh(#"coffer exec -- sh -c 'printf "%s\n" "$COMPOSER_AUTH"'"#, env: ["COMPOSER_AUTH": #"{"github-oauth":{"github.com":"mine"}}"#])
        XCTAssertRun(run, stdout: [#"{"github-oauth":{"github.com":"mine"},"http-basic":{"\#(host)":{"password":"dl token/with:odd@chars","username":"MAG123456789"}}}"#])
        // The netrc: an inherited memory file, used by real curl, on no file system.
        run = try sh(#"coffer exec --netrc -- sh -c 'echo "$COFFER_NETRC" | cut -c1-8; curl -s --netrc-file "$NETRC" http://\#(host)/download/release.txt'"#)
        XCTAssertRun(run, stdout: ["/dev/fd/", "release bits"])
        // Written to a file instead, for curl --netrc-file.
        XCTAssertRun(try box.coffer(["export", "netrc"]), stdout: [#"machine 127.0.0.1 login MAG123456789 password "dl token/with:odd@chars""#])
        XCTAssertRun(try sh("coffer export netrc --write n && curl -s --netrc-file n http://\(host)/download/release.txt"),
                     stdout: ["wrote 1 machine to n", "release bits"])
        XCTAssertEqual(try sh("curl -s -o /dev/null -w '%{http_code}' http://\(host)/download/release.txt").stdout, "401")
    }

    func testImportRoundTripWithAwkwardCharacters() throws {
        let auth: [String: Any] = [
            "http-basic": ["repo.magento.com": ["username": Self.publicKey, "password": "p:@/%ü"],
                           "git.example.com:8443": ["username": "deploy", "password": "pä ss:@/%"]],
            "github-oauth": ["github.com": "ghp_ö"],
            "bitbucket-oauth": ["bitbucket.org": ["consumer-key": "ck", "consumer-secret": "s:@/%"]],
            "config": ["ignored": true],
        ]
        let authPath = box.root + "/auth.json"
        try JSONSerialization.data(withJSONObject: auth).write(to: URL(fileURLWithPath: authPath))
        XCTAssertRun(try box.coffer(["import", "composer", authPath, "--remove-source"] + pass), stdout: [
            "imported bitbucket-oauth 'bitbucket-oauth:bitbucket.org' for bitbucket.org",
            "imported github-oauth 'github-oauth:github.com' for github.com",
            "imported login 'http-basic:git.example.com:8443' for git.example.com:8443",
            "imported keypair 'http-basic:repo.magento.com' for repo.magento.com",
            "skipped section 'config': not a credential section coffer keeps",
            "4 imported, 1 skipped",
            "removed \(authPath)",
        ])
        XCTAssertFalse(FileManager.default.fileExists(atPath: authPath))
        let exported = try JSONSerialization.jsonObject(with: Data(try box.coffer(["export", "composer"] + pass).stdout.utf8)) as? NSDictionary
        var expected = auth
        expected["config"] = nil
        XCTAssertEqual(exported, expected as NSDictionary)

        let store = box.root + "/git-credentials"
        try "https://ci%40corp:s%3Ac%40r%2Fe%25t%C3%BC@git.example.com\nhttps://bob:pw@git.example.com:8443/team/repo.git\n\n"
            .write(toFile: store, atomically: true, encoding: .utf8)
        XCTAssertRun(try box.coffer(["import", "git-credentials", store] + pass), stdout: [
            "imported login 'git:https/git.example.com/ci@corp' for git.example.com",
            "imported login 'git:https/git.example.com:8443/team/repo.git/bob' for git.example.com:8443",
            "2 imported, 0 skipped",
        ])
        XCTAssertTrue(try box.coffer(["show", "git:https/git.example.com/ci@corp", "--reveal", "--json"] + pass).stdout.contains(#""secret":"s:c@r/e%tü""#))
        XCTAssertRun(try box.coffer(["import", "git-credentials", store] + pass), stdout: [
            "skipped 'git:https/git.example.com/ci@corp': an entry of that name exists",
            "skipped 'git:https/git.example.com:8443/team/repo.git/bob': an entry of that name exists",
            "0 imported, 2 skipped",
        ])
        XCTAssertRun(try box.coffer(["import", "git-credentials", store, "--json"] + pass), stdout: [
            #"{"imported":[],"skipped":["'git:https/git.example.com/ci@corp': an entry of that name exists","'git:https/git.example.com:8443/team/repo.git/bob': an entry of that name exists"]}"#,
        ])
        // Malformed input names the line or key at fault, and changes nothing.
        let before = box.read(box.vault)
        try "https://ok:pw@host.example\nnot a url at all\n".write(toFile: store, atomically: true, encoding: .utf8)
        XCTAssertRun(try box.coffer(["import", "git-credentials", store] + pass), status: 1, stderr: ["coffer: error: \(store):2: not a URL"])
        try "https://nopassword@host.example\n".write(toFile: store, atomically: true, encoding: .utf8)
        XCTAssertRun(try box.coffer(["import", "git-credentials", store] + pass), status: 1, stderr: ["coffer: error: \(store):1: no password"])
        try #"{"http-basic": {"h.example": {"username": "u", "password": 5}}}"#.write(toFile: authPath, atomically: true, encoding: .utf8)
        XCTAssertRun(try box.coffer(["import", "composer", authPath] + pass), status: 1,
                     stderr: ["coffer: error: \(authPath): http-basic.h.example.password: must be a non-empty string"])
        try "[1, 2]".write(toFile: authPath, atomically: true, encoding: .utf8)
        XCTAssertRun(try box.coffer(["import", "composer", authPath] + pass), status: 1, stderr: ["coffer: error: \(authPath) is not a JSON object"])
        XCTAssertEqual(box.read(box.vault), before)
        XCTAssertTrue(FileManager.default.fileExists(atPath: store), "a failed import keeps its source")
    }

    func testCheckReportsValidRejectedForbiddenAndUnreachable() throws {
        try addKeypair(host: "repo.magento.com")
        XCTAssertEqual(try box.coffer(["add", "keypair", "wrong", "--public-key", Self.publicKey] + pass, stdin: "00000000000000000000000000000000\n").status, 0)
        XCTAssertEqual(try box.coffer(["add", "keypair", "expired", "--public-key", "expiredexpiredexpiredexpired0000"] + pass,
                                      stdin: "expired-private\n").status, 0)
        let url = "http://\(host)"
        XCTAssertRun(try box.coffer(["check", "--repo-url", url] + pass), status: 1, stdout: [
            "NAME     RESULT     DETAIL",
            "shop     valid      200",
            "wrong    rejected   401: wrong keys - server says: Invalid credentials for repository",
            "expired  forbidden  403: valid keys without access (entitlement or unpaid invoice?) - server says: Your access to this repository has expired",
        ])
        XCTAssertRun(try box.coffer(["check", "shop", "--repo-url", url] + pass), stdout: ["NAME  RESULT  DETAIL", "shop  valid   200"])
        XCTAssertRun(try box.coffer(["check", "--repo-url", url, "--json"] + pass), status: 1, stdout: [
            #"[{"detail":"200","name":"shop","result":"valid"},{"detail":"401: wrong keys - server says: Invalid credentials for repository","name":"wrong","result":"rejected"},"#
                + #"{"detail":"403: valid keys without access (entitlement or unpaid invoice?) - server says: Your access to this repository has expired","name":"expired","result":"forbidden"}]"#,
        ])
        let closed = try Self.freePort()
        let run = try box.coffer(["check", "shop", "--repo-url", "http://127.0.0.1:\(closed)"] + pass)
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stdout.contains("shop  error   failed to connect to 127.0.0.1 port \(closed)"), run.stdout)
        XCTAssertFalse(run.stdout.contains(Self.privateKey))
    }
}
