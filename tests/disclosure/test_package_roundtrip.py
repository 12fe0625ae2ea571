"""Sealed packages open to exactly what went in: sizes, chunk boundaries, sources, folders."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

import pytest
from tests.disclosure.conftest import INFO, RESPONSE, MakePackage

from matchgate.disclosure import (
    E_PACKAGE_CONTENT,
    E_PACKAGE_OUTPUT,
    MANIFEST_FILE_NAME,
    PackageError,
    PrivateKey,
    check_package,
    extract_package,
    open_package,
    package_layout,
    read_header,
    seal,
    verify_package,
)


def opened(path: Path, recipient: PrivateKey, sender: PrivateKey) -> dict[str, bytes]:
    return open_package(
        path, recipient_key=recipient, trusted_sender_keys=[sender.public_key()]
    ).files


@pytest.mark.parametrize(
    "sizes",
    [
        [0],
        [],
        [1],
        [4095],
        [4096],
        [4097],
        [8192],
        [100, 0, 5000, 0],
        [3000, 3000, 3000],
        [0, 0],
    ],
    ids=str,
)
def test_round_trip_across_chunk_boundaries(
    sizes: list[int], make_package: MakePackage, recipient: PrivateKey, sender: PrivateKey
) -> None:
    files = {f"f{i}.bin": os.urandom(n) for i, n in enumerate(sizes)}
    path = make_package(files, chunk_size=4096)
    result = open_package(path, recipient_key=recipient, trusted_sender_keys=[sender.public_key()])
    assert result.files == files
    assert [f.name for f in result.manifest.files] == list(files)
    assert [f.size for f in result.manifest.files] == sizes
    for entry in result.manifest.files:
        assert entry.sha256 == hashlib.sha256(files[entry.name]).hexdigest()
    expected_chunks = max(1, -(-sum(sizes) // 4096))
    assert len(package_layout(path).chunks) == expected_chunks


def test_multi_chunk_payload_at_default_chunk_size(
    tmp_path: Path, recipient: PrivateKey, sender: PrivateKey
) -> None:
    payload = os.urandom(3 * (1 << 20) + 12345)
    out = tmp_path / "big.mgp"
    seal(
        out,
        {"big.bin": payload},
        INFO,
        sender_key=sender,
        recipient_public_key=recipient.public_key(),
        marking="CUI//SP-PRVCY",
    )
    assert len(package_layout(out).chunks) == 4
    assert opened(out, recipient, sender) == {"big.bin": payload}


def test_paths_and_bytes_mix_and_keep_order(
    tmp_path: Path, make_package: MakePackage, recipient: PrivateKey, sender: PrivateKey
) -> None:
    on_disk = tmp_path / "disk.csv"
    on_disk.write_bytes(os.urandom(9000))
    path = make_package({"z.csv": b"last?", "disk.csv": on_disk, "a.txt": b""})
    result = opened(path, recipient, sender)
    assert list(result) == ["z.csv", "disk.csv", "a.txt"]
    assert result["disk.csv"] == on_disk.read_bytes()


def test_manifest_carries_provenance_and_agrees_with_header(
    make_package: MakePackage, recipient: PrivateKey, sender: PrivateKey
) -> None:
    path = make_package()
    result = open_package(path, recipient_key=recipient, trusted_sender_keys=[sender.public_key()])
    manifest, header = result.manifest, result.header
    assert manifest.job_id == INFO.job_id
    assert manifest.counts == {"match": 2, "possible": 1, "no_match": 4}
    assert manifest.agreement_version == "3"
    assert manifest.marking == header.marking == "CUI//SP-PRVCY"
    assert manifest.package_id == header.package_id
    assert read_header(path) == header
    assert verify_package(path, trusted_sender_keys=[sender.public_key()]) == header


def test_extract_writes_owner_only_files_and_the_manifest(
    tmp_path: Path, make_package: MakePackage, recipient: PrivateKey, sender: PrivateKey
) -> None:
    path = make_package({"response.csv": RESPONSE, "empty.csv": b""})
    out = tmp_path / "opened"
    result = extract_package(
        path, out, recipient_key=recipient, trusted_sender_keys=[sender.public_key()]
    )
    assert sorted(p.name for p in out.iterdir()) == [
        "empty.csv",
        MANIFEST_FILE_NAME,
        "response.csv",
    ]
    assert (out / "response.csv").read_bytes() == RESPONSE
    assert (out / "empty.csv").read_bytes() == b""
    for child in out.iterdir():
        assert stat.S_IMODE(child.stat().st_mode) == 0o600
    manifest = json.loads((out / MANIFEST_FILE_NAME).read_text())
    assert manifest["package_id"] == result.manifest.package_id
    assert result.paths == {"response.csv": out / "response.csv", "empty.csv": out / "empty.csv"}


def test_extract_refuses_to_replace_files_and_writes_nothing(
    tmp_path: Path, make_package: MakePackage, recipient: PrivateKey, sender: PrivateKey
) -> None:
    path = make_package({"response.csv": RESPONSE, "other.csv": b"x"})
    out = tmp_path / "opened"
    out.mkdir()
    (out / "other.csv").write_bytes(b"mine")
    with pytest.raises(PackageError) as caught:
        extract_package(
            path, out, recipient_key=recipient, trusted_sender_keys=[sender.public_key()]
        )
    assert caught.value.code == E_PACKAGE_OUTPUT
    assert [p.name for p in out.iterdir()] == ["other.csv"]
    assert (out / "other.csv").read_bytes() == b"mine"


def test_check_package_decrypts_everything_and_keeps_nothing(
    tmp_path: Path, make_package: MakePackage, recipient: PrivateKey, sender: PrivateKey
) -> None:
    path = make_package({"a.bin": os.urandom(10_000)})
    before = sorted(tmp_path.iterdir())
    header, manifest = check_package(
        path, recipient_key=recipient, trusted_sender_keys=[sender.public_key()]
    )
    assert manifest.files[0].size == 10_000
    assert header.payload_size == 10_000
    assert sorted(tmp_path.iterdir()) == before


@pytest.mark.parametrize(
    "name", ["../escape.csv", "a/b.csv", ".hidden", "", "x" * 129, "sp ace.csv", "é.csv"]
)
def test_file_names_that_are_not_plain_are_refused(
    name: str, make_package: MakePackage, tmp_path: Path
) -> None:
    with pytest.raises(PackageError) as caught:
        make_package({name: b"x"})
    assert caught.value.code == E_PACKAGE_CONTENT
    assert not list(tmp_path.glob("*.mgp"))


@pytest.mark.parametrize(
    "files",
    [{"a.csv": b"", "A.CSV": b""}, {"manifest.json": b"{}"}, {"Manifest.JSON": b""}],
    ids=["case-duplicate", "reserved", "reserved-case"],
)
def test_duplicate_and_reserved_names_are_refused(
    files: dict[str, bytes], make_package: MakePackage
) -> None:
    with pytest.raises(PackageError) as caught:
        make_package(files)
    assert caught.value.code == E_PACKAGE_CONTENT


@pytest.mark.parametrize("marking", ["", " CUI", "CUI\n", "CUI//SP-PRVCY\x1b[2J", "x" * 201])
def test_markings_must_be_printable_ascii(
    marking: str, tmp_path: Path, sender: PrivateKey, recipient: PrivateKey
) -> None:
    with pytest.raises(PackageError) as caught:
        seal(
            tmp_path / "p.mgp",
            {"a": b""},
            INFO,
            sender_key=sender,
            recipient_public_key=recipient.public_key(),
            marking=marking,
        )
    assert caught.value.code == E_PACKAGE_CONTENT


@pytest.mark.parametrize("chunk_size", [1000, 2048, 4097, 1 << 25])
def test_chunk_sizes_outside_the_format_are_refused(
    chunk_size: int, make_package: MakePackage
) -> None:
    with pytest.raises(PackageError) as caught:
        make_package(chunk_size=chunk_size)
    assert caught.value.code == E_PACKAGE_CONTENT


def test_each_seal_is_fresh(make_package: MakePackage) -> None:
    first, second = make_package(), make_package()
    one, two = read_header(first), read_header(second)
    assert one.package_id != two.package_id
    assert one.wrapped_key != two.wrapped_key
    assert one.ephemeral_public_key != two.ephemeral_public_key
    assert one.nonce_prefix != two.nonce_prefix
    assert first.read_bytes()[-64:] != second.read_bytes()[-64:]
