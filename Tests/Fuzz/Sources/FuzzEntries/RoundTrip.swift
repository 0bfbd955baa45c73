import CofferCore

/// Whether `entries` encode as a payload that decodes, every entry checked, to the same entries: the
/// oracle of the payload and importer targets.
public func readsBackTheSame(_ entries: [Entry]) -> Bool {
    guard let payload = try? EntryList.encode(entries), var again = try? EntryList(decoding: payload) else { return false }
    again.decodeAll()
    return again.entries.count == entries.count && zip(again.entries, entries).allSatisfy { $0.hasSameContent(as: $1) }
}
