"""The cryptographic steps of format version 1, one small function each (FIPS-approved only).

Key agreement, key derivation and key wrap move the random data key to the recipient; nonces
and associated data make each AES-GCM chunk valid only at its own place in its own package;
the signature is ECDSA P-256 over SHA-256 in the fixed 64-byte ``r || s`` form.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    Prehashed,
    decode_dss_signature,
    encode_dss_signature,
)
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

DATA_KEY_SIZE = 32
SALT_SIZE = 32
NONCE_PREFIX_SIZE = 8
TAG_SIZE = 16
SIGNATURE_SIZE = 64
POINT_SIZE = 65

KIND_MANIFEST = b"M"
KIND_CHUNK = b"C"
MANIFEST_COUNTER = 0


def random_bytes(size: int) -> bytes:
    return os.urandom(size)


def kek_info(package_id: str, sender_key_id: str, recipient_key_id: str, point: bytes) -> bytes:
    """HKDF ``info``: binds the format version, the package and both key ids to the KEK."""
    text = f"matchgate-package/1|kek|{package_id}|{sender_key_id}|{recipient_key_id}|{point.hex()}"
    return text.encode("ascii")


def _kek(shared: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(shared)


def _point(public: ec.EllipticCurvePublicKey) -> bytes:
    return public.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


def wrap_data_key(
    data_key: bytes,
    recipient: ec.EllipticCurvePublicKey,
    *,
    salt: bytes,
    package_id: str,
    sender_key_id: str,
    recipient_key_id: str,
) -> tuple[bytes, bytes]:
    """``(ephemeral point, wrapped key)``: ECDH-ES with a one-time key, HKDF, AES-KW."""
    ephemeral = ec.generate_private_key(ec.SECP256R1())
    point = _point(ephemeral.public_key())
    shared = ephemeral.exchange(ec.ECDH(), recipient)
    info = kek_info(package_id, sender_key_id, recipient_key_id, point)
    return point, aes_key_wrap(_kek(shared, salt, info), data_key)


def unwrap_data_key(
    wrapped: bytes,
    point: bytes,
    recipient: ec.EllipticCurvePrivateKey,
    *,
    salt: bytes,
    package_id: str,
    sender_key_id: str,
    recipient_key_id: str,
) -> bytes | None:
    """The data key, or None when it does not unwrap (wrong key, or a tampered header)."""
    try:
        ephemeral = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:  # not a point on the curve
        return None
    shared = recipient.exchange(ec.ECDH(), ephemeral)
    info = kek_info(package_id, sender_key_id, recipient_key_id, point)
    try:
        data_key = aes_key_unwrap(_kek(shared, salt, info), wrapped)
    except InvalidUnwrap:
        return None
    return data_key if len(data_key) == DATA_KEY_SIZE else None


def nonce(prefix: bytes, counter: int) -> bytes:
    """96-bit GCM nonce: 8-byte prefix || 32-bit big-endian counter (0 = manifest)."""
    return prefix + counter.to_bytes(4, "big")


def associated_data(header_digest: bytes, kind: bytes, final: bool) -> bytes:
    """GCM associated data: SHA-256 of the prologue || kind byte || final-chunk flag byte."""
    return header_digest + kind + (b"\x01" if final else b"\x00")


def sign_digest(key: ec.EllipticCurvePrivateKey, digest: bytes) -> bytes:
    """ECDSA P-256 signature of a SHA-256 digest, as 64 bytes r || s."""
    der = key.sign(digest, ec.ECDSA(Prehashed(hashes.SHA256())))
    r, s = decode_dss_signature(der)
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def verify_digest(key: ec.EllipticCurvePublicKey, digest: bytes, signature: bytes) -> bool:
    """True when ``signature`` (r || s) is the key's signature of ``digest``."""
    if len(signature) != SIGNATURE_SIZE:
        return False
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:], "big")
    try:
        key.verify(encode_dss_signature(r, s), digest, ec.ECDSA(Prehashed(hashes.SHA256())))
    except InvalidSignature:
        return False
    return True
