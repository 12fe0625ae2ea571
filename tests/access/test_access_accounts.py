"""Users and tokens on SQLite and PostgreSQL: bootstrap once, tokens hashed at rest, and every
revocation, role change or suspension counts from the very next request."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select, text
from tests.accounts import Accounts
from tests.submit.helpers import DAY, REFERENCE, REQUESTS, MemorySink, subject

from matchgate.access import Principal
from matchgate.app.access import authenticate
from matchgate.app.core import App
from matchgate.audit import kinds
from matchgate.domain.errors import AccessDenied, InputError
from matchgate.services.administration.agreements import add_agreement, list_agreements
from matchgate.services.administration.suspensions import resume_agreement, suspend_agreement
from matchgate.services.administration.users import (
    bootstrap,
    issue_token,
    list_tokens,
    list_users,
    revoke_token,
    revoke_user,
    set_roles,
)
from matchgate.services.submission.submit import SubmitOptions, submit_file
from matchgate.settings import Settings
from matchgate.storage import access as store
from matchgate.storage.db import engine_for, session


@pytest.fixture
def settings(tmp_path: Path, store_url: str) -> Settings:
    return Settings(workspace=tmp_path / "ws", database_url=store_url)


@pytest.fixture
def accounts(settings: Settings) -> Accounts:
    return Accounts(settings)


def _dry_run(settings: Settings, caller: Principal, tmp: Path) -> str:
    path = tmp / "requests.csv"
    path.write_text(REQUESTS, encoding="utf-8")
    result = submit_file(
        App(settings, audit=MemorySink()),
        path,
        "reference-2025-08",
        caller=caller,
        options=SubmitOptions(dry_run=True, on=DAY),
        subject=subject,
    )
    return result.status.value


def test_bootstrap_happens_once(settings: Settings, accounts: Accounts) -> None:
    assert accounts.admin.host
    with pytest.raises(AccessDenied, match="users exist already"):
        bootstrap(App(settings, audit=MemorySink()), agency="IRS", agency_name="x", user_id="root")


def test_tokens_are_stored_only_as_hashes(
    settings: Settings, accounts: Accounts, store_url: str
) -> None:
    accounts.user("dhs-submitter", "DHS", "submitter")
    tokens = list(accounts.tokens.values())
    with session(settings.sqlite_url) as s:
        query = select(store.ApiToken).where(store.ApiToken.user_id == "dhs-submitter")
        rows = {row.id: row.sha256 for row in s.scalars(query)}
    assert len(rows) == 1
    with engine_for(settings.sqlite_url).connect() as con:
        dumped = " ".join(
            str(value)
            for table in ("api_tokens", "users", "agencies")
            for row in con.execute(text(f"SELECT * FROM {table}"))
            for value in row
        )
    if store_url.startswith("sqlite:///"):
        engine_for(settings.sqlite_url).dispose()
        dumped += Path(store_url.removeprefix("sqlite:///")).read_bytes().decode("latin-1")
    for token in tokens:
        secret = token[len("mgt_") + 17 :]
        assert token not in dumped
        assert secret not in dumped
    assert next(iter(rows.values())) in dumped  # the hash is there, and only the hash


def test_a_revoked_user_is_refused_on_the_next_call(settings: Settings, accounts: Accounts) -> None:
    po = accounts.user("ssa-po", "SSA", "privacy_officer")
    assert list_agreements(App(settings), caller=po) == []
    revoke_user(App(settings, audit=accounts.sink), "ssa-po", caller=accounts.admin)
    with pytest.raises(AccessDenied):
        list_agreements(App(settings), caller=po)  # the very Principal object used a moment ago
    with pytest.raises(AccessDenied):
        authenticate(App(settings), accounts.tokens["ssa-po"])
    with pytest.raises(AccessDenied):  # and no new token for a revoked user
        issue_token(App(settings, audit=accounts.sink), caller=po)


def test_a_revoked_or_expired_token_is_refused_on_the_next_call(
    settings: Settings, accounts: Accounts
) -> None:
    po = accounts.user("ssa-po", "SSA", "privacy_officer")
    second = issue_token(App(settings, audit=accounts.sink), caller=po)
    other = authenticate(App(settings), second.token)
    revoke_token(App(settings, audit=accounts.sink), po.token_id, caller=po)
    with pytest.raises(AccessDenied):
        list_agreements(App(settings), caller=po)
    assert list_agreements(App(settings), caller=other) == []  # the user's other token still works
    assert [t.revoked_at is not None for t in list_tokens(App(settings), caller=other)] == [
        True,
        False,
    ]
    with session(settings.sqlite_url) as s:
        row = s.get(store.ApiToken, other.token_id)
        assert row is not None
        row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    with pytest.raises(AccessDenied):
        list_agreements(App(settings), caller=other)


def test_a_wrong_secret_with_a_real_token_id_is_refused(
    settings: Settings, accounts: Accounts
) -> None:
    token = accounts.admin_token
    forged = token[: len("mgt_") + 17] + ("A" if token[-43] != "A" else "B") + token[-42:]
    assert forged != token
    for bad in (forged, "", None, "not a token"):
        with pytest.raises(AccessDenied, match="no valid token"):
            authenticate(App(settings), bad)


def test_a_role_change_counts_on_the_next_call(
    settings: Settings, accounts: Accounts, tmp_path: Path
) -> None:
    po = accounts.user("ssa-po", "SSA", "privacy_officer")
    accounts.partners("DHS")
    add_agreement(App(settings), REFERENCE, caller=po)
    submitter = accounts.user("dhs-submitter", "DHS", "submitter")
    assert _dry_run(settings, submitter, tmp_path) == "validated"
    set_roles(
        App(settings, audit=accounts.sink), "dhs-submitter", ["auditor"], caller=accounts.admin
    )
    with pytest.raises(AccessDenied, match=r"submission\.submit"):
        _dry_run(settings, submitter, tmp_path)
    assert [a.id for a in list_agreements(App(settings), caller=submitter)] == ["reference-2025-08"]


def test_a_suspended_agreement_takes_no_submission_from_the_next_call(
    settings: Settings, accounts: Accounts, tmp_path: Path
) -> None:
    po = accounts.user("ssa-po", "SSA", "privacy_officer")
    accounts.partners("DHS")
    add_agreement(App(settings), REFERENCE, caller=po)
    submitter = accounts.user("dhs-submitter", "DHS", "submitter")
    assert _dry_run(settings, submitter, tmp_path) == "validated"
    suspend_agreement(
        App(settings, audit=accounts.sink), "reference-2025-08", "breach under review", caller=po
    )
    with pytest.raises(AccessDenied, match="suspended"):
        _dry_run(settings, submitter, tmp_path)
    (listed,) = list_agreements(App(settings), caller=submitter)
    assert listed.suspended
    dhs_po = accounts.user("dhs-po", "DHS", "privacy_officer")
    with pytest.raises(AccessDenied):  # the recipient cannot lift it
        resume_agreement(App(settings, audit=accounts.sink), "reference-2025-08", caller=dhs_po)
    resume_agreement(App(settings, audit=accounts.sink), "reference-2025-08", caller=po)
    assert _dry_run(settings, submitter, tmp_path) == "validated"
    changes = [
        e.details["change"] for e in accounts.sink.events if e.kind == kinds.AGREEMENT_CHANGED
    ]
    assert changes == ["suspended", "resumed"]


def test_another_agencys_agreement_id_cannot_be_taken_over(
    settings: Settings, accounts: Accounts, tmp_path: Path
) -> None:
    po = accounts.user("ssa-po", "SSA", "privacy_officer")
    accounts.partners("DHS")
    add_agreement(App(settings), REFERENCE, caller=po)
    irs = accounts.user("irs-po", "IRS", "privacy_officer")
    hijack = tmp_path / "hijack.yaml"
    hijack.write_text(
        REFERENCE.read_text()
        .replace("version: 1\n", "version: 2\n", 1)
        .replace("code: SSA", "code: IRS"),
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="taken by another agreement") as caught:
        add_agreement(App(settings), hijack, caller=irs)
    assert "SSA" not in str(caught.value)
    assert "DHS" not in str(caught.value)
    assert list_agreements(App(settings), caller=irs) == []


def test_user_changes_are_audited_with_ids_only(settings: Settings, accounts: Accounts) -> None:
    accounts.user("dhs-submitter", "DHS", "submitter")
    set_roles(
        App(settings, audit=accounts.sink),
        "dhs-submitter",
        ["submitter", "auditor"],
        caller=accounts.admin,
    )
    revoke_user(App(settings, audit=accounts.sink), "dhs-submitter", caller=accounts.admin)
    events = accounts.sink.events  # type: ignore[attr-defined]
    got = [(e.kind, e.details.get("change")) for e in events]
    assert got == [
        ("agency.added", None),
        (kinds.USER_CHANGED, "created"),
        ("token.issued", None),
        ("agency.added", None),
        (kinds.USER_CHANGED, "created"),
        ("token.issued", None),
        (kinds.ROLE_CHANGED, None),
        (kinds.USER_CHANGED, "revoked"),
    ]
    role = next(e for e in events if e.kind == kinds.ROLE_CHANGED)
    assert role.details == {
        "user_id": "dhs-submitter",
        "roles": "auditor,submitter",
        "previous": "submitter",
    }
    everything = repr(events)
    for token in accounts.tokens.values():
        assert token not in everything
        assert token[len("mgt_") + 17 :] not in everything


def test_the_last_host_administrator_cannot_be_removed(
    settings: Settings, accounts: Accounts
) -> None:
    with pytest.raises(InputError, match="last administrator"):
        revoke_user(App(settings, audit=accounts.sink), "admin", caller=accounts.admin)
    with pytest.raises(InputError, match="last administrator"):
        set_roles(App(settings, audit=accounts.sink), "admin", ["auditor"], caller=accounts.admin)
    accounts.user("admin2", "SSA", "administrator")
    revoke_user(App(settings, audit=accounts.sink), "admin", caller=accounts.admin)


def test_a_partner_administrator_manages_only_its_own_agency(
    settings: Settings, accounts: Accounts
) -> None:
    dhs_admin = accounts.user("dhs-admin", "DHS", "administrator")
    accounts.user("irs-user", "IRS", "auditor")
    from matchgate.services.administration.users import add_user

    made = add_user(
        App(settings, audit=accounts.sink),
        "dhs-analyst",
        agency="DHS",
        roles=["submitter"],
        caller=dhs_admin,
    )
    assert made.agency == "DHS"
    with pytest.raises(InputError, match="no agency"):
        add_user(
            App(settings, audit=accounts.sink),
            "x",
            agency="IRS",
            roles=["submitter"],
            caller=dhs_admin,
        )
    with pytest.raises(InputError, match="no user 'irs-user'"):
        revoke_user(App(settings, audit=accounts.sink), "irs-user", caller=dhs_admin)


@pytest.mark.parametrize("user_id", ["123456789", "123-45-6789", "a012345678", "ok.a-12345678"])
def test_a_user_id_shaped_like_a_personal_value_is_refused(
    settings: Settings, accounts: Accounts, user_id: str
) -> None:
    """A user id is the actor of audit entries, which refuse SSN and A-number shapes."""
    from matchgate.services.administration.users import add_user

    with pytest.raises(InputError, match="SSN or an A-number"):
        add_user(
            App(settings, audit=accounts.sink),
            user_id,
            agency="SSA",
            roles=["auditor"],
            caller=accounts.admin,
        )
    assert user_id not in {u.id for u in list_users(App(settings), caller=accounts.admin)}
