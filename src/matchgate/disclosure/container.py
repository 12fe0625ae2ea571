"""The byte layout of a version 1 package file, and the reading of its clear prologue.

::

    offset          size            field
    0               8               magic  89 4D 47 50 0D 0A 1A 0A  ("\\x89MGP\\r\\n\\x1a\\n")
    8               2               format version, unsigned big-endian (1)
    10              4               header length H, unsigned big-endian (1 .. 65536)
    14              H               header: canonical JSON (see header.py)
    14+H            manifest_size   encrypted manifest (AES-256-GCM, tag appended)
    ...             ...             chunk 0 .. n-1: encrypted payload (chunk_size + 16 each,
                                    the last one payload-remainder + 16)
    end-64          64              signature r || s over every byte before it

Everything before the signature has a length known from the header, so the reader knows the
exact file size before it reads a ciphertext byte: a truncated file or one with bytes appended is
refused at once.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from pydantic import ValidationError

from matchgate.disclosure.canonical import NotCanonical, describe_validation_error, parse_canonical
from matchgate.disclosure.crypto import SIGNATURE_SIZE, TAG_SIZE
from matchgate.disclosure.errors import (
    E_PACKAGE_CORRUPT,
    E_PACKAGE_FILE,
    E_PACKAGE_FORMAT,
    E_PACKAGE_VERSION,
    PackageError,
)
from matchgate.disclosure.header import V1_ALGORITHMS, PackageHeader, chunk_plain_sizes

MAGIC = b"\x89MGP\r\n\x1a\n"
FORMAT_VERSION = 1
SUPPORTED_VERSIONS = (FORMAT_VERSION,)
MAX_HEADER_SIZE = 1 << 16
_FIXED = struct.Struct(">8sHI")  # magic, version, header length
PROLOGUE_FIXED_SIZE = _FIXED.size


def encode_prologue(header_json: bytes) -> bytes:
    """Magic, version, header length and header: the clear start of every package."""
    if not 0 < len(header_json) <= MAX_HEADER_SIZE:
        raise ValueError("header size out of range")
    return _FIXED.pack(MAGIC, FORMAT_VERSION, len(header_json)) + header_json


def _exactly(handle: BinaryIO, size: int, path: Path, what: str) -> bytes:
    data = handle.read(size)
    if len(data) != size:
        raise PackageError(f"is truncated (in the {what})", code=E_PACKAGE_CORRUPT, path=path)
    return data


def read_prologue(handle: BinaryIO, path: Path) -> tuple[bytes, PackageHeader]:
    """``(prologue bytes, header)`` from the start of ``handle``; typed errors for anything else.

    Checks, in order: magic (E_PACKAGE_FORMAT), version (E_PACKAGE_VERSION), header length and
    canonical JSON (E_PACKAGE_CORRUPT), algorithm identifiers (E_PACKAGE_VERSION), fields.
    """
    head = handle.read(len(MAGIC))
    if head != MAGIC:
        if head and len(head) < len(MAGIC) and MAGIC.startswith(head):
            raise PackageError(
                "is truncated (in the magic bytes)", code=E_PACKAGE_CORRUPT, path=path
            )
        raise PackageError(
            "is not a matchgate package (its first bytes are not the package magic)",
            code=E_PACKAGE_FORMAT,
            path=path,
        )
    rest = _exactly(handle, PROLOGUE_FIXED_SIZE - len(MAGIC), path, "prologue")
    _, version, header_size = _FIXED.unpack(head + rest)
    if version not in SUPPORTED_VERSIONS:
        supported = ", ".join(str(v) for v in SUPPORTED_VERSIONS)
        raise PackageError(
            f"uses package format version {version}; this reader supports version {supported} "
            "only (a newer matchgate may read it)",
            code=E_PACKAGE_VERSION,
            path=path,
        )
    if not 0 < header_size <= MAX_HEADER_SIZE:
        raise PackageError(
            f"declares a header of {header_size} bytes (allowed 1 to {MAX_HEADER_SIZE})",
            code=E_PACKAGE_CORRUPT,
            path=path,
        )
    header_json = _exactly(handle, header_size, path, "header")
    try:
        fields = parse_canonical(header_json)
    except NotCanonical as exc:
        raise PackageError(f"header {exc}", code=E_PACKAGE_CORRUPT, path=path) from None
    algorithms = fields.get("algorithms")
    expected = V1_ALGORITHMS.model_dump()
    if isinstance(algorithms, dict) and algorithms != expected:
        for role, name in sorted(algorithms.items()):
            if expected.get(role) != name:
                raise PackageError(
                    f"header names {role} algorithm {str(name)[:40]!r}, which format version 1 "
                    "does not define",
                    code=E_PACKAGE_VERSION,
                    path=path,
                )
    try:
        header = PackageHeader.model_validate(fields)
    except ValidationError as exc:
        why = describe_validation_error(exc)
        raise PackageError(
            f"header is not valid: {why}", code=E_PACKAGE_CORRUPT, path=path
        ) from None
    return head + rest + header_json, header


@dataclass(frozen=True)
class Span:
    """Bytes ``[start, end)`` of the package file."""

    start: int
    end: int

    @property
    def size(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class Layout:
    """Where each part of a package lies; tests and tamper drills use it to aim."""

    prologue: Span
    header: Span
    wrapped_key: Span
    ephemeral_public_key: Span
    manifest: Span
    chunks: tuple[Span, ...]
    signature: Span

    @property
    def total(self) -> int:
        return self.signature.end


def _field_span(prologue: bytes, header_start: int, name: str, value: str) -> Span:
    needle = f'"{name}":"{value}"'.encode("ascii")
    at = prologue.index(needle, header_start) + len(name) + 4
    return Span(at, at + len(value))


def package_length(prologue_size: int, header: PackageHeader) -> int:
    """The exact file length a package with this header must have (arithmetic only: the
    header is not yet verified, so nothing may be sized by it before this check)."""
    tags = TAG_SIZE * header.chunks
    return prologue_size + header.manifest_size + header.payload_size + tags + SIGNATURE_SIZE


def layout_of(prologue: bytes, header: PackageHeader) -> Layout:
    """The layout a package with this prologue and header must have."""
    at = len(prologue)
    manifest = Span(at, at + header.manifest_size)
    at = manifest.end
    chunks = []
    for plain in chunk_plain_sizes(header.payload_size, header.chunk_size):
        chunks.append(Span(at, at + plain + TAG_SIZE))
        at += plain + TAG_SIZE
    return Layout(
        prologue=Span(0, len(prologue)),
        header=Span(PROLOGUE_FIXED_SIZE, len(prologue)),
        wrapped_key=_field_span(prologue, PROLOGUE_FIXED_SIZE, "wrapped_key", header.wrapped_key),
        ephemeral_public_key=_field_span(
            prologue, PROLOGUE_FIXED_SIZE, "ephemeral_public_key", header.ephemeral_public_key
        ),
        manifest=manifest,
        chunks=tuple(chunks),
        signature=Span(at, at + SIGNATURE_SIZE),
    )


def package_layout(path: Path) -> Layout:
    """The layout of the package at ``path``, from its (unverified) header."""
    with open(path, "rb") as handle:
        prologue, header = read_prologue(handle, path)
    return layout_of(prologue, header)


def read_header(path: Path) -> PackageHeader:
    """The header of the package at ``path``, NOT verified: for display before opening."""
    try:
        with open(path, "rb") as handle:
            return read_prologue(handle, path)[1]
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise PackageError(
            f"cannot read package ({reason})", code=E_PACKAGE_FILE, path=path
        ) from None
