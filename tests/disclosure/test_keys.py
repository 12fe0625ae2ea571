"""Key files, key ids and key rings: the formats docs/package-format.md section 5 promises."""

from __future__ import annotations

import hashlib
import json
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from matchgate.disclosure import (
    E_KEY_FILE,
    PackageError,
    add_to_keyring,
    generate_keypair,
    key_id,
    load_private_key,
    load_public_key,
    load_trusted_keys,
    private_key_pem,
    public_key_pem,
    read_keyring,
    write_private_key,
    write_public_key,
)
from matchgate.disclosure.pkcs8 import ITERATIONS
from matchgate.services.disclosure.packages import make_keys


def test_key_id_is_the_first_128_bits_of_sha256_of_the_spki() -> None:
    key = generate_keypair()
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert key_id(key) == key_id(key.public_key()) == hashlib.sha256(der).hexdigest()[:32]


def test_key_files_round_trip_and_private_keys_are_owner_only(tmp_path: Path) -> None:
    key = generate_keypair()
    write_private_key(key, tmp_path / "a.key")
    write_public_key(key, tmp_path / "a.pub")
    assert stat.S_IMODE((tmp_path / "a.key").stat().st_mode) == 0o600
    assert (tmp_path / "a.key").read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert (tmp_path / "a.pub").read_text().startswith("-----BEGIN PUBLIC KEY-----")
    assert key_id(load_private_key(tmp_path / "a.key")) == key_id(key)
    assert key_id(load_public_key(tmp_path / "a.pub")) == key_id(key)
    with pytest.raises(PackageError) as caught:
        write_private_key(key, tmp_path / "a.key")
    assert caught.value.code == E_KEY_FILE


def test_password_protected_key_is_standard_pbes2_at_our_work_factor(tmp_path: Path) -> None:
    key = generate_keypair()
    path = tmp_path / "p.key"
    write_private_key(key, path, b"s3cret")
    text = path.read_text()
    assert text.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert key_id(load_private_key(path, b"s3cret")) == key_id(key)
    # cryptography (OpenSSL) reads it with nothing but the password
    loaded = serialization.load_pem_private_key(text.encode(), b"s3cret")
    assert isinstance(loaded, ec.EllipticCurvePrivateKey)
    if shutil.which("openssl"):
        parsed = subprocess.run(
            ["openssl", "asn1parse", "-in", str(path)], capture_output=True, text=True, check=True
        ).stdout
        assert "PBES2" in parsed
        assert "hmacWithSHA256" in parsed
        assert "aes-256-cbc" in parsed
        assert f":{ITERATIONS:06X}" in parsed.replace(" ", "")


@pytest.mark.parametrize(
    ("password", "why"),
    [(None, "no password was given"), (b"wrong", "cannot be decrypted")],
)
def test_wrong_or_missing_password_is_a_clear_error(
    password: bytes | None, why: str, tmp_path: Path
) -> None:
    path = tmp_path / "p.key"
    write_private_key(generate_keypair(), path, b"right")
    with pytest.raises(PackageError) as caught:
        load_private_key(path, password)
    assert caught.value.code == E_KEY_FILE
    message = str(caught.value).replace(str(path), "")
    assert why in message
    assert "right" not in message
    assert "wrong" not in message


def test_empty_password_is_refused() -> None:
    with pytest.raises(PackageError):
        private_key_pem(generate_keypair(), b"")


def other_curve_and_kind_keys(tmp_path: Path) -> list[Path]:
    p384 = ec.generate_private_key(ec.SECP384R1())
    edwards = ed25519.Ed25519PrivateKey.generate()
    paths = []
    keys: list[tuple[str, ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey]] = [
        ("p384", p384),
        ("ed", edwards),
    ]
    for name, key in keys:
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        (tmp_path / f"{name}.key").write_bytes(pem)
        pub = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        (tmp_path / f"{name}.pub").write_bytes(pub)
        paths += [tmp_path / f"{name}.key", tmp_path / f"{name}.pub"]
    return paths


def test_keys_of_other_curves_kinds_and_garbage_are_refused(tmp_path: Path) -> None:
    for path in other_curve_and_kind_keys(tmp_path):
        loader = load_private_key if path.suffix == ".key" else load_public_key
        with pytest.raises(PackageError, match="P-256") as caught:
            loader(path)
        assert caught.value.code == E_KEY_FILE
    (tmp_path / "junk").write_bytes(b"\x00\xff not a key")
    for loader in (load_private_key, load_public_key):
        with pytest.raises(PackageError) as caught:
            loader(tmp_path / "junk")
        assert caught.value.code == E_KEY_FILE
        with pytest.raises(PackageError) as caught:
            loader(tmp_path / "missing")
        assert caught.value.code == E_KEY_FILE


def test_a_public_key_is_not_a_private_key_and_back(tmp_path: Path) -> None:
    key = generate_keypair()
    (tmp_path / "a.pub").write_bytes(public_key_pem(key))
    (tmp_path / "a.key").write_bytes(private_key_pem(key))
    with pytest.raises(PackageError):
        load_private_key(tmp_path / "a.pub")
    with pytest.raises(PackageError):
        load_public_key(tmp_path / "a.key")


def test_key_ring_pins_keys_and_refuses_a_swapped_key(tmp_path: Path) -> None:
    ring = tmp_path / "ring.json"
    first, second = generate_keypair(), generate_keypair()
    assert add_to_keyring(ring, first.public_key(), "SSA signing 2025") == key_id(first)
    add_to_keyring(ring, second.public_key(), "SSA signing 2026")
    keys = read_keyring(ring)
    assert [(k.key_id, k.label) for k in keys] == [
        (key_id(first), "SSA signing 2025"),
        (key_id(second), "SSA signing 2026"),
    ]
    with pytest.raises(PackageError, match="already holds"):
        add_to_keyring(ring, first.public_key(), "again")
    data = json.loads(ring.read_text())
    assert data["format"] == "matchgate-keyring"
    assert data["version"] == 1
    data["keys"][0]["public_key"] = public_key_pem(generate_keypair()).decode()
    ring.write_text(json.dumps(data))
    with pytest.raises(PackageError, match="records key id") as caught:
        read_keyring(ring)
    assert caught.value.code == E_KEY_FILE


@pytest.mark.parametrize(
    "content",
    [
        "{}",
        '{"format": "matchgate-keyring", "version": 2, "keys": []}',
        '{"format": "matchgate-keyring", "version": 1, "keys": [], "extra": 1}',
        '{"format": "matchgate-keyring", "version": 1, "keys": [{"key_id": "x"}]}',
        "{not json",
    ],
)
def test_malformed_key_rings_are_refused(content: str, tmp_path: Path) -> None:
    ring = tmp_path / "ring.json"
    ring.write_text(content)
    with pytest.raises(PackageError) as caught:
        load_trusted_keys([ring])
    assert caught.value.code == E_KEY_FILE


def test_trusted_keys_mix_pem_files_and_rings(tmp_path: Path) -> None:
    a, b = generate_keypair(), generate_keypair()
    write_public_key(a, tmp_path / "a.pub")
    add_to_keyring(tmp_path / "ring.json", b.public_key(), "B")
    trusted = load_trusted_keys([tmp_path / "a.pub", tmp_path / "ring.json"])
    assert [t.key_id for t in trusted] == [key_id(a), key_id(b)]
    assert trusted[0].label == "a.pub"


def test_make_keys_writes_both_files_or_neither(tmp_path: Path) -> None:
    made = make_keys(tmp_path / "keys", "dhs-receiving-2025")
    assert made.private_key.name == "dhs-receiving-2025.key"
    assert key_id(load_public_key(made.public_key)) == made.key_id
    (tmp_path / "keys" / "other.pub").write_text("occupied")
    with pytest.raises(PackageError):
        make_keys(tmp_path / "keys", "other")
    assert not (tmp_path / "keys" / "other.key").exists()
    for bad in ("../x", ".hidden", "", "a b"):
        with pytest.raises(PackageError):
            make_keys(tmp_path / "keys", bad)
