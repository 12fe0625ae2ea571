"""Password-protected PKCS#8 private keys with a work factor we choose.

``cryptography`` writes encrypted PKCS#8 with PBKDF2 at 2,048 iterations, too cheap to slow a
password guesser. This module writes the same standard structure (RFC 8018 PBES2: PBKDF2 with
HMAC-SHA256, AES-256-CBC) at ``ITERATIONS`` rounds, so OpenSSL, Java and ``cryptography`` still
read it with nothing but the password. Reading is left to ``cryptography``.
"""

from __future__ import annotations

import base64
import os

from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

#: PBKDF2-HMAC-SHA256 rounds (OWASP's 2023 recommendation for this PRF).
ITERATIONS = 600_000

_PBES2 = "1.2.840.113549.1.5.13"
_PBKDF2 = "1.2.840.113549.1.5.12"
_HMAC_SHA256 = "1.2.840.113549.2.9"
_AES256_CBC = "2.16.840.1.101.3.4.1.42"


def _tlv(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(raw)]) + raw
    return bytes([tag]) + length + content


def _oid(dotted: str) -> bytes:
    parts = [int(p) for p in dotted.split(".")]
    body = bytearray([40 * parts[0] + parts[1]])
    for part in parts[2:]:
        rest = part >> 7
        chunk = [part & 0x7F]
        while rest:
            chunk.append(0x80 | (rest & 0x7F))
            rest >>= 7
        body.extend(reversed(chunk))
    return _tlv(0x06, bytes(body))


def _seq(*items: bytes) -> bytes:
    return _tlv(0x30, b"".join(items))


def _octets(data: bytes) -> bytes:
    return _tlv(0x04, data)


def _integer(value: int) -> bytes:
    raw = value.to_bytes(value.bit_length() // 8 + 1, "big")  # leading zero keeps it positive
    return _tlv(0x02, raw)


def encrypt_pkcs8(plain_der: bytes, password: bytes, *, iterations: int = ITERATIONS) -> bytes:
    """PEM ``ENCRYPTED PRIVATE KEY`` holding the unencrypted PKCS#8 DER ``plain_der``."""
    salt = os.urandom(16)
    iv = os.urandom(16)
    kek = PBKDF2HMAC(hashes.SHA256(), 32, salt, iterations).derive(password)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plain_der) + padder.finalize()
    encryptor = Cipher(algorithms.AES(kek), modes.CBC(iv)).encryptor()
    encrypted = encryptor.update(padded) + encryptor.finalize()
    kdf = _seq(
        _oid(_PBKDF2),
        _seq(_octets(salt), _integer(iterations), _seq(_oid(_HMAC_SHA256), _tlv(0x05, b""))),
    )
    scheme = _seq(_oid(_AES256_CBC), _octets(iv))
    der = _seq(_seq(_oid(_PBES2), _seq(kdf, scheme)), _octets(encrypted))
    body = base64.encodebytes(der).decode("ascii").replace("\n", "")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    pem = "\n".join(["-----BEGIN ENCRYPTED PRIVATE KEY-----", *lines])
    return (pem + "\n-----END ENCRYPTED PRIVATE KEY-----\n").encode("ascii")
