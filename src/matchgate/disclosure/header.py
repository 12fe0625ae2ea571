"""The package header: the part every handler can read, and the reader's first check.

The header travels in the clear (it names the protective marking, so a mail room or file
transfer operator knows how to treat the file) and is covered by the signature and bound into
every ciphertext as associated data, so nothing in it can change unnoticed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from matchgate.disclosure.fields import KeyId, PackageId, Text, Timestamp, hex_bytes

MIN_CHUNK_SIZE = 1 << 12
MAX_CHUNK_SIZE = 1 << 24
DEFAULT_CHUNK_SIZE = 1 << 20
MAX_MANIFEST_SIZE = (1 << 24) + 16
MAX_CHUNKS = (1 << 32) - 2  # chunk i uses nonce counter i + 1; counter 0 is the manifest's
MAX_PAYLOAD_SIZE = (1 << 53) - 1  # exact in every JSON reader, including JavaScript's


class Algorithms(BaseModel):
    """Algorithm identifiers; version 1 allows exactly these values."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    content: Literal["AES-256-GCM"] = Field(
        description="content encryption of the manifest and the chunks"
    )
    key_agreement: Literal["ECDH-ES-P256"] = Field(
        description="ephemeral-static ECDH on NIST P-256 (secp256r1)"
    )
    kdf: Literal["HKDF-SHA256"] = Field(
        description="RFC 5869 HKDF with SHA-256 deriving the key-encryption key"
    )
    key_wrap: Literal["AES-256-KW"] = Field(
        description="RFC 3394 AES key wrap of the 256-bit data key"
    )
    signature: Literal["ECDSA-P256-SHA256"] = Field(
        description="ECDSA on P-256 over SHA-256, signature as 64 bytes r || s (IEEE P1363)",
    )


V1_ALGORITHMS = Algorithms(
    content="AES-256-GCM",
    key_agreement="ECDH-ES-P256",
    kdf="HKDF-SHA256",
    key_wrap="AES-256-KW",
    signature="ECDSA-P256-SHA256",
)


class PackageHeader(BaseModel):
    """Header of a version 1 package (canonical JSON in the container)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    package_id: PackageId = Field(description="random UUID (version 4), lowercase")
    created_at: Timestamp = Field(description="when the package was sealed, UTC")
    marking: Text = Field(description="protective marking, e.g. CUI//SP-PRVCY")
    sender_key_id: KeyId = Field(description="key id of the signing key of the sender")
    recipient_key_id: KeyId = Field(description="key id of the recipient's public key")
    algorithms: Algorithms
    ephemeral_public_key: Annotated[str, hex_bytes(65)] = Field(
        description="sender's one-time P-256 public key, uncompressed SEC 1 point (04 || X || Y)"
    )
    kdf_salt: Annotated[str, hex_bytes(32)] = Field(description="random HKDF salt")
    wrapped_key: Annotated[str, hex_bytes(40)] = Field(
        description="the 32-byte data key wrapped with AES-256-KW under the derived KEK"
    )
    nonce_prefix: Annotated[str, hex_bytes(8)] = Field(
        description="random first 8 bytes of every AES-GCM nonce in this package"
    )
    chunk_size: int = Field(description="plaintext bytes per chunk; a power of two, 4 KiB-16 MiB")
    manifest_size: int = Field(
        ge=18, le=MAX_MANIFEST_SIZE, description="bytes of the encrypted manifest, tag included"
    )
    payload_size: int = Field(
        ge=0, le=MAX_PAYLOAD_SIZE, description="plaintext bytes of all files together"
    )

    @field_validator("chunk_size")
    @classmethod
    def _power_of_two(cls, value: int) -> int:
        if not MIN_CHUNK_SIZE <= value <= MAX_CHUNK_SIZE or value & (value - 1):
            raise ValueError("must be a power of two from 4096 to 16777216")
        return value

    @model_validator(mode="after")
    def _chunk_count(self) -> PackageHeader:
        if chunk_count(self.payload_size, self.chunk_size) > MAX_CHUNKS:
            raise ValueError("payload needs more chunks than nonces allow")
        return self

    @property
    def chunks(self) -> int:
        return chunk_count(self.payload_size, self.chunk_size)


def chunk_count(payload_size: int, chunk_size: int) -> int:
    """Chunks holding ``payload_size`` bytes: at least one, the last possibly short or empty."""
    return max(1, -(-payload_size // chunk_size))


def chunk_plain_sizes(payload_size: int, chunk_size: int) -> Iterator[int]:
    """Plaintext size of each chunk, in order (the ciphertext adds a 16-byte tag to each)."""
    count = chunk_count(payload_size, chunk_size)
    for _ in range(count - 1):
        yield chunk_size
    yield payload_size - (count - 1) * chunk_size
