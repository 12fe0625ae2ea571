"""P-256 key pairs: generate, write, load, and name them by key id.

Key files are PEM: private keys as PKCS#8 (``PRIVATE KEY``, or ``ENCRYPTED PRIVATE KEY`` when a
password protects them), public keys as SubjectPublicKeyInfo (``PUBLIC KEY``). A key id is the
first 32 hex digits (128 bits) of SHA-256 over the public key's DER SubjectPublicKeyInfo: short
enough to read aloud when two agencies confirm a key by telephone, long enough that no one can
make a second key with the same id.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from matchgate.disclosure.errors import E_KEY_FILE, PackageError
from matchgate.disclosure.pkcs8 import encrypt_pkcs8

PrivateKey = ec.EllipticCurvePrivateKey
PublicKey = ec.EllipticCurvePublicKey

KEY_ID_HEX_DIGITS = 32
_MAX_KEY_FILE = 64 * 1024


def generate_keypair() -> PrivateKey:
    """A new P-256 private key (its public half is ``key.public_key()``)."""
    return ec.generate_private_key(ec.SECP256R1())


def key_id(key: PublicKey | PrivateKey) -> str:
    """Lowercase hex: the first 128 bits of SHA-256 over the DER SubjectPublicKeyInfo."""
    public = key.public_key() if isinstance(key, ec.EllipticCurvePrivateKey) else key
    der = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()[:KEY_ID_HEX_DIGITS]


def public_key_pem(key: PublicKey | PrivateKey) -> bytes:
    """SubjectPublicKeyInfo PEM of the key's public half."""
    public = key.public_key() if isinstance(key, ec.EllipticCurvePrivateKey) else key
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def private_key_pem(key: PrivateKey, password: bytes | None = None) -> bytes:
    """PKCS#8 PEM; with a password, PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC), see ``pkcs8``."""
    plain = serialization.PrivateFormat.PKCS8
    if password is None:
        return key.private_bytes(serialization.Encoding.PEM, plain, serialization.NoEncryption())
    if not password:
        raise PackageError("an empty password does not protect a key", code=E_KEY_FILE)
    der = key.private_bytes(serialization.Encoding.DER, plain, serialization.NoEncryption())
    return encrypt_pkcs8(der, password)


def write_private_key(key: PrivateKey, path: Path, password: bytes | None = None) -> None:
    """Create ``path`` readable by its owner only; refuse to replace an existing file."""
    data = private_key_pem(key, password)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise PackageError(
            "already exists; not replacing a key", code=E_KEY_FILE, path=path
        ) from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def write_public_key(key: PublicKey | PrivateKey, path: Path) -> None:
    """Create ``path`` with the SubjectPublicKeyInfo PEM; refuse to replace an existing file."""
    try:
        with open(path, "xb") as handle:
            handle.write(public_key_pem(key))
    except FileExistsError:
        raise PackageError(
            "already exists; not replacing a key", code=E_KEY_FILE, path=path
        ) from None


def _read(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > _MAX_KEY_FILE:
            raise PackageError("is too large to be a key file", code=E_KEY_FILE, path=path)
        return path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise PackageError(f"cannot read key file ({reason})", code=E_KEY_FILE, path=path) from None


def parse_private_key(
    data: bytes, password: bytes | None = None, *, source: str = "key"
) -> PrivateKey:
    """A P-256 private key from PKCS#8 PEM bytes (``source`` names it in errors)."""
    try:
        key = serialization.load_pem_private_key(data, password)
    except TypeError:
        if password is None:
            why = "is password-protected and no password was given"
        else:
            why = "is not password-protected, but a password was given"
        raise PackageError(why, code=E_KEY_FILE, path=source) from None
    except ValueError:
        why = "cannot be decrypted with this password, or is not a PEM private key"
        raise PackageError(why, code=E_KEY_FILE, path=source) from None
    except Exception:  # cryptography raises several types for malformed input
        raise PackageError("is not a PEM private key", code=E_KEY_FILE, path=source) from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise PackageError("is not a P-256 private key", code=E_KEY_FILE, path=source)
    return key


def parse_public_key(data: bytes, *, source: str = "key") -> PublicKey:
    """A P-256 public key from SubjectPublicKeyInfo PEM bytes."""
    try:
        key = serialization.load_pem_public_key(data)
    except Exception:  # ValueError, UnsupportedAlgorithm, ...
        why = "is not a PEM public key (SubjectPublicKeyInfo, 'BEGIN PUBLIC KEY')"
        raise PackageError(why, code=E_KEY_FILE, path=source) from None
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise PackageError("is not a P-256 public key", code=E_KEY_FILE, path=source)
    return key


def load_private_key(path: Path, password: bytes | None = None) -> PrivateKey:
    """Read a PKCS#8 PEM private key file; errors name the file, never the password."""
    return parse_private_key(_read(path), password, source=str(path))


def load_public_key(path: Path) -> PublicKey:
    """Read a SubjectPublicKeyInfo PEM public key file."""
    return parse_public_key(_read(path), source=str(path))
