"""Checkpoints: signed, verifiable with the public key alone, appended and never rewritten."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from matchgate.audit import (
    Checkpoint,
    CheckpointFormatError,
    append_checkpoint,
    read_checkpoints,
    sign_checkpoint,
    signature_valid,
)
from matchgate.disclosure.keys import generate_keypair, key_id

KEY = generate_keypair()
TRUSTED = {key_id(KEY): KEY.public_key()}
LOG = "0123456789abcdef0123456789abcdef"


def _checkpoint(size: int = 5, root: bytes = b"\x11" * 32) -> Checkpoint:
    return sign_checkpoint(
        log_id=LOG,
        size=size,
        root=root,
        time="2025-03-01T12:00:00.000000Z",
        key=KEY,
        key_id=key_id(KEY),
    )


def test_signed_checkpoint_verifies_and_any_change_breaks_it() -> None:
    cp = _checkpoint()
    assert signature_valid(cp, TRUSTED) is True
    assert Checkpoint.from_line(cp.to_line()) == cp
    for change in (
        {"size": 6},
        {"root": "22" * 32},
        {"time": "2025-03-01T12:00:00.000001Z"},
        {"log_id": "f" * 32},
        {"signature": cp.signature[:-4] + "AAA="},
        {"signature": "not base64!"},
    ):
        assert signature_valid(dataclasses.replace(cp, **change), TRUSTED) is False, change


def test_a_checkpoint_signed_by_another_key_is_untrusted() -> None:
    other = generate_keypair()
    cp = sign_checkpoint(
        log_id=LOG,
        size=1,
        root=b"\x00" * 32,
        time="2025-03-01T12:00:00.000000Z",
        key=other,
        key_id=key_id(other),
    )
    assert signature_valid(cp, TRUSTED) is None
    # Claiming the trusted key's id does not help: the signature is checked with that key.
    assert signature_valid(dataclasses.replace(cp, key_id=key_id(KEY)), TRUSTED) is False


@pytest.mark.parametrize(
    "line",
    [
        "{}",
        '{"v":1}',
        _checkpoint().to_line().replace('"v":1', '"v":2'),
        _checkpoint().to_line().replace('"size":5', '"size":-5'),
        _checkpoint().to_line().replace('"size":5', '"size":true'),
        _checkpoint().to_line().replace(LOG, "x" * 32),
        _checkpoint().to_line().replace(",", ", "),
        "not json",
    ],
)
def test_malformed_lines_are_refused(line: str) -> None:
    with pytest.raises(CheckpointFormatError):
        Checkpoint.from_line(line)


def test_append_only_file_survives_a_torn_line(tmp_path: Path) -> None:
    path = tmp_path / "cp" / "checkpoints.jsonl"
    first, second = _checkpoint(1), _checkpoint(2)
    append_checkpoint(path, first)
    with path.open("a") as handle:
        handle.write('{"v":1,"log":"torn')  # a crash mid-write
    append_checkpoint(path, second)
    found = read_checkpoints(path)
    assert found.checkpoints == (first, second)
    assert [number for number, _ in found.bad_lines] == [2]
    assert path.read_text().count("\n") == 3
