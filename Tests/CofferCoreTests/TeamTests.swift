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
                guard case .member(let sealer, let r) = slot.body else { continue }
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
        file.slots.append(Slot(id: file.nextSlotID, body: .member(sealer: outsider.publicKey, r), sealedInfo: [UInt8](repeating: 0, count: VaultFormat.memberInfoSealedBytes)))
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
}
