"""Open a version 1 package: check its length and signature first, decrypt only after.

Order of checks (each failure a ``PackageError`` with its code, and nothing written):

1. prologue: magic, version, header (E_PACKAGE_FORMAT, E_PACKAGE_VERSION, E_PACKAGE_CORRUPT);
2. the file's length is exactly what the header implies (E_PACKAGE_CORRUPT);
3. the header's sender key id is a trusted sender key (E_PACKAGE_SENDER);
4. the signature over every preceding byte verifies with that key (E_PACKAGE_SIGNATURE);
5. the package is addressed to the given key and the data key unwraps (E_PACKAGE_KEY);
6. the manifest and every chunk authenticate, in order, the last one marked final; the manifest
   agrees with the header; each file's size and SHA-256 match; the file did not change since
   step 4 (E_PACKAGE_CORRUPT).

Files are decrypted into temporary files beside their targets and moved into place only after
step 6 has passed for the whole package.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import ValidationError

from matchgate.atomic import atomic_path
from matchgate.disclosure.canonical import NotCanonical, describe_validation_error, parse_canonical
from matchgate.disclosure.container import package_length, read_prologue
from matchgate.disclosure.crypto import (
    KIND_CHUNK,
    KIND_MANIFEST,
    MANIFEST_COUNTER,
    SIGNATURE_SIZE,
    TAG_SIZE,
    associated_data,
    nonce,
    unwrap_data_key,
    verify_digest,
)
from matchgate.disclosure.errors import (
    E_PACKAGE_CORRUPT,
    E_PACKAGE_FILE,
    E_PACKAGE_KEY,
    E_PACKAGE_OUTPUT,
    E_PACKAGE_SENDER,
    E_PACKAGE_SIGNATURE,
    PackageError,
)
from matchgate.disclosure.header import PackageHeader, chunk_plain_sizes
from matchgate.disclosure.keys import PrivateKey, PublicKey, key_id
from matchgate.disclosure.manifest import MANIFEST_FILE_NAME, FileEntry, Manifest

_READ_SIZE = 1 << 20


@dataclass(frozen=True)
class OpenedPackage:
    """A verified, decrypted package held in memory (for small packages and tests)."""

    header: PackageHeader
    manifest: Manifest
    files: dict[str, bytes]


@dataclass(frozen=True)
class ExtractedPackage:
    """A verified, decrypted package written to a folder."""

    header: PackageHeader
    manifest: Manifest
    manifest_path: Path
    paths: dict[str, Path]


class _Sink(Protocol):
    def begin(self, manifest: Manifest, manifest_json: bytes) -> None: ...
    def open_file(self, entry: FileEntry) -> None: ...
    def write(self, data: memoryview) -> None: ...
    def close_file(self) -> None: ...


class _NullSink:
    def begin(self, manifest: Manifest, manifest_json: bytes) -> None:
        pass

    def open_file(self, entry: FileEntry) -> None:
        pass

    def write(self, data: memoryview) -> None:
        pass

    def close_file(self) -> None:
        pass


class _MemorySink(_NullSink):
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self._name = ""
        self._buffer = bytearray()

    def open_file(self, entry: FileEntry) -> None:
        self._name = entry.name
        self._buffer = bytearray()

    def write(self, data: memoryview) -> None:
        self._buffer += data

    def close_file(self) -> None:
        self.files[self._name] = bytes(self._buffer)


class _FolderSink:
    """Temporary files in ``out_dir``, moved into place when ``stack`` closes without error."""

    def __init__(self, out_dir: Path, stack: contextlib.ExitStack) -> None:
        self.out_dir = out_dir
        self.stack = stack
        self.paths: dict[str, Path] = {}
        self._handle: BinaryIO | None = None

    def _temporary(self, name: str) -> Path:
        try:
            return self.stack.enter_context(atomic_path(self.out_dir / name))
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise PackageError(
                f"cannot write here ({reason})", code=E_PACKAGE_OUTPUT, path=self.out_dir
            ) from None

    def begin(self, manifest: Manifest, manifest_json: bytes) -> None:
        names = [MANIFEST_FILE_NAME, *(f.name for f in manifest.files)]
        taken = [n for n in names if (self.out_dir / n).exists()]
        if taken:
            listed = ", ".join(taken[:3]) + (" ..." if len(taken) > 3 else "")
            raise PackageError(
                f"already holds {listed}; not replacing files (choose an empty folder)",
                code=E_PACKAGE_OUTPUT,
                path=self.out_dir,
            )
        self._temporary(MANIFEST_FILE_NAME).write_bytes(manifest_json)

    def open_file(self, entry: FileEntry) -> None:
        self._handle = open(self._temporary(entry.name), "wb")  # noqa: SIM115 closed in close_file
        self.stack.callback(self._handle.close)
        self.paths[entry.name] = self.out_dir / entry.name

    def write(self, data: memoryview) -> None:
        assert self._handle is not None
        self._handle.write(data)

    def close_file(self) -> None:
        assert self._handle is not None
        self._handle.close()
        self._handle = None


def _corrupt(path: Path, message: str) -> PackageError:
    return PackageError(message, code=E_PACKAGE_CORRUPT, path=path)


def _exactly(handle: BinaryIO, size: int, path: Path) -> bytes:
    data = handle.read(size)
    if len(data) != size:
        raise _corrupt(path, "changed while it was being opened (it is shorter now)")
    return data


def _ring(trusted: Iterable[PublicKey]) -> dict[str, PublicKey]:
    return {key_id(key): key for key in trusted}


def _verify(
    handle: BinaryIO, path: Path, ring: dict[str, PublicKey]
) -> tuple[bytes, PackageHeader, bytes]:
    """Steps 1-4: ``(prologue, header, digest of all bytes before the signature)``."""
    prologue, header = read_prologue(handle, path)
    total = package_length(len(prologue), header)
    size = os.fstat(handle.fileno()).st_size
    if size < total:
        raise _corrupt(path, f"is truncated: {total - size} bytes shorter than its header says")
    if size > total:
        raise _corrupt(path, f"has {size - total} unexpected bytes after its signature")
    sender = ring.get(header.sender_key_id)
    if sender is None:
        known = ", ".join(sorted(ring)) or "none given"
        raise PackageError(
            f"is signed by key {header.sender_key_id}, which is not a trusted sender key "
            f"(trusted: {known})",
            code=E_PACKAGE_SENDER,
            path=path,
        )
    digest = hashlib.sha256(prologue)
    left = total - SIGNATURE_SIZE - len(prologue)
    while left:
        piece = _exactly(handle, min(left, _READ_SIZE), path)
        digest.update(piece)
        left -= len(piece)
    signature = _exactly(handle, SIGNATURE_SIZE, path)
    if not verify_digest(sender, digest.digest(), signature):
        raise PackageError(
            f"signature does not verify with sender key {header.sender_key_id}: the package was "
            "altered or damaged after it was signed",
            code=E_PACKAGE_SIGNATURE,
            path=path,
        )
    return prologue, header, digest.digest()


def _manifest(data: bytes, header: PackageHeader, path: Path) -> Manifest:
    try:
        manifest = Manifest.model_validate(parse_canonical(data))
    except NotCanonical as exc:
        raise _corrupt(path, f"manifest {exc}") from None
    except ValidationError as exc:
        raise _corrupt(path, f"manifest is not valid: {describe_validation_error(exc)}") from None
    for name in ("package_id", "created_at", "marking", "sender_key_id", "recipient_key_id"):
        if getattr(manifest, name) != getattr(header, name):
            raise _corrupt(path, f"manifest and header disagree on {name}")
    if manifest.payload_size != header.payload_size:
        raise _corrupt(path, "manifest file sizes do not add up to the header's payload size")
    return manifest


def _decrypted_chunks(
    handle: BinaryIO,
    header: PackageHeader,
    aead: AESGCM,
    header_digest: bytes,
    running: hashlib._Hash,
    path: Path,
) -> Iterator[bytes]:
    prefix = bytes.fromhex(header.nonce_prefix)
    last = header.chunks - 1
    for index, plain in enumerate(chunk_plain_sizes(header.payload_size, header.chunk_size)):
        sealed = _exactly(handle, plain + TAG_SIZE, path)
        running.update(sealed)
        ad = associated_data(header_digest, KIND_CHUNK, final=index == last)
        try:
            yield aead.decrypt(nonce(prefix, index + 1), sealed, ad)
        except InvalidTag:
            raise _corrupt(
                path, f"chunk {index} does not authenticate (altered, moved or out of order)"
            ) from None


def _split(chunks: Iterator[bytes], files: list[FileEntry], sink: _Sink, path: Path) -> None:
    """Feed the decrypted payload to ``sink`` file by file, checking each file's SHA-256."""
    chunk = memoryview(b"")
    at = 0
    for entry in files:
        sink.open_file(entry)
        digest = hashlib.sha256()
        left = entry.size
        while left:
            if at == len(chunk):
                chunk = memoryview(next(chunks))
                at = 0
            piece = chunk[at : at + left]
            digest.update(piece)
            sink.write(piece)
            at += len(piece)
            left -= len(piece)
        sink.close_file()
        if digest.hexdigest() != entry.sha256:
            raise _corrupt(path, f"file {entry.name} does not match its SHA-256 in the manifest")
    for rest in chunks:  # authenticate the remaining (final, empty) chunk too
        if rest:
            raise _corrupt(path, "payload is longer than the manifest's files")
    if at != len(chunk):
        raise _corrupt(path, "payload is longer than the manifest's files")


def _open(
    path: Path, recipient_key: PrivateKey, trusted: Iterable[PublicKey], sink: _Sink
) -> tuple[PackageHeader, Manifest]:
    ring = _ring(trusted)
    try:
        with open(path, "rb") as handle:
            prologue, header, signed_digest = _verify(handle, path, ring)
            mine = key_id(recipient_key)
            if header.recipient_key_id != mine:
                raise PackageError(
                    f"is addressed to key {header.recipient_key_id}, not to the given key {mine}",
                    code=E_PACKAGE_KEY,
                    path=path,
                )
            data_key = unwrap_data_key(
                bytes.fromhex(header.wrapped_key),
                bytes.fromhex(header.ephemeral_public_key),
                recipient_key,
                salt=bytes.fromhex(header.kdf_salt),
                package_id=header.package_id,
                sender_key_id=header.sender_key_id,
                recipient_key_id=header.recipient_key_id,
            )
            if data_key is None:
                raise PackageError(
                    "data key does not unwrap with the given key", code=E_PACKAGE_KEY, path=path
                )
            aead = AESGCM(data_key)
            header_digest = hashlib.sha256(prologue).digest()
            running = hashlib.sha256(prologue)
            handle.seek(len(prologue))
            sealed = _exactly(handle, header.manifest_size, path)
            running.update(sealed)
            prefix = bytes.fromhex(header.nonce_prefix)
            ad = associated_data(header_digest, KIND_MANIFEST, final=True)
            try:
                manifest_json = aead.decrypt(nonce(prefix, MANIFEST_COUNTER), sealed, ad)
            except InvalidTag:
                raise _corrupt(path, "manifest does not authenticate") from None
            manifest = _manifest(manifest_json, header, path)
            sink.begin(manifest, manifest_json)
            chunks = _decrypted_chunks(handle, header, aead, header_digest, running, path)
            _split(chunks, manifest.files, sink, path)
            if running.digest() != signed_digest:
                raise _corrupt(path, "changed while it was being opened")
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise PackageError(
            f"cannot read package ({reason})", code=E_PACKAGE_FILE, path=path
        ) from None
    return header, manifest


def verify_package(path: Path, *, trusted_sender_keys: Iterable[PublicKey]) -> PackageHeader:
    """Check structure, length and signature only (no recipient key needed); the header."""
    try:
        with open(path, "rb") as handle:
            return _verify(handle, path, _ring(trusted_sender_keys))[1]
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise PackageError(
            f"cannot read package ({reason})", code=E_PACKAGE_FILE, path=path
        ) from None


def check_package(
    path: Path, *, recipient_key: PrivateKey, trusted_sender_keys: Iterable[PublicKey]
) -> tuple[PackageHeader, Manifest]:
    """Verify and decrypt the whole package, keeping no plaintext; header and manifest."""
    return _open(path, recipient_key, trusted_sender_keys, _NullSink())


def open_package(
    path: Path, *, recipient_key: PrivateKey, trusted_sender_keys: Iterable[PublicKey]
) -> OpenedPackage:
    """Verify, then decrypt into memory: for packages that fit in memory twice over."""
    sink = _MemorySink()
    header, manifest = _open(path, recipient_key, trusted_sender_keys, sink)
    return OpenedPackage(header=header, manifest=manifest, files=sink.files)


def extract_package(
    path: Path,
    out_dir: Path,
    *,
    recipient_key: PrivateKey,
    trusted_sender_keys: Iterable[PublicKey],
) -> ExtractedPackage:
    """Verify, decrypt and write the files and ``manifest.json`` into ``out_dir``.

    Refuses (E_PACKAGE_OUTPUT) if any of those names already exists there; on any error no
    file is left behind. Written files are readable by their owner only.
    """
    existed = out_dir.exists()
    try:
        with contextlib.ExitStack() as stack:
            sink = _FolderSink(out_dir, stack)
            header, manifest = _open(path, recipient_key, trusted_sender_keys, sink)
    except BaseException:
        if not existed:  # leave no trace, not even an empty folder
            with contextlib.suppress(OSError):
                out_dir.rmdir()
        raise
    return ExtractedPackage(
        header=header,
        manifest=manifest,
        manifest_path=out_dir / MANIFEST_FILE_NAME,
        paths=sink.paths,
    )
