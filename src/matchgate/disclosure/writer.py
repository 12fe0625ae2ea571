"""Seal files into a version 1 package: encrypt to the recipient, then sign.

Encrypt-then-sign, so that the recipient can check the signature over every byte before it
decrypts a single one; the sender and recipient key ids sit in the signed header and in the
key derivation, so the signature cannot be lifted onto someone else's ciphertext and the
package cannot be re-addressed to another recipient.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import ValidationError

from matchgate.atomic import atomic_path
from matchgate.disclosure.canonical import describe_validation_error, model_bytes
from matchgate.disclosure.container import encode_prologue
from matchgate.disclosure.crypto import (
    DATA_KEY_SIZE,
    KIND_CHUNK,
    KIND_MANIFEST,
    MANIFEST_COUNTER,
    NONCE_PREFIX_SIZE,
    SALT_SIZE,
    TAG_SIZE,
    associated_data,
    nonce,
    random_bytes,
    sign_digest,
    wrap_data_key,
)
from matchgate.disclosure.errors import E_PACKAGE_CONTENT, E_PACKAGE_FILE, PackageError
from matchgate.disclosure.header import (
    DEFAULT_CHUNK_SIZE,
    MAX_MANIFEST_SIZE,
    V1_ALGORITHMS,
    PackageHeader,
    chunk_count,
)
from matchgate.disclosure.keys import PrivateKey, PublicKey, key_id
from matchgate.disclosure.manifest import FileEntry, Manifest, ManifestInfo

Source = bytes | Path
_READ_SIZE = 1 << 20


def _pieces(source: Source, size: int) -> Iterator[bytes]:
    if isinstance(source, bytes):
        view = memoryview(source)
        for at in range(0, len(view), size):
            yield bytes(view[at : at + size])
        return
    with open(source, "rb") as handle:
        while piece := handle.read(size):
            yield piece


def _where(source: Source) -> Path | None:
    return source if isinstance(source, Path) else None


def _entry(name: str, source: Source) -> FileEntry:
    digest = hashlib.sha256()
    size = 0
    try:
        for piece in _pieces(source, _READ_SIZE):
            digest.update(piece)
            size += len(piece)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise PackageError(
            f"cannot read ({reason})", code=E_PACKAGE_FILE, path=_where(source)
        ) from None
    try:
        return FileEntry(name=name, size=size, sha256=digest.hexdigest())
    except ValidationError:
        raise PackageError(
            f"file name {name[:80]!r} is not allowed in a package (letters, digits, '.', '_', "
            "'-'; not starting with '.'; at most 128 characters)",
            code=E_PACKAGE_CONTENT,
        ) from None


def _payload_chunks(sources: list[tuple[FileEntry, Source]], chunk_size: int) -> Iterator[bytes]:
    """The payload (files one after another) cut into chunk_size pieces, the last one short.

    Each file is hashed again as it is read; a file that changed since the manifest was made
    stops the sealing.
    """
    buffer = bytearray()
    produced = 0
    for entry, source in sources:
        digest = hashlib.sha256()
        size = 0
        pieces = _pieces(source, chunk_size)
        while True:
            try:
                piece = next(pieces)
            except StopIteration:
                break
            except OSError as exc:
                reason = exc.strerror or type(exc).__name__
                raise PackageError(
                    f"cannot read ({reason})", code=E_PACKAGE_FILE, path=_where(source)
                ) from None
            digest.update(piece)
            size += len(piece)
            buffer += piece
            while len(buffer) >= chunk_size:
                yield bytes(buffer[:chunk_size])
                del buffer[:chunk_size]
                produced += 1
        if size != entry.size or digest.hexdigest() != entry.sha256:
            raise PackageError(
                f"file {entry.name} changed while it was being sealed", code=E_PACKAGE_CONTENT
            )
    if buffer or produced == 0:
        yield bytes(buffer)


class _HashingWriter:
    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()

    def write(self, data: bytes) -> None:
        self.digest.update(data)
        self.handle.write(data)


def _timestamp(moment: datetime | None) -> str:
    moment = datetime.now(UTC) if moment is None else moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def seal(
    out: Path,
    files: Mapping[str, Source],
    info: ManifestInfo,
    *,
    sender_key: PrivateKey,
    recipient_public_key: PublicKey,
    marking: str,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    created_at: datetime | None = None,
) -> Manifest:
    """Write a package to ``out`` (all or nothing) holding ``files`` and return its manifest.

    ``files`` maps a plain file name to its bytes or to a path to read; the files are read
    twice (hash, then encrypt), one chunk at a time, so memory stays near three chunks.
    """
    entries = [(_entry(name, source), source) for name, source in files.items()]
    package_id = str(uuid.uuid4())
    created = _timestamp(created_at)
    sender_key_id = key_id(sender_key)
    recipient_key_id = key_id(recipient_public_key)
    try:
        manifest = Manifest(
            **info.model_dump(),
            package_id=package_id,
            created_at=created,
            marking=marking,
            sender_key_id=sender_key_id,
            recipient_key_id=recipient_key_id,
            files=[entry for entry, _ in entries],
        )
    except ValidationError as exc:
        why = describe_validation_error(exc)
        raise PackageError(f"cannot make the manifest: {why}", code=E_PACKAGE_CONTENT) from None
    manifest_json = model_bytes(manifest)
    if len(manifest_json) + TAG_SIZE > MAX_MANIFEST_SIZE:
        raise PackageError("the manifest is larger than 16 MiB", code=E_PACKAGE_CONTENT)

    data_key = random_bytes(DATA_KEY_SIZE)
    salt = random_bytes(SALT_SIZE)
    prefix = random_bytes(NONCE_PREFIX_SIZE)
    point, wrapped = wrap_data_key(
        data_key,
        recipient_public_key,
        salt=salt,
        package_id=package_id,
        sender_key_id=sender_key_id,
        recipient_key_id=recipient_key_id,
    )
    try:
        header = PackageHeader(
            package_id=package_id,
            created_at=created,
            marking=marking,
            sender_key_id=sender_key_id,
            recipient_key_id=recipient_key_id,
            algorithms=V1_ALGORITHMS,
            ephemeral_public_key=point.hex(),
            kdf_salt=salt.hex(),
            wrapped_key=wrapped.hex(),
            nonce_prefix=prefix.hex(),
            chunk_size=chunk_size,
            manifest_size=len(manifest_json) + TAG_SIZE,
            payload_size=manifest.payload_size,
        )
    except ValidationError as exc:
        why = describe_validation_error(exc)
        raise PackageError(f"cannot make the header: {why}", code=E_PACKAGE_CONTENT) from None
    prologue = encode_prologue(model_bytes(header))
    header_digest = hashlib.sha256(prologue).digest()
    aead = AESGCM(data_key)
    chunks = chunk_count(header.payload_size, chunk_size)

    try:
        with atomic_path(out) as tmp, open(tmp, "wb") as handle:
            writer = _HashingWriter(handle)
            writer.write(prologue)
            ad = associated_data(header_digest, KIND_MANIFEST, final=True)
            writer.write(aead.encrypt(nonce(prefix, MANIFEST_COUNTER), manifest_json, ad))
            index = -1
            for index, plain in enumerate(_payload_chunks(entries, chunk_size)):
                final = index == chunks - 1
                ad = associated_data(header_digest, KIND_CHUNK, final)
                writer.write(aead.encrypt(nonce(prefix, index + 1), plain, ad))
            if index != chunks - 1:  # a source grew or shrank between the two reads
                raise PackageError(
                    "a file changed while it was being sealed", code=E_PACKAGE_CONTENT
                )
            writer.write(sign_digest(sender_key, writer.digest.digest()))
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise PackageError(
            f"cannot write package ({reason})", code=E_PACKAGE_FILE, path=out
        ) from None
    return manifest
