@testable import CofferCore
import CofferSodium
import Foundation
import XCTest

/// Team vaults (vault-v2.md §11): member slots opened by identity, additions, removal that re-keys and marks
/// exposure, and what a removed member and an outsider can and cannot do.
final class TeamTests: XCTestCase {
    let t: Int64 = 1_800_000_000

    func login(_ name: String) throws -> Entry {
        var e = Entry(name: name, kind: .login, host: "git.example.com", username: "u", secret: try Secret(copying: "s3cret-\(name)"), created: t)
        e.protocol = "https"
        return e
    }

    /// alice (creator), bob and carol; two entries.
    func team() throws -> (Vault, alice: Identity, bob: Identity, carol: Identity) {
        let alice = try Identity.generate(now: t), bob = try Identity.generate(now: t), carol = try Identity.generate(now: t)
        var vault = try Vault.createTeam(identity: alice, name: "alice", now: t)
        try vault.addMember(name: "bob", publicKey: bob.publicKey, now: t + 1)
        try vault.addMember(name: "carol", publicKey: carol.publicKey, now: t + 2)
        try vault.add(try login("client-a"))
        try vault.add(try login("client-b"))
        return (vault, alice, bob, carol)
    }

    func testEveryMemberOpensWithTheirIdentityAndSeesWhoAddedWhom() throws {
        var (vault, alice, bob, carol) = try team()
        let bytes = try vault.seal()
        for (who, identity) in [("alice", alice), ("bob", bob), ("carol", carol)] {
            let opened = try Vault.open(bytes, with: .identity(identity))
            XCTAssertEqual(opened.entries.map(\.name), ["client-a", "client-b"], who)
            XCTAssertEqual(opened.openedSealer, alice.publicKey, "\(who): alice sealed every slot")
        }
        let members = try Vault.open(bytes, with: .identity(bob)).members
        XCTAssertEqual(members.map(\.name), ["alice", "bob", "carol"])
        XCTAssertEqual(members.map(\.addedBy), ["alice", "alice", "alice"])
        XCTAssertEqual(members.map(\.added), [t, t + 1, t + 2])
        XCTAssertEqual(members[1].publicKey, bob.publicKey)
        // Bob adds dave: dave's slot is sealed by bob, the others unchanged.
        var asBob = try Vault.open(bytes, with: .identity(bob))
        let dave = try Identity.generate()
        try asBob.addMember(name: "dave", publicKey: dave.publicKey, now: t + 3)
        let withDave = try asBob.seal()
        let opened = try Vault.open(withDave, with: .identity(dave))
        XCTAssertEqual(opened.openedSealer, bob.publicKey)
        XCTAssertEqual(opened.members.last?.addedBy, "bob")
        XCTAssertThrowsError(try asBob.addMember(name: "dave", publicKey: try Identity.generate().publicKey)) {
            XCTAssertEqual($0 as? VaultError, .invalidSlot("a member named 'dave' already exists"))
        }
        XCTAssertThrowsError(try asBob.addMember(name: "eve", publicKey: dave.publicKey)) {
            XCTAssertEqual($0 as? VaultError, .invalidSlot("that key is already member 'dave'"))
        }
        XCTAssertThrowsError(try Vault.open(withDave, with: .identity(try Identity.generate()))) { XCTAssertEqual($0 as? VaultError, .notAMember) }
    }

    /// The test: carol's key taken out through CofferCore's API (her identity, and everything she
    /// could read from every copy she had) opens nothing written after her removal.
    func testARemovedMemberOpensNoLaterGeneration() throws {
        var (vault, alice, bob, carol) = try team()
        var generations = [try vault.seal()]
        var asBob = try Vault.open(generations[0], with: .identity(bob))
        try asBob.update("client-a") { $0.note = "changed by bob" }
        generations.append(try asBob.seal())
        // Everything carol holds: her identity's secret key, and from each copy the vault key, its subkeys,
        // the auth keys of every slot info, and the tag key she shares with each member's sealer.
        var stolen: [SecureBytes] = [carol.secretKey]
        for copy in generations {
            stolen += try RekeyTests.attackerKeys(copy, .identity(carol))
            let file = try VaultFile(parsing: copy)
            for slot in file.slots {
                guard case .member(let sealer, _, let r) = slot.body else { continue }
                stolen.append(try SlotKeys.memberAuthKey(carol, other: r.publicKey == carol.publicKey ? sealer : r.publicKey, sealer: sealer, member: r.publicKey))
            }
        }
        try asBob.removeMember(named: "carol", now: t + 100)
        let after = try asBob.seal()
        XCTAssertThrowsError(try Vault.open(after, with: .identity(carol))) { XCTAssertEqual($0 as? VaultError, .notAMember) }
        try RekeyTests.assertNothingOpens(after, with: stolen, "after removing carol")
        // The remaining members open it, sealed again by bob; every entry is marked exposed to carol.
        for identity in [alice, bob] {
            let opened = try Vault.open(after, with: .identity(identity))
            XCTAssertEqual(opened.openedSealer, bob.publicKey)
            XCTAssertEqual(opened.members.map(\.name), ["alice", "bob"])
            XCTAssertEqual(opened.entries.map(\.exposures), [[Exposure(member: "carol", since: t + 100)], [Exposure(member: "carol", since: t + 100)]])
        }
        // Rotating clears the mark; accepting the exposure does too, and nothing else clears it.
        var asAlice = try Vault.open(after, with: .identity(alice))
        _ = try asAlice.list.apply(.rotate("client-a", secret: try Secret(copying: "new"), username: nil, purgeHistory: false), now: t + 200)
        _ = try asAlice.list.apply(.edit("client-b", { var e = EntryEdit(); e.note = .set("kept"); return e }()), now: t + 200)
        XCTAssertEqual(asAlice.entries.map(\.exposures.count), [0, 1])
        _ = try asAlice.list.apply(.setEnabled("client-b", true, acceptExposure: true), now: t + 300)
        XCTAssertEqual(asAlice.entries.map(\.exposures.count), [0, 0])
        let cleared = try asAlice.seal()
        XCTAssertEqual(try Vault.open(cleared, with: .identity(bob)).entries.map(\.exposures.count), [0, 0])
    }

    /// Re-keying a team vault needs a member's identity; removing yourself is left to another member.
    func testRekeyingNeedsAnIdentity() throws {
        var (vault, _, bob, _) = try team()
        let ci = try KeyFile.generate()
        try vault.addKeyFileSlot(ci, label: "ci")
        let bytes = try vault.seal()
        var asCI = try Vault.open(bytes, with: .keyFile(ci))
        XCTAssertEqual(asCI.entries.count, 2)
        XCTAssertThrowsError(try asCI.removeMember(named: "carol")) {
            XCTAssertEqual($0 as? VaultError, .cannotRekey(0, "a member slot takes a new vault key only from a member's identity; unlock with one"))
        }
        XCTAssertThrowsError(try asCI.addMember(name: "eve", publicKey: try Identity.generate().publicKey))
        XCTAssertEqual(try asCI.seal().count, bytes.count, "refusals change nothing")
        var asBob = try Vault.open(bytes, with: .identity(bob))
        XCTAssertThrowsError(try asBob.removeMember(named: "bob")) {
            XCTAssertEqual($0 as? VaultError, .invalidSlot("you cannot remove your own member slot while other members remain: another member removes you"))
        }
        // The CI host's key-file slot removed by a member: the vault re-keys, the key file opens nothing more.
        let ciSlot = try XCTUnwrap(asBob.slotSummaries.first { $0.label == "ci" }).id
        try asBob.removeSlot(id: ciSlot)
        XCTAssertThrowsError(try Vault.open(try asBob.seal(), with: .keyFile(ci)))
    }

    /// An outsider with push access cannot add themselves to a vault: they lack the vault key, so any slot
    /// they add breaks the header MAC. They can make a whole new vault for the members' public keys, which
    /// opens — sealed by them, which is why a member remembers whom it trusts (§11.5).
    func testAnOutsiderCannotJoinAndAForgeryNamesItsSealer() throws {
        var (vault, alice, _, _) = try team()
        let bytes = try vault.seal()
        let outsider = try Identity.generate()
        var file = try VaultFile(parsing: bytes)
        let sealed = try SealedBox.seal(try SecureBytes.random(count: 32), to: outsider.publicKey)
        let r = Slot.Recipient(publicKey: outsider.publicKey, sealedKey: sealed, tag: [UInt8](repeating: 0, count: 32))
        file.slots.append(Slot(id: file.nextSlotID, body: .member(sealer: outsider.publicKey, epoch: 1, r), sealedInfo: [UInt8](repeating: 0, count: VaultFormat.memberInfoSealedBytes)))
        file.nextSlotID += 1
        let header = VaultFile.encodeHeader(vaultID: file.vaultID, generation: file.generation + 1, nextSlotID: file.nextSlotID, slots: file.slots, infos: file.slots.map { $0.sealedInfo ?? [] })
        let tampered = header + file.headerMAC + file.payloadNonce + Array(file.payloadBox)
        XCTAssertThrowsError(try Vault.open(tampered, with: .identity(alice))) { XCTAssertEqual($0 as? VaultError, .headerTampered) }
        XCTAssertThrowsError(try Vault.open(tampered, with: .identity(outsider))) { XCTAssertEqual($0 as? VaultError, .headerTampered) }

        var forged = try Vault.createTeam(identity: outsider, name: "mallory")
        try forged.addMember(name: "alice", publicKey: alice.publicKey)
        let opened = try Vault.open(try forged.seal(), with: .identity(alice))
        XCTAssertEqual(opened.openedSealer, outsider.publicKey)
        XCTAssertNotEqual(opened.id, try Vault.open(bytes, with: .identity(alice)).id)
    }

    /// Entry ids: made once, kept through every change and write, unique; an upgraded vault's entries get them.
    func testEntryIDsAreStable() throws {
        var (vault, alice, _, _) = try team()
        let ids = vault.entries.map(\.id)
        XCTAssertEqual(Set(ids.compactMap { $0 }).count, 2)
        var reopened = try Vault.open(try vault.seal(), with: .identity(alice))
        XCTAssertEqual(reopened.entries.map(\.id), ids)
        _ = try reopened.list.apply(.rename("client-a", to: "client-z"), now: t)
        _ = try reopened.list.apply(.rotate("client-b", secret: try Secret(copying: "x"), username: nil, purgeHistory: false), now: t)
        XCTAssertEqual(try Vault.open(try reopened.seal(), with: .identity(alice)).entries.map(\.id), ids)
        // The identity travels in its owner's own vault's payload.
        var own = try Vault.create(passphrase: try SecureBytes(copyingUTF8: "own"), kdf: KDFParameters(level: .interactive))
        own.list.identity = alice
        let ownBytes = try own.seal()
        let back = try XCTUnwrap(try Vault.open(ownBytes, with: .passphrase(try SecureBytes(copyingUTF8: "own"))).list.identity)
        XCTAssertEqual(back.publicKey, alice.publicKey)
        XCTAssertEqual(back.created, alice.created)
        XCTAssertEqual(Identity.publicKey(parsing: alice.publicKeyLine), alice.publicKey)
        XCTAssertNil(Identity.publicKey(parsing: alice.publicKeyLine.uppercased()))
        XCTAssertNil(Identity.publicKey(parsing: String(alice.publicKeyLine.dropLast())))
    }

    // MARK: What a member remembers (v2 §11.6)

    /// The three refusals of a pin — another vault, an older generation, a sealer who was not a member —
    /// and how it moves on with the vault.
    func testAPinRefusesAnotherVaultARollbackAndASealerWhoWasNoMember() throws {
        var (vault, alice, bob, carol) = try team()
        let first = try vault.seal()
        var asBob = try Vault.open(first, with: .identity(bob))
        var pin = try TeamPin(name: "acme", path: "/t/acme.coffer", vault: asBob, now: t)
        XCTAssertEqual(pin.members.map(\.name), ["alice", "bob", "carol"])
        // Alice removes carol; bob sees it and remembers the smaller team.
        var asAlice = try Vault.open(first, with: .identity(alice))
        try asAlice.removeMember(named: "carol", now: t + 10)
        let second = try asAlice.seal()
        asBob = try Vault.open(second, with: .identity(bob))
        pin = try pin.check(asBob, own: bob.publicKey)
        XCTAssertEqual(pin.generation, asBob.generation)
        XCTAssertEqual(pin.members.map(\.name), ["alice", "bob"])
        let accept = "; if the team confirms it, 'coffer team add /t/acme.coffer --accept' trusts it as it is"
        // A rollback to the first generation.
        XCTAssertThrowsError(try pin.check(try Vault.open(first, with: .identity(bob)), own: bob.publicKey)) {
            XCTAssertEqual($0 as? VaultError, .teamRefused("acme", "/t/acme.coffer is generation 1, older than generation 2 seen before: a rollback, or an old checkout" + accept))
        }
        // Carol replays her old copy under the old key, bob's slot untouched (still sealed by alice), with a
        // generation above anything seen: refused by the key's epoch, which she cannot raise in bob's slot.
        var replay = try Vault.open(first, with: .identity(carol))
        for _ in 0..<5 { _ = try replay.seal() }
        let replayed = try Vault.open(try replay.seal(), with: .identity(bob))
        XCTAssertEqual(replayed.openedSealer, alice.publicKey)
        XCTAssertGreaterThan(replayed.generation, pin.generation)
        XCTAssertThrowsError(try pin.check(replayed, own: bob.publicKey)) {
            XCTAssertEqual($0 as? VaultError, .teamRefused("acme", "/t/acme.coffer is under vault key 1, older than key 2 seen before: a rollback of its key, by someone who kept an old one" + accept))
        }
        // Or she re-keys her copy, sealing for everyone: a new key of the same epoch, and then of a higher
        // one, each refused (another key for the epoch seen; a sealer who was no member).
        var forged = try Vault.open(first, with: .identity(carol))
        try forged.rekey()
        XCTAssertThrowsError(try pin.check(try Vault.open(try forged.seal(), with: .identity(bob)), own: bob.publicKey)) {
            XCTAssertEqual($0 as? VaultError, .teamRefused("acme", "/t/acme.coffer is under another vault key than the one seen before for key 2: made by someone who kept an old key, or re-keyed on two branches at once" + accept))
        }
        try forged.rekey()
        let forgery = try Vault.open(try forged.seal(), with: .identity(bob))
        XCTAssertEqual(forgery.openedSealer, carol.publicKey)
        XCTAssertThrowsError(try pin.check(forgery, own: bob.publicKey)) {
            XCTAssertEqual($0 as? VaultError, .teamRefused("acme", "/t/acme.coffer was sealed for you by carol (\(Identity.fingerprint(carol.publicKey))), who was not a member at generation 2" + accept))
        }
        // As the other side of a merge, the replay is older than any common version after the removal.
        XCTAssertThrowsError(try pin.checkOtherSide(replayed, base: asBob, ours: asBob, own: bob.publicKey)) {
            XCTAssertEqual($0 as? VaultError, .teamRefused("acme", "the other side is under vault key 1, older than key 2 of the common version: a replay of an old key"))
        }
        // And without a base (git's add/add), against what was seen.
        XCTAssertThrowsError(try pin.checkOtherSide(replayed, base: nil, ours: asBob, own: bob.publicKey)) {
            XCTAssertEqual($0 as? VaultError, .teamRefused("acme", "the other side is under vault key 1, older than key 2 of the one seen before: a replay of an old key"))
        }
        // A key epoch that climbed faster than the writes is no chain of re-keys.
        var jumped = try Vault.open(second, with: .identity(alice))
        for _ in 0..<3 { try jumped.rekey() }
        XCTAssertThrowsError(try pin.check(try Vault.open(try jumped.seal(), with: .identity(bob)), own: bob.publicKey)) {
            XCTAssertEqual($0 as? VaultError, .teamRefused("acme", "/t/acme.coffer claims vault key 5 only 1 writes after key 2" + accept))
        }
        // Another vault at the path.
        var other = try Vault.createTeam(identity: alice, name: "alice")
        try other.addMember(name: "bob", publicKey: bob.publicKey)
        XCTAssertThrowsError(try pin.check(try Vault.open(try other.seal(), with: .identity(bob)), own: bob.publicKey)) { error in
            guard case .teamRefused(_, let why)? = error as? VaultError else { return XCTFail("\(error)") }
            XCTAssertTrue(why.contains("holds another vault"), why)
        }
        // The pin survives its owner's vault: written and read back.
        var own = try Vault.create(passphrase: try SecureBytes(copyingUTF8: "own"), kdf: KDFParameters(level: .interactive))
        own.list.teams = [pin]
        let back = try Vault.open(try own.seal(), with: .passphrase(try SecureBytes(copyingUTF8: "own"))).list.teams
        XCTAssertEqual(back, [pin])
    }

    // MARK: Merging (v2 §12)

    /// base → ours and theirs, each opened by the member who changes it.
    func sides(_ change: (inout Vault, inout Vault) throws -> Void) throws -> (base: Vault, ours: Vault, theirs: Vault, alice: Identity, bob: Identity, carol: Identity) {
        var (vault, alice, bob, carol) = try team()
        let bytes = try vault.seal()
        var ours = try Vault.open(bytes, with: .identity(alice)), theirs = try Vault.open(bytes, with: .identity(bob))
        try change(&ours, &theirs)
        // Written and read back, as git hands the driver files.
        let o = try Vault.open(try ours.seal(), with: .identity(alice)), th = try Vault.open(try theirs.seal(), with: .identity(alice))
        return (try Vault.open(bytes, with: .identity(alice)), o, th, alice, bob, carol)
    }

    func testAMergeTakesEachSidesChangeAndKeepsBothSecretsOfAConflict() throws {
        let s = try sides { ours, theirs in
            _ = try ours.list.apply(.rotate("client-a", secret: try Secret(copying: "ours-secret"), username: nil, purgeHistory: false), now: t + 10)
            _ = try theirs.list.apply(.rotate("client-a", secret: try Secret(copying: "theirs-secret"), username: nil, purgeHistory: false), now: t + 20)
            _ = try theirs.list.apply(.edit("client-b", { var e = EntryEdit(); e.note = .set("by bob"); return e }()), now: t + 20)
            try ours.add(try self.login("client-c"))
            try theirs.add(try self.login("client-c"))
        }
        var result = try TeamMerge.merge(base: s.base, ours: s.ours, theirs: s.theirs, now: t + 30)
        let merged = try Vault.open(try result.vault.seal(), with: .identity(s.carol))
        XCTAssertEqual(merged.entries.map(\.name), ["client-a", "client-b", "client-c", "client-c+2"])
        let a = try XCTUnwrap(merged.entry(named: "client-a"))
        XCTAssertEqual(a.secret.revealed(), "theirs-secret", "the newer rotation is current")
        XCTAssertEqual(a.history.map { $0.secret.revealed() }, ["s3cret-client-a", "ours-secret"], "the other is kept in the history")
        XCTAssertEqual(merged.entry(named: "client-b")?.note, "by bob")
        XCTAssertEqual(merged.generation, Swift.max(s.ours.generation, s.theirs.generation) + 1)
        XCTAssertEqual(result.notes, ["'client-a' got a new secret on both sides: kept the newer as current and the other in its history",
                                      "two entries were named 'client-c': one is now 'client-c+2'"])
        XCTAssertEqual(merged.openedSealer, s.alice.publicKey, "the merger sealed every slot")
    }

    func testAMergeKeepsAChangeTheOtherSideRemovedAndTakesARemoval() throws {
        let s = try sides { ours, theirs in
            try ours.remove("client-a")
            _ = try theirs.list.apply(.edit("client-a", { var e = EntryEdit(); e.note = .set("kept"); return e }()), now: t + 5)
            try theirs.remove("client-b")
        }
        let result = try TeamMerge.merge(base: s.base, ours: s.ours, theirs: s.theirs, now: t + 30)
        XCTAssertEqual(result.vault.entries.map(\.name), ["client-a"])
        XCTAssertEqual(result.vault.entries.first?.note, "kept")
        XCTAssertEqual(result.notes, ["'client-a' was removed here and changed on the other side: kept"])
    }

    /// Members added on both sides both join; a member removed on one side opens nothing merged, and what the
    /// other side wrote is marked exposed to them.
    func testAMergeOfMembershipReKeysWithoutAnyoneRemoved() throws {
        let dave = try Identity.generate(), erin = try Identity.generate()
        let s = try sides { ours, theirs in
            try ours.addMember(name: "dave", publicKey: dave.publicKey, now: t + 1)
            try ours.add(try self.login("client-new"))
            try theirs.addMember(name: "erin", publicKey: erin.publicKey, now: t + 1)
            try theirs.removeMember(named: "carol", now: t + 2)
        }
        var result = try TeamMerge.merge(base: s.base, ours: s.ours, theirs: s.theirs, now: t + 30)
        let bytes = try result.vault.seal()
        XCTAssertEqual(try Vault.open(bytes, with: .identity(s.alice)).members.map(\.name), ["alice", "bob", "dave", "erin"])
        for who in [s.alice, s.bob, dave, erin] { XCTAssertNoThrow(try Vault.open(bytes, with: .identity(who))) }
        XCTAssertThrowsError(try Vault.open(bytes, with: .identity(s.carol))) { XCTAssertEqual($0 as? VaultError, .notAMember) }
        // Carol held ours' vault key (she was still a member there): it opens nothing merged.
        try RekeyTests.assertNothingOpens(bytes, with: try RekeyTests.attackerKeys(try s.ours.sealedCopy(), .identity(s.carol)), "after the merge")
        let opened = try Vault.open(bytes, with: .identity(s.bob))
        XCTAssertEqual(opened.entries.map { $0.exposures.map(\.member) }, [["carol"], ["carol"], ["carol"]])
        XCTAssertEqual(Set(opened.slots.map(\.id)).count, opened.slots.count, "slot ids stay unique")
    }

    /// A member removed here held the common version's key: members the other side added since could be
    /// theirs. The merge leaves that to the team.
    func testMembersAddedAgainstARemovalFailTheMerge() throws {
        let s = try sides { ours, theirs in
            try ours.removeMember(named: "carol", now: t + 1)
            try theirs.addMember(name: "carol-2", publicKey: try Identity.generate().publicKey)
        }
        XCTAssertThrowsError(try TeamMerge.merge(base: s.base, ours: s.ours, theirs: s.theirs, now: t)) {
            XCTAssertEqual($0 as? VaultError, .mergeConflict(TeamTests.olderKeyConflict("member 'carol-2'")))
        }
        // Any slot, added under an older key than this side's (here re-keyed without a removal).
        let k = try sides { ours, theirs in
            try ours.rekey()
            try theirs.addKeyFileSlot(try KeyFile.generate(), label: "ci")
        }
        XCTAssertThrowsError(try TeamMerge.merge(base: k.base, ours: k.ours, theirs: k.theirs, now: t)) {
            XCTAssertEqual($0 as? VaultError, .mergeConflict(TeamTests.olderKeyConflict("slot 'ci'")))
        }
        // The other way round, from the newer branch, it merges.
        XCTAssertNoThrow(try TeamMerge.merge(base: k.base, ours: k.theirs, theirs: k.ours, now: t))
    }

    static func olderKeyConflict(_ what: String) -> String {
        "the other side added \(what) under an older vault key, or while a member was removed here: merge the other way round (from the newer branch), or remove that slot there first and add it again once merged"
    }

    func testAMembershipConflictFailsTheMerge() throws {
        let s = try sides { ours, theirs in
            try ours.addMember(name: "dave", publicKey: try Identity.generate().publicKey)
            try theirs.addMember(name: "dave", publicKey: try Identity.generate().publicKey)
        }
        XCTAssertThrowsError(try TeamMerge.merge(base: s.base, ours: s.ours, theirs: s.theirs, now: t)) {
            XCTAssertEqual($0 as? VaultError, .mergeConflict("both sides added a member named 'dave' with different keys"))
        }
        XCTAssertThrowsError(try TeamMerge.merge(base: nil, ours: s.ours, theirs: s.theirs, now: t)) {
            XCTAssertEqual($0 as? VaultError, .mergeConflict("the slots differ and the common version cannot be opened with your identity, so additions cannot be told from removals"))
        }
    }
}

extension Vault {
    /// The file this vault writes now, without changing it.
    func sealedCopy() throws -> [UInt8] {
        var copy = self
        return try copy.seal()
    }
}
