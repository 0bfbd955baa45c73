#!/usr/bin/env python3
"""Writes Tests/CofferSodiumTests/Vectors/*.kat: known answers from implementations other than the
wrapper under test (hashlib's BLAKE2b, argon2-cffi's reference Argon2id, PyNaCl's secretbox).
Run once after `pip install pynacl argon2-cffi`; the output is committed."""
import hashlib, os, sys
from argon2.low_level import hash_secret_raw, Type
import nacl.secret

out = os.path.join(os.path.dirname(__file__), "..", "Tests", "CofferSodiumTests", "Vectors")
h = lambda b: b.hex()

with open(os.path.join(out, "blake2b-keyed.kat"), "w") as f:
    f.write("# key message -> BLAKE2b-256(key, message); hashlib.blake2b\n")
    for key, msg in [(bytes(range(32)), b"coffer/v1/header-mac"), (bytes(range(32)), b"coffer/v1/payload"),
                     (b"\xff" * 32, b""), (bytes(range(32, 64)), bytes(range(256)))]:
        f.write(f"{h(key)} {h(msg) or '-'} {hashlib.blake2b(msg, key=key, digest_size=32).hexdigest()}\n")

with open(os.path.join(out, "argon2id.kat"), "w") as f:
    f.write("# passphrase salt opslimit memlimit -> 32-byte Argon2id v1.3 (1 lane); argon2-cffi\n")
    for pw, salt, ops, mem in [(b"correct horse battery staple", bytes(range(16)), 2, 64 << 20),
                               (b"", b"\x00" * 16, 2, 64 << 20),
                               ("pässwörd".encode(), bytes(range(16, 32)), 3, 64 << 20)]:
        key = hash_secret_raw(pw, salt, time_cost=ops, memory_cost=mem // 1024, parallelism=1, hash_len=32, type=Type.ID, version=19)
        f.write(f"{h(pw) or '-'} {h(salt)} {ops} {mem} {h(key)}\n")

with open(os.path.join(out, "secretbox.kat"), "w") as f:
    f.write("# key nonce message -> tag || ciphertext; PyNaCl SecretBox\n")
    for key, nonce, msg in [(bytes(range(32)), bytes(range(24)), b"the vault key, 32 bytes long...."),
                            (b"\x42" * 32, b"\x07" * 24, b""), (bytes(range(1, 33)), bytes(range(2, 26)), bytes(range(200)))]:
        box = nacl.secret.SecretBox(key).encrypt(msg, nonce).ciphertext
        f.write(f"{h(key)} {h(nonce)} {h(msg) or '-'} {h(box)}\n")
