import Foundation
import XCTest

/// What `make install` puts beside the binaries: the man page and the shell completions (scripts/install-docs),
/// made from the built `coffer`, and bash completing commands and, from the agent, entry names.
final class DocsTests: XCTestCase {
    func testManPageAndCompletionsInstallAndComplete() throws {
        let box = try Sandbox()
        let manual = Sandbox.binaryDirectory + "/generate-manual"
        guard FileManager.default.isExecutableFile(atPath: manual) else { return XCTFail("\(manual) is missing; scripts/test builds it") }
        let prefix = box.root + "/prefix"
        let script = Sandbox.repository + "/scripts/install-docs"
        XCTAssertRun(try box.spawn([script, prefix, Sandbox.binaryDirectory + "/coffer", manual], stdin: "", fd3: nil, env: box.environment),
                     stdout: ["installed the man page and bash, zsh and fish completions under \(prefix)/share"])
        let man = try String(contentsOfFile: prefix + "/share/man/man1/coffer.1", encoding: .utf8)
        for command in ["init", "get", "rename", "edit", "status", "git", "export", "exec"] {
            XCTAssertTrue(man.contains(".It Em \(command)"), "the man page lacks \(command)")
        }
        XCTAssertTrue(try String(contentsOfFile: prefix + "/share/zsh/site-functions/_coffer", encoding: .utf8).hasPrefix("#compdef coffer"))
        XCTAssertTrue(try String(contentsOfFile: prefix + "/share/fish/vendor_completions.d/coffer.fish", encoding: .utf8).contains("complete -c 'coffer'"))

        // bash, as bash runs the function for `coffer <TAB>`: `_coffer COMMAND CURRENT-WORD PREVIOUS-WORD`.
        let pass = ["--passphrase-file", box.root + "/pass"]
        XCTAssertEqual(try box.coffer(["init", "--kdf", "interactive"] + pass).status, 0)
        for name in ["deploy-prod", "deploy-stage", "github"] {
            XCTAssertEqual(try box.coffer(["add", "token", name, "--type", "bearer", "--host", "h.example"] + pass, stdin: "t\n").status, 0)
        }
        func complete(_ words: [String]) throws -> [String] {
            let line = words.joined(separator: " ")
            let program = """
                source '\(prefix)/share/bash-completion/completions/coffer'
                COMP_WORDS=(\(words.map { "'\($0)'" }.joined(separator: " "))); COMP_CWORD=\(words.count - 1)
                COMP_LINE='\(line)'; COMP_POINT=\(line.count)
                _coffer coffer "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"; printf '%s\\n' "${COMPREPLY[@]}" | sort
                """
            let run = try box.spawn(["/bin/bash", "-c", program], stdin: "", fd3: nil, env: box.environment)
            XCTAssertEqual(run.status, 0, run.description)
            return run.stdout.split(separator: "\n").map(String.init)
        }
        XCTAssertEqual(try complete(["coffer", "ren"]), ["rename"])
        XCTAssertEqual(try complete(["coffer", "show", "dep"]), [], "names completed while the vault is locked")
        XCTAssertEqual(try box.coffer(["unlock"] + pass).status, 0)
        XCTAssertEqual(try complete(["coffer", "show", "dep"]), ["deploy-prod", "deploy-stage"])
        XCTAssertEqual(try box.coffer(["lock"]).status, 0)
    }
}
