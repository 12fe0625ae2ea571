"""The data key ring and sealed fields, on a real table (``review_items``) in a real SQLite file.

All values are synthetic.
"""

from __future__ import annotations

import datetime as dt
import json
import stat
from pathlib import Path

import pytest
from sqlalchemy import text
from tests.conftest import upgrade_store

from matchgate.app.core import App
from matchgate.services.administration.datakeys import (
    data_key_file,
    init_data_keys,
    open_data_keys,
    reencrypt_data,
    retire_data_key,
    rotate_data_keys,
)
from matchgate.settings import Settings
from matchgate.storage import review
from matchgate.storage.atrest import (
    DataKeyError,
    SealedDataError,
    add_current_key,
    create_ring,
    load_ring,
    lookup,
    open_value,
    seal_value,
)
from matchgate.storage.db import session

SSNS = ("123456789", "234567891", "345678912")
A_NUMBERS = ("A012345678", "A023456789", None)
ACCOUNT = "000123456789"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    made = Settings(workspace=tmp_path / "ws")
    upgrade_store(made.sqlite_url)
    return made


def _queue(settings: Settings, job_id: str = "j" * 32) -> list[str]:
    ring = open_data_keys(App(settings))
    items = [
        review.NewItem(
            id=f"{job_id[:1]}{index:031x}",
            job_id=job_id,
            agreement_id="reference-2025-08",
            request_id=f"R{index}",
            person_id=f"P{index}",
            score=0.5,
            ssn=ssn,
            a_number=a_number,
        )
        for index, (ssn, a_number) in enumerate(zip(SSNS, A_NUMBERS, strict=True))
    ]
    with session(settings.sqlite_url) as s:
        review.add_items(s, ring, items, dt.datetime.now(dt.UTC))
    return [item.id for item in items]


def _revealed(settings: Settings) -> dict[str, dict[str, str | None]]:
    ring = open_data_keys(App(settings))
    with session(settings.sqlite_url) as s:
        return {
            row.request_id: review.reveal(ring, row) for row in review.items_of_job(s, "j" * 32)
        }


def _store_bytes(settings: Settings) -> bytes:
    folder = settings.workspace
    return b"".join(p.read_bytes() for p in folder.glob("matchgate.sqlite*"))


# -- the ring ------------------------------------------------------------------------------------


def test_ring_file_is_owner_only_and_refused_when_others_can_read_it(settings: Settings) -> None:
    made = init_data_keys(App(settings))
    assert made.created
    path = data_key_file(App(settings))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not init_data_keys(App(settings)).created  # safe to run again
    path.chmod(0o640)
    with pytest.raises(DataKeyError, match="owner-only"):
        load_ring(path)


def test_ring_never_replaced_and_a_missing_ring_is_refused_once_data_exists(
    settings: Settings,
) -> None:
    path = data_key_file(App(settings))
    init_data_keys(App(settings))
    with pytest.raises(DataKeyError, match="already exists"):
        create_ring(path)
    path.unlink()
    with pytest.raises(DataKeyError, match="restore the key file"):
        open_data_keys(App(settings))
    create_ring(path)  # a different ring at the configured path
    with pytest.raises(DataKeyError, match="not the key ring"):
        open_data_keys(App(settings))


def test_no_secret_in_a_repr(tmp_path: Path) -> None:
    ring = create_ring(tmp_path / "ring.json")
    secret = ring.current_key.secret
    assert secret is not None
    assert secret.hex() not in repr(ring)
    assert secret.hex() not in repr(ring.current_key)


def test_a_ring_reader_sees_a_key_another_process_added(tmp_path: Path) -> None:
    path = tmp_path / "ring.json"
    old = create_ring(path)
    sealed_elsewhere = seal_value(add_current_key(path), "x", table="t", column="c", row_id="1")
    assert open_value(old, sealed_elsewhere, table="t", column="c", row_id="1") == "x"


def test_the_ring_file_holds_no_secret_of_a_retired_key(tmp_path: Path) -> None:
    from matchgate.storage.atrest import retire_key

    path = tmp_path / "ring.json"
    ring = create_ring(path)
    sealed = seal_value(ring, ACCOUNT, table="t", column="account", row_id="1")
    secret = ring.current_key.secret
    assert secret is not None
    add_current_key(path)
    retire_key(path, 1)
    document = json.loads(path.read_text())
    assert secret.hex() not in path.read_text()
    assert [k.get("secret") is None for k in document["keys"]] == [True, False]
    with pytest.raises(DataKeyError, match="retired"):
        open_value(load_ring(path), sealed, table="t", column="account", row_id="1")


# -- sealed fields -------------------------------------------------------------------------------


def test_clear_identifiers_never_reach_the_store_file(settings: Settings) -> None:
    _queue(settings)
    data = _store_bytes(settings)
    assert data, "the store file exists"
    for value in (*SSNS, "A012345678", "012345678", "123-45-6789"):
        assert value.encode() not in data
    assert _revealed(settings)["R0"] == {"ssn": SSNS[0], "a_number": A_NUMBERS[0]}


def test_a_ciphertext_moved_to_another_row_or_column_does_not_decrypt(settings: Settings) -> None:
    ids = _queue(settings)
    url = settings.sqlite_url
    with session(url) as s:
        s.execute(
            text(
                "UPDATE review_items SET ssn_sealed = "
                "(SELECT ssn_sealed FROM review_items WHERE id = :src) WHERE id = :dst"
            ),
            {"src": ids[0], "dst": ids[1]},
        )
        s.execute(
            text("UPDATE review_items SET a_number_sealed = ssn_sealed WHERE id = :id"),
            {"id": ids[2]},
        )
    ring = open_data_keys(App(settings))
    with session(url) as s:
        rows = {row.id: row for row in review.items_of_job(s, "j" * 32)}
        assert review.reveal(ring, rows[ids[0]])["ssn"] == SSNS[0]
        with pytest.raises(SealedDataError, match=r"review_items\.ssn_sealed of row") as moved:
            review.reveal(ring, rows[ids[1]])
        with pytest.raises(SealedDataError, match=r"a_number_sealed"):
            review.reveal(ring, rows[ids[2]])
    for value in SSNS:
        assert value not in str(moved.value)


def test_a_flipped_bit_or_relabelled_key_version_does_not_decrypt(tmp_path: Path) -> None:
    ring = create_ring(tmp_path / "ring.json")
    sealed = bytearray(seal_value(ring, ACCOUNT, table="t", column="account", row_id="7"))
    for position in (0, 4, 10, len(sealed) - 1):
        bad = bytearray(sealed)
        bad[position] ^= 0x01
        with pytest.raises((SealedDataError, DataKeyError)):
            open_value(ring, bytes(bad), table="t", column="account", row_id="7")
    assert open_value(ring, bytes(sealed), table="t", column="account", row_id="7") == ACCOUNT


def test_lookup_by_hmac_finds_rows_and_reveals_nothing(settings: Settings) -> None:
    _queue(settings)
    ring = open_data_keys(App(settings))
    with session(settings.sqlite_url) as s:
        found = review.find_by(s, ring, "ssn", SSNS[1])
        assert [row.request_id for row in found] == ["R1"]
        assert [r.request_id for r in review.find_by(s, ring, "a_number", "A023456789")] == ["R1"]
        assert review.find_by(s, ring, "ssn", "999999999") == []
    digest = lookup(ring, "ssn", SSNS[1])
    assert len(digest) == 64
    assert SSNS[1] not in digest
    assert lookup(ring, "a_number", SSNS[1]) != digest  # the kind is bound


def test_rotation_keeps_every_row_readable_and_findable_then_the_old_key_retires(
    settings: Settings,
) -> None:
    _queue(settings)
    expected = _revealed(settings)
    rotation = rotate_data_keys(App(settings), reencrypt_now=False)
    assert (rotation.previous, rotation.current) == (1, 2)
    # mid-rotation: rows under key 1, new rows under key 2; all readable and findable
    with session(settings.sqlite_url) as s:
        assert review.count_by_key(s) == {1: 3}
    _queue(settings, job_id="k" * 32)
    ring = open_data_keys(App(settings))
    with session(settings.sqlite_url) as s:
        assert review.count_by_key(s) == {1: 3, 2: 3}
        assert len(review.find_by(s, ring, "ssn", SSNS[0])) == 2
    assert _revealed(settings) == expected
    with pytest.raises(DataKeyError, match="still under key version 1"):
        retire_data_key(App(settings), 1)
    done = reencrypt_data(App(settings))
    assert (done.rows_moved, done.usage.rows) == (3, {2: 6})
    retire_data_key(App(settings), 1)
    assert _revealed(settings) == expected
    with session(settings.sqlite_url) as s:
        assert len(review.find_by(s, open_data_keys(App(settings)), "ssn", SSNS[0])) == 2
    with pytest.raises(DataKeyError, match="current key"):
        retire_data_key(App(settings), 2)


def test_reencryption_never_overwrites_a_row_changed_meanwhile(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = _queue(settings)
    add_current_key(data_key_file(App(settings)))
    ring = open_data_keys(App(settings))
    real_reveal = review.reveal

    def reveal_while_another_writer_changes_the_row(
        ring_: object, row: review.ReviewItem
    ) -> dict[str, str | None]:
        values = real_reveal(ring, row)
        changed = seal_value(
            ring, "111223333", table="review_items", column="ssn_sealed", row_id=row.id, version=1
        )
        with session(settings.sqlite_url) as other:
            other.execute(
                text("UPDATE review_items SET ssn_sealed = :v WHERE id = :id"),
                {"v": changed, "id": row.id},
            )
        return values

    monkeypatch.setattr(review, "reveal", reveal_while_another_writer_changes_the_row)
    with session(settings.sqlite_url) as s:
        assert not review.move_to_key(s, ring, ids[0], 2)
    monkeypatch.setattr(review, "reveal", real_reveal)
    assert _revealed(settings)["R0"]["ssn"] == "111223333"  # the concurrent change survived
    with session(settings.sqlite_url) as s:
        assert review.move_to_key(s, ring, ids[0], 2)
        assert review.count_by_key(s) == {1: 2, 2: 1}
    assert _revealed(settings)["R0"]["ssn"] == "111223333"
