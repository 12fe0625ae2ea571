"""The committed version 1 vectors still open, with matchgate's reader and with an independent one.

``independent_open`` is written from docs/package-format.md alone, with the standard library and
``cryptography`` primitives and nothing from matchgate: if it and the document drift from the
writer, this fails.
"""

from __future__ import annotations

import hashlib
import json
import math
import struct
from pathlib import Path
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.keywrap import aes_key_unwrap

from matchgate.disclosure import (
    E_PACKAGE_KEY,
    PackageError,
    extract_package,
    key_id,
    load_private_key,
    load_public_key,
    load_trusted_keys,
    open_package,
    read_header,
)

VECTORS = Path(__file__).resolve().parent / "vectors"
VECTOR: dict[str, Any] = json.loads((VECTORS / "vector.json").read_text(encoding="utf-8"))
PACKAGE = VECTORS / VECTOR["package"]


class Refused(Exception):
    pass


def spki_key_id(public: ec.EllipticCurvePublicKey) -> str:
    der = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()[:32]


def independent_open(
    data: bytes,
    recipient: ec.EllipticCurvePrivateKey,
    pinned: list[ec.EllipticCurvePublicKey],
) -> tuple[dict[str, Any], dict[str, bytes], dict[str, str]]:
    """Steps 1-9 of section 9: (manifest, files, intermediate values)."""
    if data[:8] != bytes.fromhex("894D47500D0A1A0A"):
        raise Refused("magic")
    if data[8:10] != b"\x00\x01":
        raise Refused("version")
    (h,) = struct.unpack(">I", data[10:14])
    if not 1 <= h <= 65536:
        raise Refused("header length")
    prologue = data[: 14 + h]
    header = json.loads(prologue[14:])
    if json.dumps(header, sort_keys=True, separators=(",", ":")).encode() != prologue[14:]:
        raise Refused("header not canonical")
    c, p, m = header["chunk_size"], header["payload_size"], header["manifest_size"]
    n = max(1, math.ceil(p / c))
    if len(data) != 14 + h + m + p + 16 * n + 64:
        raise Refused("length")
    senders = {spki_key_id(k): k for k in pinned}
    sender = senders.get(header["sender_key_id"])
    if sender is None:
        raise Refused("sender")
    signed_digest = hashlib.sha256(data[:-64]).digest()
    r, s = int.from_bytes(data[-64:-32], "big"), int.from_bytes(data[-32:], "big")
    try:
        sender.verify(encode_dss_signature(r, s), data[:-64], ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise Refused("signature") from None
    if header["recipient_key_id"] != spki_key_id(recipient.public_key()):
        raise Refused("recipient")
    point = bytes.fromhex(header["ephemeral_public_key"])
    z = recipient.exchange(
        ec.ECDH(), ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    )
    info = "|".join(
        [
            "matchgate-package/1",
            "kek",
            header["package_id"],
            header["sender_key_id"],
            header["recipient_key_id"],
            header["ephemeral_public_key"],
        ]
    ).encode("ascii")
    kek = HKDF(hashes.SHA256(), 32, bytes.fromhex(header["kdf_salt"]), info).derive(z)
    dk = aes_key_unwrap(kek, bytes.fromhex(header["wrapped_key"]))
    hd = hashlib.sha256(prologue).digest()
    prefix = bytes.fromhex(header["nonce_prefix"])
    gcm = AESGCM(dk)
    at = len(prologue)
    manifest_json = gcm.decrypt(prefix + (0).to_bytes(4, "big"), data[at : at + m], hd + b"M\x01")
    manifest = json.loads(manifest_json)
    for name in ("package_id", "created_at", "marking", "sender_key_id", "recipient_key_id"):
        assert manifest[name] == header[name]
    at += m
    payload = bytearray()
    for k in range(n):
        size = (c if k < n - 1 else p - (n - 1) * c) + 16
        final = b"\x01" if k == n - 1 else b"\x00"
        nonce = prefix + (k + 1).to_bytes(4, "big")
        payload += gcm.decrypt(nonce, data[at : at + size], hd + b"C" + final)
        at += size
    files: dict[str, bytes] = {}
    offset = 0
    for entry in manifest["files"]:
        content = bytes(payload[offset : offset + entry["size"]])
        if hashlib.sha256(content).hexdigest() != entry["sha256"]:
            raise Refused("file hash")
        files[entry["name"]] = content
        offset += entry["size"]
    if offset != len(payload):
        raise Refused("payload length")
    intermediate = {
        "ecdh_shared_secret": z.hex(),
        "hkdf_info": info.decode(),
        "kek": kek.hex(),
        "data_key": dk.hex(),
        "header_digest": hd.hex(),
        "signed_digest": signed_digest.hex(),
    }
    return manifest, files, intermediate


def plain_files() -> dict[str, bytes]:
    return {
        e["name"]: (VECTORS / "plain" / e["name"]).read_bytes() for e in VECTOR["manifest"]["files"]
    }


def test_the_vector_is_what_it_claims() -> None:
    assert PACKAGE.stat().st_size == VECTOR["length"]
    assert key_id(load_public_key(VECTORS / "sender.pub")) == VECTOR["sender_key_id"]
    assert key_id(load_public_key(VECTORS / "recipient.pub")) == VECTOR["recipient_key_id"]
    assert len(VECTOR["layout"]["chunks"]) >= 2, "the vector should span several chunks"
    assert any(e["size"] == 0 for e in VECTOR["manifest"]["files"]), "and hold an empty file"


def test_matchgate_reader_opens_the_committed_vector() -> None:
    result = open_package(
        PACKAGE,
        recipient_key=load_private_key(VECTORS / "recipient.key"),
        trusted_sender_keys=[load_public_key(VECTORS / "sender.pub")],
    )
    assert result.header.model_dump(mode="json") == VECTOR["header"]
    assert result.manifest.model_dump(mode="json") == VECTOR["manifest"]
    assert result.files == plain_files()
    assert read_header(PACKAGE).marking == "CUI//SP-PRVCY"


def test_protected_key_and_key_ring_of_the_vector_work(tmp_path: Path) -> None:
    password = VECTOR["password_of_recipient_protected_key"].encode()
    recipient = load_private_key(VECTORS / "recipient-protected.key", password)
    trusted = load_trusted_keys([VECTORS / "keyring.json"])
    assert [t.key_id for t in trusted] == [VECTOR["sender_key_id"]]
    result = extract_package(
        PACKAGE, tmp_path / "out", recipient_key=recipient, trusted_sender_keys=[trusted[0].key]
    )
    assert set(result.paths) == set(plain_files())


def test_independent_reader_written_from_the_document_opens_the_vector() -> None:
    recipient = load_private_key(VECTORS / "recipient.key")
    manifest, files, intermediate = independent_open(
        PACKAGE.read_bytes(), recipient, [load_public_key(VECTORS / "sender.pub")]
    )
    assert manifest == VECTOR["manifest"]
    assert files == plain_files()
    assert intermediate == VECTOR["intermediate"]


def test_independent_reader_opens_what_matchgate_seals_today(tmp_path: Path) -> None:
    from tests.disclosure.conftest import INFO

    from matchgate.disclosure import generate_keypair, seal

    sender, recipient = generate_keypair(), generate_keypair()
    files = {"a.csv": b"x" * 10_000, "b.txt": b"", "c.bin": bytes(range(256))}
    seal(
        tmp_path / "p.mgp",
        files,
        INFO,
        sender_key=sender,
        recipient_public_key=recipient.public_key(),
        marking="CUI//SP-PRVCY",
        chunk_size=4096,
    )
    data = (tmp_path / "p.mgp").read_bytes()
    _, opened, _ = independent_open(data, recipient, [sender.public_key()])
    assert opened == files
    with pytest.raises(Refused, match="signature"):
        independent_open(
            data[:-65] + bytes([data[-65] ^ 1]) + data[-64:], recipient, [sender.public_key()]
        )


def test_the_vector_refuses_the_sender_key_as_recipient() -> None:
    with pytest.raises(PackageError) as caught:
        open_package(
            PACKAGE,
            recipient_key=load_private_key(VECTORS / "sender.key"),
            trusted_sender_keys=[load_public_key(VECTORS / "sender.pub")],
        )
    assert caught.value.code == E_PACKAGE_KEY
