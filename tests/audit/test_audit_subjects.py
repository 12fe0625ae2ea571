"""Subject HMACs: stable, keyed, never the SSN, and a key file kept private."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from matchgate.audit import (
    AuditKeyError,
    SubjectKey,
    SubjectKeyInputError,
    generate_subject_key,
    load_subject_key,
    subject_key,
    write_subject_key,
)
from matchgate.audit.events import SUBJECT_PATTERN


def test_same_ssn_same_subject_whatever_the_separators() -> None:
    key = SubjectKey(bytes(range(32)))
    a = subject_key(key, "123-45-6789")
    assert (
        a
        == subject_key(key, "123456789")
        == subject_key(key, " 123 45 6789 ")
        == key.ssn("123456789")
    )
    assert SUBJECT_PATTERN.match(a)
    assert "123456789" not in a
    assert a != subject_key(key, "123-45-6788")
    assert a != subject_key(SubjectKey(bytes(32)), "123-45-6789")


def test_a_known_value_pins_the_construction() -> None:
    # HMAC-SHA256(key = 00..1f, "matchgate-subject-v1\0ssn\0" + digits): changing the message
    # format would orphan every subject already in a log, so it is pinned here.
    import hashlib
    import hmac

    key = bytes(range(32))
    expected = hmac.new(
        key, b"matchgate-subject-v1\x00ssn\x00123456789", hashlib.sha256
    ).hexdigest()
    assert subject_key(SubjectKey(key), "123-45-6789") == expected


@pytest.mark.parametrize(
    "bad", ["", "12345678", "1234567890", "000-12-3456", "666123456", "12a456789"]
)
def test_an_invalid_ssn_is_refused_without_echoing_it(bad: str) -> None:
    with pytest.raises(SubjectKeyInputError) as caught:
        subject_key(generate_subject_key(), bad)
    if bad:
        assert bad not in str(caught.value)


def test_key_file_round_trip_private_and_never_replaced(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "subject.hmac"
    key = generate_subject_key()
    write_subject_key(key, path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_subject_key(path) == key
    assert key.secret.hex() not in repr(key)
    with pytest.raises(AuditKeyError, match="not replacing"):
        write_subject_key(generate_subject_key(), path)
    os.chmod(path, 0o644)
    with pytest.raises(AuditKeyError, match="readable by others"):
        load_subject_key(path)


def test_missing_or_damaged_key_files_are_configuration_errors(tmp_path: Path) -> None:
    with pytest.raises(AuditKeyError, match="audit init"):
        load_subject_key(tmp_path / "none")
    bad = tmp_path / "bad"
    bad.write_text("zz\n")
    bad.chmod(0o600)
    with pytest.raises(AuditKeyError, match="not a hex"):
        load_subject_key(bad)
    short = tmp_path / "short"
    short.write_text("abcd\n")
    short.chmod(0o600)
    with pytest.raises(AuditKeyError, match="32 bytes"):
        load_subject_key(short)
