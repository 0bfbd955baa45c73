import CofferSodium

/// What an entry holds; the raw values are the payload's `kind` byte.
public enum EntryKind: UInt8, CaseIterable, Sendable {
    /// A Marketplace access key pair: public key (HTTP username) and private key (password).
    case keypair = 1
    /// A MAGEID and download access token.
    case downloadToken = 2
    /// What git's credential protocol carries: protocol, host, path, username, password.
    case login = 3
    /// A token of one of composer's auth types.
    case token = 4

    /// The word used on the command line and in JSON.
    public var word: String {
        switch self {
        case .keypair: "keypair"
        case .downloadToken: "download-token"
        case .login: "login"
        case .token: "token"
        }
    }

    public init?(word: String) {
        guard let kind = EntryKind.allCases.first(where: { $0.word == word }) else { return nil }
        self = kind
    }

    /// The host an entry of this kind gets when none is given.
    public var defaultHost: String? {
        switch self {
        case .keypair: "repo.magento.com"
        case .downloadToken: "www.magentocommerce.com"
        case .login, .token: nil
        }
    }
}

/// composer's token auth types (the section names of auth.json).
public enum TokenType: String, CaseIterable, Sendable {
    case githubOAuth = "github-oauth"
    case gitlabToken = "gitlab-token"
    case gitlabOAuth = "gitlab-oauth"
    case bitbucketOAuth = "bitbucket-oauth"
    case bearer = "bearer"
}

/// Who put an entry in the vault; decides whether git's `erase` removes it or only disables it.
public enum EntryOrigin: UInt8, CaseIterable, Sendable {
    case user = 0
    case imported = 1
    case git = 2

    public var word: String {
        switch self {
        case .user: "user"
        case .imported: "import"
        case .git: "git"
        }
    }
}

/// A secret that an entry held before `rotate` replaced it.
public struct HistoryRecord: Sendable {
    /// When this secret was set, and when it was replaced (Unix seconds).
    public var created: Int64
    public var retired: Int64
    /// The username that went with it, when rotation changed that too (a key pair's public key).
    public var username: String?
    public var secret: Secret

    public init(created: Int64, retired: Int64, username: String?, secret: Secret) {
        self.created = created
        self.retired = retired
        self.username = username
        self.secret = secret
    }
}

/// A removed member (or host) who could read an entry's secret: "exposed to MEMBER since SINCE" until the
/// secret is rotated or the exposure accepted (v2 §11.3).
public struct Exposure: Sendable, Equatable {
    public var member: String
    /// When the member was removed (Unix seconds).
    public var since: Int64

    public init(member: String, since: Int64) {
        self.member = member
        self.since = since
    }
}

/// An entry's stable id (version 4): 16 random bytes made with the entry and never changed, so a merge can
/// pair the same entry in three versions of a vault whatever its name became.
public struct EntryID: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == VaultFormat.entryIDBytes else { return nil }
        self.bytes = bytes
    }

    public static func random() throws(VaultError) -> EntryID {
        do { return EntryID(bytes: try Random.bytes(VaultFormat.entryIDBytes))! } catch { throw .crypto(error) }
    }

    public var description: String { Identity.hex(bytes) }
}

/// One credential. Which fields a kind requires is checked by `validate()`, for reader and writer alike.
public struct Entry: Sendable {
    public var name: String
    public var kind: EntryKind
    public var enabled: Bool = true
    public var created: Int64
    public var updated: Int64
    public var note: String?
    public var origin: EntryOrigin = .user
    /// Set when git reported the credential rejected (`erase`) and the entry was disabled, not removed.
    public var rejectedAt: Int64?
    public var rejectedHost: String?
    /// Version 4; nil in an entry read from an older file or made in memory, until a vault list takes it.
    public var id: EntryID?
    public var `protocol`: String?
    /// Host name, with `:port` when the port is not the protocol's default.
    public var host: String
    public var path: String?
    /// Public key, MAGEID, login name or bitbucket consumer key, by kind.
    public var username: String?
    public var tokenType: TokenType?
    public var passwordExpiryUTC: Int64?
    /// A login's HTTP authentication scheme (git's `authtype`, e.g. `Bearer`); its secret is then the
    /// pre-encoded credential git sends as `Authorization: AUTHTYPE SECRET`. Version 3.
    public var authtype: String?
    /// Private key, download token, password, token or consumer secret, by kind.
    public var secret: Secret
    public var oauthRefreshToken: Secret?
    /// Oldest first.
    public var history: [HistoryRecord] = []
    /// Version 4: removed members who could read the current secret, in the order they were removed.
    public var exposures: [Exposure] = []

    public init(name: String, kind: EntryKind, host: String, username: String?, secret: Secret, created: Int64) {
        self.name = name
        self.kind = kind
        self.host = host
        self.username = username
        self.secret = secret
        self.created = created
        self.updated = created
    }

    /// Enabled or disabled by the user (or by git reporting the credential working): any mark of a
    /// rejection by git is cleared.
    public mutating func setEnabled(_ enabled: Bool, at now: Int64) {
        self.enabled = enabled
        rejectedAt = nil
        rejectedHost = nil
        updated = now
    }

    /// Entry names: 1 to 128 bytes of `A-Z a-z 0-9 . _ - @ + : /`, starting with a letter or digit.
    public static func isValidName(_ name: String) -> Bool {
        utf8(of: name) { isValidName(bytes: $0) }
    }

    static func isValidName(bytes: UnsafeRawBufferPointer) -> Bool {
        guard let first = bytes.first, bytes.count <= VaultFormat.maxNameBytes, isAlnum(first) else { return false }
        for b in bytes where !(isAlnum(b) || isNamePunctuation(b)) { return false }
        return true
    }

    /// `. _ - @ + : /`
    private static func isNamePunctuation(_ b: UInt8) -> Bool {
        switch b {
        case 0x2E, 0x5F, 0x2D, 0x40, 0x2B, 0x3A, 0x2F: true
        default: false
        }
    }

    private static func isAlnum(_ b: UInt8) -> Bool {
        (0x30...0x39).contains(b) || (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b)
    }

    private static func utf8(of text: String, _ body: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        var text = text
        return text.withUTF8 { body(UnsafeRawBufferPointer($0)) }
    }

    /// The spec's rules for one entry built in memory: every field's rule (`EntryFields`), then which fields
    /// its kind has (`EntryShape`). The payload decoder checks the same rules on the bytes it reads. A value
    /// a writer sets also follows the writer's rules (v2 §7.3): every field of a new entry, and the fields a
    /// change gives a new value (`changedFrom`), so an entry written by an older Coffer stays changeable.
    public func validate(changedFrom old: Entry? = nil) throws(VaultError) {
        var present = TagSet(bits: 0)
        let mayBeEmpty = kind == .login ? EntryShape.emptyInLogins : TagSet(bits: 0)
        for field in EntryFields.entry {
            let strict = old.map { !field.same($0, self) } ?? true
            let problem = field.withValue(self) { value in
                guard let value else { return nil }
                present.bits |= 1 << UInt64(field.tag.rawValue)
                if value.isEmpty && mayBeEmpty.contains(field.tag) { return nil }
                return field.codec.problem(value, redacted: false, strict: strict)
            }
            if let problem { throw Entry.error(problem, field.tag, field.label, name: name, at: nil) }
        }
        for record in history {
            for field in EntryFields.history {
                if let problem = field.withValue(record, { value in
                    guard let value, !(value.isEmpty && mayBeEmpty.contains(field.tag)) else { return nil }
                    return field.codec.problem(value, redacted: false, strict: false)
                }) {
                    throw Entry.error(problem, field.tag, field.label, name: name, at: nil)
                }
            }
        }
        for exposure in exposures {
            for field in EntryFields.exposure {
                if let problem = field.withValue(exposure, { value in value.flatMap { field.codec.problem($0, redacted: false, strict: false) } }) {
                    throw Entry.error(problem, field.tag, field.label, name: name, at: nil)
                }
            }
        }
        try EntryShape(kind: kind, tokenType: tokenType, present: present).check(name: name)
    }

    /// The error for a field that breaks its rule; `at` places it in a payload ("entry 3").
    static func error(_ problem: FieldProblem, _ tag: VaultFormat.Tag, _ label: String, name: String, at: String?) -> VaultError {
        let place = at ?? "entry '\(name)'"
        switch problem {
        case .wrongSize: return .malformedPayload("\(place): field \(tag) has the wrong size")
        case .notUTF8: return .malformedPayload("\(place): field \(tag) is not UTF-8")
        case .notRedacted: return .malformedPayload("\(place): field \(tag) is not redacted")
        case .rule where tag == .name: return .invalidName(name)
        case .rule where tag == .host || tag == .rejectedHost: return .invalidEntry("\(name): \(label) must be a host name or [IPv6 address] with an optional :port (1-65535)")
        case .rule where tag == .protocol: return .invalidEntry("\(name): protocol must be a URL scheme such as https")
        case .timeRange: return .invalidEntry("\(name): the \(label) must be a time from 1970-01-01 to 9999-12-31")
        case .rule: return .invalidEntry("\(name): \(label) has control characters or is too long")
        case .empty: return .invalidEntry("\(name): \(label) must not be empty")
        case .secretLength: return .invalidEntry("\(name): the \(label) must be 1 to \(VaultFormat.maxSecretBytes) bytes")
        }
    }
}

/// Which fields an entry of each kind has (`Formats/vault-v2.md` §7), checked on the tags present, so the
/// payload decoder (on bytes) and a writer (on an `Entry`) share one rule.
struct EntryShape {
    let kind: EntryKind
    let tokenType: TokenType?
    let present: TagSet

    /// Fields only a login has (a bitmask: this runs for every entry of every vault opened).
    static let loginOnly = TagSet([.protocol, .path, .passwordExpiryUTC, .authtype, .oauthRefreshToken])
    /// Version 3: fields a login (and its history) may hold empty, as git gives them.
    static let emptyInLogins = TagSet([.username, .secret])
    /// Version 3 rules (a login's username optional); false for files of versions 1 and 2.
    var v3 = true
    /// Version 4 files: every entry has an id. Entries made in memory get theirs from the list.
    var requiresID = false

    func check(name: @autoclosure () -> String) throws(VaultError) {
        func bad(_ why: String) -> VaultError { .invalidEntry("\(name()): \(why)") }
        func has(_ tag: VaultFormat.Tag) -> Bool { present.contains(tag) }
        let hasLoginOnly = present.bits & EntryShape.loginOnly.bits != 0
        switch kind {
        case .keypair, .downloadToken:
            guard has(.username) else { throw bad("a \(kind.word) needs a \(kind == .keypair ? "public key" : "MAGEID")") }
            guard !hasLoginOnly && !has(.tokenType) else { throw bad("a \(kind.word) has only a host, a username and a secret") }
        case .login:
            guard has(.protocol) else { throw bad("a login needs a protocol") }
            // Version 3: git may store a credential (authtype) without one.
            guard has(.username) || v3 else { throw bad("a login needs a username") }
            guard !has(.tokenType) else { throw bad("a login has no token type") }
        case .token:
            guard let type = tokenType else { throw bad("a token needs a token type") }
            guard (type == .bitbucketOAuth) == has(.username) else {
                throw bad(type == .bitbucketOAuth ? "a bitbucket-oauth token needs a consumer key" : "a \(type.rawValue) token has no username")
            }
            guard !hasLoginOnly else { throw bad("a token has only a host, a type and a secret") }
        }
        guard has(.rejectedAt) == has(.rejectedHost) else { throw bad("rejected time and host go together") }
        guard has(.entryID) || !requiresID else { throw bad("an entry of version 4 has an id") }
    }
}

extension Entry {
    /// Every field equal (`EntryFields`), secrets compared in constant time.
    public func hasSameContent(as other: Entry) -> Bool {
        guard EntryFields.entry.allSatisfy({ $0.same(self, other) }), history.count == other.history.count, exposures == other.exposures else { return false }
        return zip(history, other.history).allSatisfy { a, b in EntryFields.history.allSatisfy { $0.same(a, b) } }
    }
}
