"""Agreement use cases on SQLite and PostgreSQL: versions go up, identical text is kept once."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from tests.accounts import Accounts
from tests.governance.documents import REFERENCE, SAVE

from matchgate.access import Principal
from matchgate.app.core import App
from matchgate.domain.errors import InputError
from matchgate.governance import AgreementCode, Category, read_agreement_file
from matchgate.services.administration.agreements import (
    AgreementNotFound,
    add_agreement,
    describe_agreement,
    get_agreement,
    governing_agreement,
    list_agreements,
)
from matchgate.settings import Settings
from matchgate.storage import agreements as store
from matchgate.storage.db import session


@pytest.fixture
def settings(tmp_path: Path, store_url: str) -> Settings:
    return Settings(workspace=tmp_path / "ws", database_url=store_url)


@pytest.fixture
def po(settings: Settings) -> Principal:
    """A privacy officer of SSA, the disclosing party of the example agreements."""
    accounts = Accounts(settings)
    accounts.partners()
    return accounts.user("po", "SSA", "privacy_officer")


def amended(tmp_path: Path, version: int, **replacements: str) -> Path:
    """The reference file as a new version, with text replaced (old -> new)."""
    body = REFERENCE.read_text().replace("version: 1\n", f"version: {version}\n", 1)
    for old, new in replacements.items():
        assert old in body
        body = body.replace(old, new)
    path = tmp_path / f"reference-v{version}.yaml"
    path.write_text(body)
    return path


def test_add_then_show_gives_back_the_same_agreement(settings: Settings, po: Principal) -> None:
    added = add_agreement(App(settings), REFERENCE, caller=po)
    assert (added.id, added.version, added.stored, added.warnings) == (
        "reference-2025-08",
        1,
        True,
        (),
    )
    stored = describe_agreement(
        App(settings), caller=po, agreement_id="reference-2025-08", on=date(2025, 9, 1)
    )
    assert stored.agreement == read_agreement_file(REFERENCE).agreement
    assert stored.sha256 == added.sha256 == read_agreement_file(REFERENCE).sha256
    assert stored.source_name == "reference-2025-08.yaml"
    assert stored.versions == (1,)
    assert stored.in_force
    assert "banking" in stored.disclosable
    assert [r.code for r in stored.refusals[Category.EARNINGS]] == [
        "R_CATEGORY_NOT_AGREED",
        "R_NO_ROUTINE_USE_IN_FORCE",
    ]
    assert "citizenship" in stored.refusals
    assert "identity" not in stored.refusals


def test_raw_text_is_kept_byte_for_byte(settings: Settings, po: Principal) -> None:
    add_agreement(App(settings), REFERENCE, caller=po)
    with session(settings.sqlite_url) as s:
        row = store.version_of(s, "reference-2025-08", 1)
        assert row is not None
        assert row.text.encode("utf-8") == REFERENCE.read_bytes()
        assert "# ALL CONTENT IS SYNTHETIC" in row.text


def test_identical_text_is_recognized_not_duplicated(settings: Settings, po: Principal) -> None:
    first = add_agreement(App(settings), REFERENCE, caller=po)
    again = add_agreement(App(settings), REFERENCE, caller=po)
    assert first.stored
    assert not again.stored
    assert again.sha256 == first.sha256
    with session(settings.sqlite_url) as s:
        assert len(store.versions_of(s, "reference-2025-08")) == 1


def test_versions_must_increase(settings: Settings, tmp_path: Path, po: Principal) -> None:
    add_agreement(App(settings), REFERENCE, caller=po)
    v3 = amended(tmp_path, 3, **{"expires: 2027-08-01": "expires: 2027-12-01"})
    assert add_agreement(App(settings), v3, caller=po).stored
    with pytest.raises(InputError) as caught:
        add_agreement(App(settings), amended(tmp_path, 2), caller=po)
    assert caught.value.code == AgreementCode.VERSION_NOT_INCREASING
    assert caught.value.field == "version"
    changed_v3 = amended(tmp_path, 3, **{"max_files_per_month: 1": "max_files_per_month: 2"})
    with pytest.raises(InputError) as caught:
        add_agreement(App(settings), changed_v3, caller=po)
    assert caught.value.code == AgreementCode.VERSION_CONFLICT
    assert describe_agreement(
        App(settings), caller=po, agreement_id="reference-2025-08"
    ).versions == (
        1,
        3,
    )
    assert get_agreement(App(settings), "reference-2025-08").expires == date(2027, 12, 1)
    assert get_agreement(App(settings), "reference-2025-08", 1).expires == date(2027, 8, 1)


def test_a_new_version_keeps_its_parties(settings: Settings, tmp_path: Path, po: Principal) -> None:
    add_agreement(App(settings), REFERENCE, caller=po)
    other = amended(
        tmp_path, 2, **{"code: DHS\n": "code: DOJ\n", "recipients: [DHS]": "recipients: [DOJ]"}
    )
    with pytest.raises(InputError) as caught:
        add_agreement(App(settings), other, caller=po)
    assert caught.value.code == AgreementCode.PARTIES_CHANGED


def test_invalid_file_stores_nothing(settings: Settings, tmp_path: Path, po: Principal) -> None:
    bad = amended(tmp_path, 1, **{"expires: 2027-08-01": "expires: 2025-01-01"})
    with pytest.raises(InputError) as caught:
        add_agreement(App(settings), bad, caller=po)
    assert caught.value.code == AgreementCode.DATE_ORDER
    assert list_agreements(App(settings), caller=po, on=date(2025, 9, 1)) == []


def test_list_gives_latest_version_and_governing_version(
    settings: Settings, tmp_path: Path, po: Principal
) -> None:
    add_agreement(App(settings), SAVE, caller=po)
    add_agreement(App(settings), REFERENCE, caller=po)
    # v2 is an amendment effective 2026-01-01 (its routine use covers the reference categories).
    add_agreement(
        App(settings),
        amended(tmp_path, 2, **{"effective: 2025-08-01": "effective: 2026-01-01"}),
        caller=po,
    )
    listing = {x.id: x for x in list_agreements(App(settings), caller=po, on=date(2025, 9, 1))}
    assert list(listing) == ["reference-2025-08", "save-verification"]
    ref, save = listing["reference-2025-08"], listing["save-verification"]
    assert (ref.latest_version, ref.governing_version, ref.in_force) == (2, 1, True)
    assert (ref.disclosing, ref.recipient) == ("SSA", "DHS")
    assert (save.latest_version, save.in_force) == (1, False)  # starts 2026-01-05
    later = {x.id: x for x in list_agreements(App(settings), caller=po, on=date(2026, 2, 1))}
    assert later["reference-2025-08"].governing_version == 2
    assert later["save-verification"].governing_version == 1


def test_governing_agreement(settings: Settings, tmp_path: Path, po: Principal) -> None:
    add_agreement(App(settings), REFERENCE, caller=po)
    add_agreement(
        App(settings),
        amended(tmp_path, 2, **{"effective: 2025-08-01": "effective: 2026-01-01"}),
        caller=po,
    )
    assert governing_agreement(App(settings), "reference-2025-08", date(2025, 7, 31)) is None
    v1 = governing_agreement(App(settings), "reference-2025-08", date(2025, 12, 31))
    v2 = governing_agreement(App(settings), "reference-2025-08", date(2026, 1, 1))
    assert v1 is not None
    assert v1.version == 1
    assert v2 is not None
    assert v2.version == 2
    with pytest.raises(AgreementNotFound):
        governing_agreement(App(settings), "absent", date(2026, 1, 1))


def test_unknown_id_or_version(settings: Settings, po: Principal) -> None:
    add_agreement(App(settings), REFERENCE, caller=po)
    with pytest.raises(AgreementNotFound) as caught:
        get_agreement(App(settings), "absent")
    assert caught.value.code == AgreementCode.NOT_FOUND
    with pytest.raises(AgreementNotFound, match="version 7"):
        get_agreement(App(settings), "reference-2025-08", 7)


def test_unknown_time_zone_is_a_configuration_error(settings: Settings, po: Principal) -> None:
    from dataclasses import replace

    from matchgate.domain.errors import ConfigurationError

    with pytest.raises(ConfigurationError):
        list_agreements(App(replace(settings, timezone="Mars/Olympus_Mons")), caller=po)


def test_a_concurrent_writer_of_the_same_version_loses_cleanly(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, po: Principal
) -> None:
    add_agreement(App(settings), REFERENCE, caller=po)
    # Simulate the race: this writer read the versions before the other one committed.
    monkeypatch.setattr(store, "versions_of", lambda s, agreement_id: [])
    same_version = amended(tmp_path, 1, **{"max_files_per_month: 1": "max_files_per_month: 2"})
    with pytest.raises(InputError) as caught:
        add_agreement(App(settings), same_version, caller=po)
    assert caught.value.code == AgreementCode.VERSION_CONFLICT
    monkeypatch.undo()
    assert get_agreement(App(settings), "reference-2025-08").max_files_per_month == 1
