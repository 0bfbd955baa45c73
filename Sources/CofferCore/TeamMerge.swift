import CofferSodium

/// The three-way merge of a team vault (v2 §12): git's merge driver gives the common ancestor (base), the
/// local version (ours) and the other branch's (theirs), each opened with the merging member's identity.
/// Entries are paired by id, slots by member key (or slot id), and the result is re-keyed by the merger,
/// so that no member removed on either side opens it.
public enum TeamMerge {
    public struct Result {
        public var vault: Vault
        /// What the merge decided that a person should know, one sentence each.
        public var notes: [String]
    }

    public static func merge(base: Vault?, ours: Vault, theirs: Vault, now: Int64) throws(VaultError) -> Result {
        guard ours.id == theirs.id, base.map({ $0.id == ours.id }) ?? true else {
            throw .mergeConflict("the two sides are different vaults (their ids differ)")
        }
        var notes: [String] = []
        let (removed, added, removedMembers) = try slots(base: base, ours: ours, theirs: theirs, notes: &notes)
        if theirs.keyEpoch < ours.keyEpoch {
            notes.append("the other side is under an older vault key (\(theirs.keyEpoch) < \(ours.keyEpoch)): anyone who held that key, a member removed since too, could have written its changes; check them")
        }
        var entries = try entries(base: base, ours: ours, theirs: theirs, now: now, notes: &notes)
        // A member removed on one side could read what the other side wrote: every entry whose secret
        // did not change since on the removing side is exposed to them (v2 §12, rule 4).
        for (member, side, _) in removedMembers {
            // Each side's entries decoded once (`entries` decodes every entry at each use).
            let sideEntries = side.entries
            let since = sideEntries.lazy.flatMap(\.exposures).first { $0.member == member }?.since ?? now
            let rotated = byID(sideEntries.filter { e in !e.exposures.contains { $0.member == member } })
            for i in entries.indices where !entries[i].exposures.contains(where: { $0.member == member }) {
                if let id = entries[i].id, let s = rotated[id], s.secret.constantTimeEquals(entries[i].secret) { continue }
                entries[i].exposures.append(Exposure(member: member, since: since))
            }
        }
        var result = ours
        try result.merged(entries: entries, removed: removed, added: added, generation: Swift.max(ours.generation, theirs.generation),
                          epoch: Swift.max(ours.keyEpoch, theirs.keyEpoch))
        return Result(vault: result, notes: notes)
    }

    /// Which of ours' slots go (removed on theirs' side), which of theirs' come (added on their side), and
    /// each member removed on either side with the side that removed them.
    private static func slots(base: Vault?, ours: Vault, theirs: Vault, notes: inout [String]) throws(VaultError)
        -> (removed: Set<UInt32>, added: [(Slot, SlotInfo)], members: [(String, Vault, here: Bool)]) {
        func key(_ s: Slot) -> [UInt8] { s.memberKey ?? s.recipient?.publicKey ?? [s.type] + withUnsafeBytes(of: s.id) { Array($0) } }
        let oursKeys = Set(ours.slots.map(key)), theirsKeys = Set(theirs.slots.map(key))
        guard let base else {
            guard oursKeys == theirsKeys else {
                throw .mergeConflict("the slots differ and the common version cannot be opened with your identity, so additions cannot be told from removals")
            }
            return ([], [], [])
        }
        let baseKeys = Set(base.slots.map(key))
        let removed = Set(ours.slots.filter { baseKeys.contains(key($0)) && !theirsKeys.contains(key($0)) }.map(\.id))
        var added: [(Slot, SlotInfo)] = []
        for slot in theirs.slots where !baseKeys.contains(key(slot)) && !oursKeys.contains(key(slot)) {
            // A slot without an info is of a type this version does not know, which a re-key cannot keep.
            guard let pair = theirs.slotWithInfo(slot.id), slot.isKnown else {
                throw .mergeConflict("the other side added slot \(slot.id) of a type this version cannot re-key")
            }
            added.append(pair)
        }
        // Slots the other side added under an older vault key than this side's: whoever lost access since
        // (every removal re-keys) held that key and could have added them, whatever the base says. So could
        // a member removed here since the base. The team decides, not the merge.
        let removedHere = base.members.contains { m in !ours.members.contains { $0.publicKey == m.publicKey } }
        if removedHere || theirs.keyEpoch < ours.keyEpoch, let newcomer = added.first {
            let what = newcomer.0.isMember ? "member '\(newcomer.1.label)'" : "slot '\(newcomer.1.label.isEmpty ? String(newcomer.0.id) : newcomer.1.label)'"
            throw .mergeConflict("the other side added \(what) under an older vault key, or while a member was removed here: merge the other way round (from the newer branch), or remove that slot there first and add it again once merged")
        }
        // Member names stay unique: the same name given to two keys on the two sides cannot be merged.
        let names = ours.members.filter { !removed.contains($0.slotID) }.map(\.name) + added.filter { $0.0.isMember }.map(\.1.label)
        if let clash = Dictionary(grouping: names, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
            throw .mergeConflict("both sides added a member named '\(clash)' with different keys")
        }
        var members: [(String, Vault, here: Bool)] = []
        for m in base.members {
            if !ours.members.contains(where: { $0.publicKey == m.publicKey }) { members.append((m.name, ours, true)) }
            if !theirs.members.contains(where: { $0.publicKey == m.publicKey }) { members.append((m.name, theirs, false)) }
        }
        for (name, _, here) in members { notes.append("member '\(name)' was removed \(here ? "here" : "on the other side"): the merge is re-keyed without them") }
        for (_, info) in added where !info.label.isEmpty { notes.append("slot '\(info.label)' was added on the other side") }
        return (removed, added, members)
    }

    /// Entries paired by id: a change on one side is taken; the same entry changed on both sides keeps
    /// both secrets (the newer as current, the other in its history); one side's removal of an entry the
    /// other changed keeps the change.
    private static func entries(base: Vault?, ours: Vault, theirs: Vault, now: Int64, notes: inout [String]) throws(VaultError) -> [Entry] {
        let oursEntries = ours.entries, theirsEntries = theirs.entries
        let baseByID = byID(base?.entries ?? []), oursByID = byID(oursEntries), theirsByID = byID(theirsEntries)
        var out: [Entry] = []
        func same(_ a: Entry?, _ b: Entry?) -> Bool {
            switch (a, b) {
            case (nil, nil): true
            case let (x?, y?): x.name == y.name && x.hasSameContent(as: y)
            default: false
            }
        }
        let order = oursEntries.compactMap(\.id) + theirsEntries.compactMap(\.id).filter { oursByID[$0] == nil }
        for id in order {
            let b = baseByID[id], o = oursByID[id], t = theirsByID[id]
            if same(o, t) { if let o { out.append(o) }; continue }
            if same(o, b) { if let t { out.append(t) }; continue }
            if same(t, b) { if let o { out.append(o) }; continue }
            switch (o, t) {
            case let (o?, nil):
                out.append(o)
                // Without a base, an entry one side has is only an addition.
                if b != nil { notes.append("'\(o.name)' was removed on the other side and changed here: kept") }
            case let (nil, t?):
                out.append(t)
                if b != nil { notes.append("'\(t.name)' was removed here and changed on the other side: kept") }
            case let (o?, t?):
                out.append(mergeEntry(base: b, ours: o, theirs: t, now: now, notes: &notes))
            case (nil, nil):
                break
            }
        }
        // Two entries given one name on the two sides: the other side's is renamed, nothing is lost.
        var names = Set<String>()
        for i in out.indices {
            var name = out[i].name
            var n = 2
            while names.contains(name) {
                name = "\(out[i].name)+\(n)"
                n += 1
            }
            if name != out[i].name {
                notes.append("two entries were named '\(out[i].name)': one is now '\(name)'")
                out[i].name = name
            }
            names.insert(name)
        }
        return out
    }
}

extension TeamMerge {
    /// One entry changed on both sides, merged field by field, each field taken from the side that changed
    /// it since the base (both changed it alike: that value; differently: ours, and said — except the state,
    /// where a disable wins). The secret, with its username and history, is one part: changed on one side,
    /// that side's; on both, the newer is current and the other's secret and history records go into the
    /// history. The exposure records follow the secret (v2 §12 rule 4). Without a base, every field counts
    /// as changed on both sides.
    static func mergeEntry(base b: Entry?, ours o: Entry, theirs t: Entry, now: Int64, notes: inout [String]) -> Entry {
        var r = o
        var conflicts: [String] = []
        func part(_ label: String, _ same: (Entry, Entry) -> Bool, _ copy: (inout Entry, Entry) -> Void, onConflict: ((inout Entry) -> Void)? = nil) {
            if let b, same(o, b) { return copy(&r, t) }
            if let b, same(t, b) { return copy(&r, o) }
            if same(o, t) { return copy(&r, o) }
            copy(&r, o)
            if let onConflict { onConflict(&r) } else { conflicts.append(label) }
        }
        part("name", { $0.name == $1.name }, { $0.name = $1.name })
        part("state", { $0.enabled == $1.enabled && $0.rejectedAt == $1.rejectedAt && $0.rejectedHost == $1.rejectedHost },
             { $0.enabled = $1.enabled; $0.rejectedAt = $1.rejectedAt; $0.rejectedHost = $1.rejectedHost },
             onConflict: { e in if !o.enabled || !t.enabled { e.enabled = false } })
        part("note", { $0.note == $1.note }, { $0.note = $1.note })
        part("origin", { $0.origin == $1.origin }, { $0.origin = $1.origin })
        part("protocol", { $0.protocol == $1.protocol }, { $0.protocol = $1.protocol })
        part("host", { $0.host == $1.host }, { $0.host = $1.host })
        part("path", { $0.path == $1.path }, { $0.path = $1.path })
        part("authtype", { $0.authtype == $1.authtype }, { $0.authtype = $1.authtype })
        part("password expiry", { $0.passwordExpiryUTC == $1.passwordExpiryUTC }, { $0.passwordExpiryUTC = $1.passwordExpiryUTC })
        part("refresh token", { sameSecret($0.oauthRefreshToken, $1.oauthRefreshToken) }, { $0.oauthRefreshToken = $1.oauthRefreshToken })
        if !conflicts.isEmpty { notes.append("'\(r.name)': \(conflicts.joined(separator: ", ")) changed on both sides: kept this side's") }

        func sameCredential(_ x: Entry, _ y: Entry) -> Bool { x.secret.constantTimeEquals(y.secret) && x.username == y.username }
        let oursChanged = b.map { !sameCredential(o, $0) } ?? true, theirsChanged = b.map { !sameCredential(t, $0) } ?? true
        func take(_ c: Entry) {
            r.secret = c.secret
            r.username = c.username
            r.history = c.history
        }
        /// Marks the other side added since the base (a removal there), for the secret that is current.
        func added(_ x: Entry) -> [Exposure] { x.exposures.filter { !(b?.exposures ?? []).contains($0) } }
        func union(_ a: [Exposure], _ c: [Exposure]) -> [Exposure] { a + c.filter { !a.contains($0) } }
        if !oursChanged {
            take(t)
            r.exposures = union(t.exposures, added(o))
        } else if !theirsChanged {
            take(o)
            r.exposures = union(o.exposures, added(t))
        } else {
            let (winner, loser) = sameCredential(o, t) || o.updated >= t.updated ? (o, t) : (t, o)
            take(winner)
            // Every secret either side had stays recoverable: the other's history, then its current secret.
            var old = loser.history
            if !sameCredential(o, t) {
                old.append(HistoryRecord(created: loser.updated, retired: now, username: loser.username == winner.username ? nil : loser.username, secret: loser.secret))
            }
            for record in old where !r.secret.constantTimeEquals(record.secret) && !r.history.contains(where: { $0.secret.constantTimeEquals(record.secret) }) {
                r.history.append(record)
            }
            r.exposures = union(o.exposures, t.exposures)
            if !sameCredential(o, t) { notes.append("'\(r.name)' got a new secret on both sides: kept the newer as current and the other in its history") }
        }
        r.updated = Swift.max(o.updated, t.updated)
        return r
    }

    /// Both absent, or the same bytes.
    private static func sameSecret(_ x: Secret?, _ y: Secret?) -> Bool {
        switch (x, y) {
        case (nil, nil): true
        case let (a?, c?): a.constantTimeEquals(c)
        default: false
        }
    }
}

/// Entries by id (ids are unique in a vault, v2 §11.4).
private func byID(_ entries: [Entry]) -> [EntryID: Entry] {
    Dictionary(entries.compactMap { e in e.id.map { ($0, e) } }, uniquingKeysWith: { a, _ in a })
}
