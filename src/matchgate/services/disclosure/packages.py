"""Use cases for response packages: make keys, pin a sender's key, seal files, open a package.

Key and package files go through ``matchgate.disclosure``; this layer reads paths, times the
work and returns summaries that hold ids, counts and sizes, never file contents.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from matchgate.disclosure import (
    DEFAULT_CHUNK_SIZE,
    E_KEY_FILE,
    E_PACKAGE_CONTENT,
    E_PACKAGE_SENDER,
    Manifest,
    ManifestInfo,
    PackageError,
    PackageHeader,
    TrustedKey,
    add_to_keyring,
    check_package,
    extract_package,
    generate_keypair,
    key_id,
    load_private_key,
    load_public_key,
    load_trusted_keys,
    parse_private_key,
    parse_public_key,
    seal,
    write_private_key,
    write_public_key,
)

PRIVATE_SUFFIX = ".key"
PUBLIC_SUFFIX = ".pub"
_KEY_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


@dataclass(frozen=True)
class KeyFiles:
    private_key: Path
    public_key: Path
    key_id: str
    protected: bool


def make_keys(out_dir: Path, name: str, password: bytes | None = None) -> KeyFiles:
    """Write ``NAME.key`` (PKCS#8, owner-only) and ``NAME.pub`` into ``out_dir``.

    Refuses to replace either file. Give the ``.pub`` file and the key id to the other agency;
    keep the ``.key`` file.
    """
    if not _KEY_NAME.match(name):
        raise PackageError(
            "a key name is letters, digits, '.', '_' and '-', not starting with '.' or '-'",
            code=E_KEY_FILE,
        )
    private = out_dir / f"{name}{PRIVATE_SUFFIX}"
    public = out_dir / f"{name}{PUBLIC_SUFFIX}"
    for path in (private, public):
        if path.exists():
            raise PackageError("already exists; not replacing a key", code=E_KEY_FILE, path=path)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise PackageError(f"cannot create ({reason})", code=E_KEY_FILE, path=out_dir) from None
    key = generate_keypair()
    write_private_key(key, private, password)
    try:
        write_public_key(key, public)
    except PackageError:
        private.unlink()
        raise
    return KeyFiles(private, public, key_id(key), protected=password is not None)


def describe_key(path: Path, password: bytes | None = None) -> str:
    """The key id of a public key file, or of a private key file's public half."""
    try:
        data = path.read_bytes()[: 64 * 1024]
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise PackageError(f"cannot read key file ({reason})", code=E_KEY_FILE, path=path) from None
    if b"PRIVATE KEY-----" in data:
        return key_id(parse_private_key(data, password, source=str(path)))
    return key_id(parse_public_key(data, source=str(path)))


def pin_sender_key(ring: Path, public_key: Path, label: str) -> str:
    """Add a sender's public key to a key ring file; its key id (confirm it out of band)."""
    return add_to_keyring(ring, load_public_key(public_key), label)


@dataclass(frozen=True)
class SealSummary:
    package: Path
    manifest: Manifest
    size: int
    seconds: float


def seal_files(
    files: Sequence[Path],
    package: Path,
    *,
    info: ManifestInfo,
    sender_key: Path,
    recipient_public_key: Path,
    marking: str,
    password: bytes | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> SealSummary:
    """Seal ``files`` (stored under their base names) into ``package`` for the recipient."""
    started = time.perf_counter()
    sources: dict[str, Path] = {}
    for path in files:
        if path.name in sources:
            raise PackageError(
                f"two files are named {path.name}", code=E_PACKAGE_CONTENT, path=path
            )
        sources[path.name] = path
    manifest = seal(
        package,
        sources,
        info,
        sender_key=load_private_key(sender_key, password),
        recipient_public_key=load_public_key(recipient_public_key),
        marking=marking,
        chunk_size=chunk_size,
    )
    return SealSummary(package, manifest, package.stat().st_size, time.perf_counter() - started)


@dataclass(frozen=True)
class OpenSummary:
    package: Path
    header: PackageHeader
    manifest: Manifest
    sender: TrustedKey
    out_dir: Path | None
    manifest_path: Path | None
    paths: dict[str, Path] = field(default_factory=dict)
    seconds: float = 0.0


def open_package_file(
    package: Path,
    key: Path,
    trusted_keys: Sequence[Path],
    out_dir: Path | None,
    *,
    password: bytes | None = None,
) -> OpenSummary:
    """Verify the package's signature with a pinned sender key, then decrypt it with ``key``.

    With ``out_dir`` the files and ``manifest.json`` are written there (owner-only, all or
    nothing); without it the whole package is still decrypted and checked, and nothing is kept.
    """
    started = time.perf_counter()
    if not trusted_keys:
        raise PackageError(
            "no trusted sender key given: pin the sender's public key (a .pub file or a key "
            "ring) to check the signature against",
            code=E_PACKAGE_SENDER,
            path=package,
        )
    trusted = load_trusted_keys(trusted_keys)
    recipient = load_private_key(key, password)
    keys = [t.key for t in trusted]
    if out_dir is None:
        header, manifest = check_package(package, recipient_key=recipient, trusted_sender_keys=keys)
        paths: dict[str, Path] = {}
        manifest_path = None
    else:
        extracted = extract_package(
            package, out_dir, recipient_key=recipient, trusted_sender_keys=keys
        )
        header, manifest = extracted.header, extracted.manifest
        paths, manifest_path = extracted.paths, extracted.manifest_path
    sender = next(t for t in trusted if t.key_id == header.sender_key_id)
    return OpenSummary(
        package=package,
        header=header,
        manifest=manifest,
        sender=sender,
        out_dir=out_dir,
        manifest_path=manifest_path,
        paths=paths,
        seconds=time.perf_counter() - started,
    )
