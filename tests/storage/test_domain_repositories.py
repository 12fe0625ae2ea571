"""The agreement, recipient-key and suspension repositories, on SQLite and PostgreSQL: they hand
back frozen domain values, never rows, and change a status by an UPDATE of every matching row
(two writers racing may have left two current keys or two active suspensions)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from matchgate.domain.agreements import AgreementVersion, Suspension
from matchgate.domain.lifecycle import RecipientKeyStatus
from matchgate.domain.recipient_keys import RecipientKey
from matchgate.storage import access as access_store
from matchgate.storage import agreements as agreement_store
from matchgate.storage import recipient_keys as key_store
from matchgate.storage.db import session

T0 = dt.datetime(2025, 9, 1, 12, 0, tzinfo=dt.UTC)


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    """A stored time compared as UTC (SQLite hands it back naive)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.UTC)


def _version(number: int, agreement_id: str = "a-1") -> AgreementVersion:
    return AgreementVersion(
        agreement_id=agreement_id,
        version=number,
        title=f"version {number}",
        disclosing="SSA",
        recipient="DHS",
        effective=dt.date(2025, 1, number),
        expires=dt.date(2026, 1, 1),
        source_name="a.yaml",
        sha256=f"{agreement_id}-{number}".ljust(64, "0"),
        text=f"text of {number}",
        added_at=T0,
    )


def _key(key_id: str, registered: dt.datetime, agency: str = "DHS") -> RecipientKey:
    return RecipientKey(
        key_id=key_id,
        agency=agency,
        public_key="-----BEGIN PUBLIC KEY-----",
        status=RecipientKeyStatus.CURRENT,
        registered_at=registered,
        registered_by="admin",
    )


def test_agreement_versions_are_domain_values(store_url: str) -> None:
    with session(store_url) as s:
        for number in (1, 2):
            agreement_store.add_version(s, _version(number))
        agreement_store.add_version(s, _version(1, "b-1"))
    with session(store_url) as s:
        versions = agreement_store.versions_of(s, "a-1")
        latest = agreement_store.version_of(s, "a-1", None)
        first = agreement_store.version_of(s, "a-1", 1)
        listed = agreement_store.latest_versions(s)
        assert agreement_store.version_of(s, "a-1", 3) is None
    assert all(type(v) is AgreementVersion for v in [*versions, latest, first, *listed])
    assert [v.version for v in versions] == [1, 2]
    assert latest is not None
    assert latest.version == 2
    assert first is not None
    assert dataclasses.replace(first, added_at=T0) == _version(1)
    assert _utc(first.added_at) == T0
    assert [(v.agreement_id, v.version) for v in listed] == [("a-1", 2), ("b-1", 1)]
    with session(store_url) as s, pytest.raises(agreement_store.VersionTaken):
        agreement_store.add_version(s, _version(2))


def test_registering_retires_every_current_key_and_revoking_marks_one(store_url: str) -> None:
    later = T0 + dt.timedelta(hours=1)
    with session(store_url) as s:  # two registrations that raced: two current keys
        key_store.add_key(s, _key("k1", T0))
        key_store.add_key(s, _key("k2", later))
        key_store.add_key(s, _key("u1", T0, agency="USCIS"))
    with session(store_url) as s:
        current = key_store.current_key(s, "DHS")
        assert current is not None
        assert current.key_id == "k2"  # the newest
        assert key_store.retire_current(s, "DHS", at=later) == 2
        assert key_store.current_key(s, "DHS") is None
        uscis = key_store.current_key(s, "USCIS")
        assert uscis is not None
        assert uscis.status is RecipientKeyStatus.CURRENT
    with session(store_url) as s:
        dhs = key_store.keys_of(s, "DHS")
        assert [(k.key_id, k.status, _utc(k.retired_at)) for k in dhs] == [
            ("k2", RecipientKeyStatus.RETIRED, later),
            ("k1", RecipientKeyStatus.RETIRED, later),
        ]
        assert [k.key_id for k in key_store.keys_of(s)] == ["k2", "k1", "u1"]
        revoked = key_store.revoke(s, "k1", by="admin2", at=later)
        assert key_store.revoke(s, "nope", by="admin2", at=later) is None
    assert revoked is not None
    assert (revoked.status, revoked.revoked_by, _utc(revoked.revoked_at)) == (
        RecipientKeyStatus.REVOKED,
        "admin2",
        later,
    )
    with session(store_url) as s:
        stored = key_store.get_key(s, "k1")
        other = key_store.get_key(s, "k2")
    assert stored is not None
    assert stored.status is RecipientKeyStatus.REVOKED
    assert other is not None
    assert other.status is RecipientKeyStatus.RETIRED
    with pytest.raises(dataclasses.FrozenInstanceError):
        other.status = RecipientKeyStatus.CURRENT  # type: ignore[misc]


def test_lifting_ends_every_active_suspension_of_one_agreement(store_url: str) -> None:
    with session(store_url) as s:  # two suspenders that raced
        for number, agreement_id in ((1, "a-1"), (2, "a-1"), (3, "b-1")):
            added = access_store.add_suspension(
                s, Suspension(f"s{number}", agreement_id, "audit", T0, "po")
            )
            assert added == Suspension(f"s{number}", agreement_id, "audit", T0, "po")
    with session(store_url) as s:
        active = access_store.active_suspensions(s, "a-1")
        assert sorted(x.id for x in active) == ["s1", "s2"]
        assert all(type(x) is Suspension and x.active for x in active)
        assert access_store.suspended_agreements(s) == {"a-1", "b-1"}
        lifted_at = T0 + dt.timedelta(days=1)
        assert access_store.lift_suspensions(s, "a-1", by="po2", at=lifted_at) == 2
        assert access_store.lift_suspensions(s, "a-1", by="po2", at=lifted_at) == 0
    with session(store_url) as s:
        assert access_store.active_suspensions(s, "a-1") == []
        assert access_store.suspended_agreements(s) == {"b-1"}
        for lifted_id in ("s1", "s2"):
            row = s.get(access_store.AgreementSuspension, lifted_id)
            assert row is not None
            assert (row.active, row.lifted_by, _utc(row.lifted_at)) == (False, "po2", lifted_at)
        with pytest.raises(access_store.AlreadyExists):
            access_store.add_suspension(s, Suspension("s3", "c-1", "again", T0, "po"))
