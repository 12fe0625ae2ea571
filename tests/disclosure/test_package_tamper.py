"""Every change to a package is refused with a typed error, and nothing is written.

The signature covers every byte before it and is checked before any decryption, so most edits
end at E_PACKAGE_SIGNATURE; edits that are signed again (``resign``) show that the layers
under it (chunk order, final flag, key wrap, header checks) hold on their own.
"""

from __future__ import annotations

import hashlib
import os
import struct
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.disclosure.conftest import RESPONSE, MakePackage
from tests.disclosure.resign import resign, swap_chunks, with_header

from matchgate.disclosure import (
    CODES,
    E_PACKAGE_CORRUPT,
    E_PACKAGE_FORMAT,
    E_PACKAGE_KEY,
    E_PACKAGE_SENDER,
    E_PACKAGE_SIGNATURE,
    E_PACKAGE_VERSION,
    PackageError,
    PrivateKey,
    check_package,
    extract_package,
    package_layout,
    private_key_pem,
    read_header,
)
from matchgate.disclosure.crypto import (
    KIND_CHUNK,
    associated_data,
    nonce,
    unwrap_data_key,
)

# Three chunks of 4 KiB; the response rows sit at the start so they span the first chunk.
PAYLOAD = {"response.csv": RESPONSE * 60, "tail.bin": bytes(range(256)) * 8}


@pytest.fixture
def package(make_package: MakePackage) -> Path:
    path = make_package(PAYLOAD, chunk_size=4096)
    assert len(package_layout(path).chunks) == 3
    return path


def refuse(data: bytes, recipient: PrivateKey, sender: PrivateKey) -> PackageError:
    """Try to extract ``data``; assert it is refused and that nothing at all was written."""
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "tampered.mgp"
        path.write_bytes(data)
        out = Path(work) / "out"
        with pytest.raises(PackageError) as caught:
            extract_package(
                path, out, recipient_key=recipient, trusted_sender_keys=[sender.public_key()]
            )
        assert [p.name for p in Path(work).iterdir()] == ["tampered.mgp"]
    error = caught.value
    assert error.code in CODES
    return error


def data_key(path: Path, recipient: PrivateKey) -> bytes:
    header = read_header(path)
    key = unwrap_data_key(
        bytes.fromhex(header.wrapped_key),
        bytes.fromhex(header.ephemeral_public_key),
        recipient,
        salt=bytes.fromhex(header.kdf_salt),
        package_id=header.package_id,
        sender_key_id=header.sender_key_id,
        recipient_key_id=header.recipient_key_id,
    )
    assert key is not None
    return key


def secrets_of(path: Path, recipient: PrivateKey, sender: PrivateKey) -> Iterator[bytes]:
    """Byte strings no error message may contain: plaintext, keys, the data key."""
    secret_key = data_key(path, recipient)
    yield secret_key
    yield secret_key.hex().encode()
    yield from (b"MARIA", b"GARCIA-LOPEZ", b"123456789", b"P100")  # personal values in RESPONSE
    for key in (recipient, sender):
        yield key.private_numbers().private_value.to_bytes(32, "big").hex().encode()
        yield private_key_pem(key).splitlines()[1]


def assert_quiet(
    error: PackageError, path: Path, recipient: PrivateKey, sender: PrivateKey
) -> None:
    message = str(error).encode()
    for secret in secrets_of(path, recipient, sender):
        assert secret not in message, secret


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_flipping_any_byte_anywhere_is_refused(
    data: st.DataObject, package: Path, recipient: PrivateKey, sender: PrivateKey
) -> None:
    original = package.read_bytes()
    layout = package_layout(package)
    parts = {
        "prologue": layout.prologue,
        "header": layout.header,
        "wrapped_key": layout.wrapped_key,
        "ephemeral_public_key": layout.ephemeral_public_key,
        "manifest": layout.manifest,
        **{f"chunk {i}": span for i, span in enumerate(layout.chunks)},
        "signature": layout.signature,
    }
    part = data.draw(st.sampled_from(sorted(parts)), label="part")
    span = parts[part]
    at = data.draw(st.integers(span.start, span.end - 1), label="offset")
    mask = data.draw(st.integers(1, 255), label="xor")
    tampered = bytearray(original)
    tampered[at] ^= mask
    error = refuse(bytes(tampered), recipient, sender)
    assert_quiet(error, package, recipient, sender)


def test_every_clear_byte_and_a_grid_of_the_ciphertext_is_covered(
    make_package: MakePackage, recipient: PrivateKey, sender: PrivateKey
) -> None:
    """A small two-chunk package: every prologue and signature byte, the edges of each
    ciphertext and every 13th byte inside them, each flipped, each refused."""
    path = make_package({"a.bin": os.urandom(4097)}, chunk_size=4096)
    original = path.read_bytes()
    layout = package_layout(path)
    positions = set(range(layout.prologue.end)) | set(
        range(layout.signature.start, layout.signature.end)
    )
    for span in (layout.manifest, *layout.chunks):
        positions |= set(range(span.start, span.start + 16)) | set(range(span.end - 16, span.end))
        positions |= set(range(span.start, span.end, 13))
    keys = [sender.public_key()]
    work = path.with_name("flip.mgp")
    codes = set()
    for at in sorted(positions):
        tampered = bytearray(original)
        tampered[at] ^= 0x01 if at % 2 else 0x80
        work.write_bytes(tampered)
        with pytest.raises(PackageError) as caught:
            check_package(work, recipient_key=recipient, trusted_sender_keys=keys)
        codes.add(caught.value.code)
    assert codes <= {
        E_PACKAGE_SIGNATURE,
        E_PACKAGE_CORRUPT,
        E_PACKAGE_FORMAT,
        E_PACKAGE_VERSION,
        E_PACKAGE_SENDER,
    }


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cut=st.integers(min_value=0))
def test_truncating_anywhere_is_refused(
    cut: int, package: Path, recipient: PrivateKey, sender: PrivateKey
) -> None:
    original = package.read_bytes()
    error = refuse(original[: cut % len(original)], recipient, sender)
    assert error.code in {E_PACKAGE_CORRUPT, E_PACKAGE_FORMAT}


def test_truncating_at_each_boundary_is_refused(
    package: Path, recipient: PrivateKey, sender: PrivateKey
) -> None:
    original = package.read_bytes()
    layout = package_layout(package)
    cuts = {0, 1, 8, 10, 14, layout.manifest.start, layout.signature.start, len(original) - 1}
    cuts |= {span.end for span in layout.chunks} | {span.start for span in layout.chunks}
    for cut in sorted(cuts):
        error = refuse(original[:cut], recipient, sender)
        assert error.code in {E_PACKAGE_CORRUPT, E_PACKAGE_FORMAT}, cut


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(extra=st.binary(min_size=1, max_size=5000))
def test_appending_bytes_is_refused(
    extra: bytes, package: Path, recipient: PrivateKey, sender: PrivateKey
) -> None:
    error = refuse(package.read_bytes() + extra, recipient, sender)
    assert error.code == E_PACKAGE_CORRUPT
    assert "after its signature" in str(error)


def test_appending_a_whole_chunk_is_refused(
    package: Path, recipient: PrivateKey, sender: PrivateKey
) -> None:
    data = package.read_bytes()
    chunk = package_layout(package).chunks[0]
    extended = data[:-64] + data[chunk.start : chunk.end] + data[-64:]
    assert refuse(extended, recipient, sender).code == E_PACKAGE_CORRUPT
    assert refuse(resign(extended, sender), recipient, sender).code == E_PACKAGE_CORRUPT


def test_reordered_chunks_are_refused_even_when_signed_again(
    package: Path, recipient: PrivateKey, sender: PrivateKey
) -> None:
    data = package.read_bytes()
    layout = package_layout(package)
    first, second = layout.chunks[0], layout.chunks[1]
    swapped = bytearray(data)
    swapped[first.start : first.end] = data[second.start : second.end]
    swapped[second.start : second.end] = data[first.start : first.end]
    assert refuse(bytes(swapped), recipient, sender).code == E_PACKAGE_SIGNATURE
    error = refuse(swap_chunks(package, sender, 0, 1), recipient, sender)
    assert error.code == E_PACKAGE_CORRUPT
    assert "chunk 0" in str(error)


def test_duplicated_chunk_is_refused_even_when_signed_again(
    package: Path, recipient: PrivateKey, sender: PrivateKey
) -> None:
    data = bytearray(package.read_bytes())
    first, second = package_layout(package).chunks[:2]
    data[second.start : second.end] = data[first.start : first.end]
    error = refuse(resign(bytes(data), sender), recipient, sender)
    assert error.code == E_PACKAGE_CORRUPT
    assert "chunk 1" in str(error)


def test_shortened_payload_is_refused_even_when_signed_again(
    package: Path, recipient: PrivateKey, sender: PrivateKey
) -> None:
    """Dropping the last chunk and lowering payload_size changes the header digest in every AD."""
    layout = package_layout(package)
    header = read_header(package)
    shorter = with_header(package, sender, payload_size=2 * header.chunk_size)
    cut = shorter[: -(layout.chunks[-1].size + 64)]
    error = refuse(resign(cut + bytes(64), sender), recipient, sender)
    assert error.code == E_PACKAGE_CORRUPT
    assert "manifest does not authenticate" in str(error)


@pytest.mark.parametrize(("index", "final"), [(2, False), (1, True), (0, True)])
def test_final_flag_is_bound_into_each_chunk(
    index: int, final: bool, package: Path, recipient: PrivateKey, sender: PrivateKey
) -> None:
    """A chunk sealed with the wrong final flag (by a buggy writer) does not authenticate."""
    data = bytearray(package.read_bytes())
    layout = package_layout(package)
    header = read_header(package)
    key = data_key(package, recipient)
    aead = AESGCM(key)
    digest = hashlib.sha256(data[: layout.prologue.end]).digest()
    prefix = bytes.fromhex(header.nonce_prefix)
    span = layout.chunks[index]
    right = associated_data(digest, KIND_CHUNK, final=index == len(layout.chunks) - 1)
    plain = aead.decrypt(nonce(prefix, index + 1), bytes(data[span.start : span.end]), right)
    wrong = associated_data(digest, KIND_CHUNK, final=final)
    data[span.start : span.end] = aead.encrypt(nonce(prefix, index + 1), plain, wrong)
    error = refuse(resign(bytes(data), sender), recipient, sender)
    assert error.code == E_PACKAGE_CORRUPT
    assert f"chunk {index} does not authenticate" in str(error)


def test_wrong_recipient_key_is_refused(
    package: Path, stranger: PrivateKey, sender: PrivateKey
) -> None:
    error = refuse(package.read_bytes(), stranger, sender)
    assert error.code == E_PACKAGE_KEY
    assert "addressed to key" in str(error)


def test_readdressed_header_does_not_unwrap(
    package: Path, stranger: PrivateKey, sender: PrivateKey
) -> None:
    """Claiming the package is for another key (and signing again) does not give that key access."""
    from matchgate.disclosure import key_id

    readdressed = with_header(package, sender, recipient_key_id=key_id(stranger))
    error = refuse(readdressed, stranger, sender)
    assert error.code == E_PACKAGE_KEY
    assert "does not unwrap" in str(error)


def test_swapped_wrapped_key_does_not_unwrap(
    package: Path, make_package: MakePackage, recipient: PrivateKey, sender: PrivateKey
) -> None:
    other = read_header(make_package(PAYLOAD))
    spliced = with_header(package, sender, wrapped_key=other.wrapped_key)
    assert refuse(spliced, recipient, sender).code == E_PACKAGE_KEY


def test_untrusted_sender_is_refused(
    package: Path, recipient: PrivateKey, stranger: PrivateKey
) -> None:
    error = refuse(package.read_bytes(), recipient, stranger)
    assert error.code == E_PACKAGE_SENDER
    assert read_header(package).sender_key_id in str(error)


def test_impostor_signature_is_refused(
    package: Path, recipient: PrivateKey, sender: PrivateKey, stranger: PrivateKey
) -> None:
    """A stranger signs the package but keeps the real sender's key id in the header."""
    assert refuse(resign(package.read_bytes(), stranger), recipient, sender).code == (
        E_PACKAGE_SIGNATURE
    )


def test_sender_swap_is_refused_even_if_that_sender_is_trusted(
    package: Path, recipient: PrivateKey, sender: PrivateKey, stranger: PrivateKey
) -> None:
    """A second trusted sender who re-signs someone else's package as their own gets nowhere."""
    from matchgate.disclosure import key_id

    relabelled = with_header(package, stranger, sender_key_id=key_id(stranger))
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "p.mgp"
        path.write_bytes(relabelled)
        with pytest.raises(PackageError) as caught:
            check_package(
                path,
                recipient_key=recipient,
                trusted_sender_keys=[sender.public_key(), stranger.public_key()],
            )
    assert caught.value.code == E_PACKAGE_KEY  # the sender's id is bound into the key wrap


@pytest.mark.parametrize("version", [0, 2, 255, 65535])
def test_unknown_versions_are_refused_by_name(
    version: int, package: Path, recipient: PrivateKey, sender: PrivateKey
) -> None:
    data = bytearray(package.read_bytes())
    data[8:10] = struct.pack(">H", version)
    for candidate in (bytes(data), resign(bytes(data), sender)):
        error = refuse(candidate, recipient, sender)
        assert error.code == E_PACKAGE_VERSION
        assert f"version {version}" in str(error)
        assert "supports version 1" in str(error)


def test_unknown_algorithm_is_refused_as_a_version_problem(
    package: Path, recipient: PrivateKey, sender: PrivateKey
) -> None:
    algorithms = read_header(package).algorithms.model_dump()
    algorithms["content"] = "CHACHA20-POLY1305"
    error = refuse(with_header(package, sender, algorithms=algorithms), recipient, sender)
    assert error.code == E_PACKAGE_VERSION
    assert "content algorithm" in str(error)


@pytest.mark.parametrize(
    "data",
    [b"", b"PK\x03\x04 a zip file", b"\x89PNG\r\n\x1a\n", b"hello world\n" * 10, bytes(100)],
    ids=["empty", "zip", "png", "text", "zeros"],
)
def test_files_that_are_not_packages_are_named_as_such(
    data: bytes, recipient: PrivateKey, sender: PrivateKey
) -> None:
    assert refuse(data, recipient, sender).code == E_PACKAGE_FORMAT


@pytest.mark.parametrize(
    "change",
    [
        {"extra_field": "x"},
        {"chunk_size": 4095},
        {"created_at": "2025-02-30T00:00:00Z"},
        {"marking": "CUI\u001b[31m"},
        {"manifest_size": 10**9},
    ],
    ids=["extra", "chunk", "date", "control", "huge-manifest"],
)
def test_bad_headers_are_refused_even_when_signed(
    change: dict[str, object], package: Path, recipient: PrivateKey, sender: PrivateKey
) -> None:
    assert refuse(with_header(package, sender, **change), recipient, sender).code == (
        E_PACKAGE_CORRUPT
    )


@pytest.mark.parametrize("chunk_size", [4096, 1 << 24])
def test_a_header_claiming_an_enormous_payload_is_refused_by_arithmetic(
    chunk_size: int, package: Path, recipient: PrivateKey, sender: PrivateKey
) -> None:
    """Billions of chunks claimed in an unverified header must not be materialized."""
    chunks = (1 << 32) - 2 if chunk_size == 4096 else (1 << 29) - 1
    huge = with_header(package, sender, chunk_size=chunk_size, payload_size=chunks * chunk_size)
    error = refuse(huge, recipient, sender)
    assert error.code == E_PACKAGE_CORRUPT
    assert "truncated" in str(error)


def test_non_canonical_header_is_refused(
    package: Path, recipient: PrivateKey, sender: PrivateKey
) -> None:
    data = package.read_bytes()
    layout = package_layout(package)
    header = data[layout.header.start : layout.header.end]
    spaced = header.replace(b'","', b'", "', 1)
    prologue = data[:10] + struct.pack(">I", len(spaced)) + spaced
    error = refuse(resign(prologue + data[layout.prologue.end :], sender), recipient, sender)
    assert error.code == E_PACKAGE_CORRUPT
    assert "canonical" in str(error)


def test_messages_of_every_refusal_are_one_line(
    package: Path, recipient: PrivateKey, sender: PrivateKey, stranger: PrivateKey
) -> None:
    data = package.read_bytes()
    for candidate, key in [
        (data[:-1], recipient),
        (data + b"x", recipient),
        (data, stranger),
        (resign(data, stranger), recipient),
    ]:
        error = refuse(candidate, key, sender)
        assert "\n" not in str(error)
        assert_quiet(error, package, recipient, sender)
