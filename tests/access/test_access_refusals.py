"""Every refusal is in the audit log, and lists keep to the
matrix's scope.

Each refusal path (a token that is revoked, expired, wrong, or whose user is revoked; a role that
does not allow the action; an object of another agency; a suspended agreement; a host-only
action) appends ``access.denied`` with the user id, the token id, the action and a reason code,
never the token. Token-less refusals (no token, an unknown token) are counted per source and
minute (``access.unauthenticated``) so junk cannot flood the log. Lists show what the matrix
allows: ``user.read`` is the caller's own agency, except for the host's administrators.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from tests.access.world import World, world  # noqa: F401 - the fixture
from tests.cli.test_cli_access import Cli
from tests.submit.helpers import REQUESTS

from matchgate.access import Principal
from matchgate.access.refusals import NO_TOKEN, UNKNOWN_TOKEN, RefusalCount, Tally, minute_of
from matchgate.app import access as app_access
from matchgate.app.access import authenticate
from matchgate.app.audit import audit_config
from matchgate.app.core import App
from matchgate.audit import Entry
from matchgate.cli.shell import EXIT_ACCESS
from matchgate.domain.errors import AccessDenied, InputError
from matchgate.services.administration.agreements import list_agreements
from matchgate.services.administration.suspensions import suspend_agreement
from matchgate.services.administration.users import (
    add_agency,
    bootstrap,
    issue_token,
    list_agencies,
    list_tokens,
    list_users,
    revoke_token,
    revoke_user,
)
from matchgate.services.oversight.breach import list_incidents
from matchgate.services.submission.records import list_submissions
from matchgate.services.submission.submit import SubmitOptions, submit_file
from matchgate.settings import Settings
from matchgate.storage import access as access_store
from matchgate.storage import audit as audit_store
from matchgate.storage.db import session, store_url


def _entries(w: World, kind: str = "access.denied") -> list[Entry]:
    with audit_store.transaction(w.log.config.url, write=False) as s:
        return audit_store.entries_of_kind(s, kind)


def _d(entry: Entry) -> dict[str, Any]:
    details: dict[str, Any] = json.loads(entry.details)
    return details


def _new_denials(w: World, before: int, kind: str = "access.denied") -> list[Entry]:
    return [e for e in _entries(w, kind) if e.sequence >= before]


def _size(w: World) -> int:
    with audit_store.transaction(w.log.config.url, write=False) as s:
        last = audit_store.last_entries(s, 1)
        return 0 if not last else int(last[0].sequence) + 1


def _no_token_in_log(w: World, *tokens: str) -> None:
    with audit_store.transaction(w.log.config.url, write=False) as s:
        text = "".join(e.details for e in audit_store.entries(s))
    for token in tokens:
        assert token not in text
        assert token.split("_", 2)[2] not in text  # the secret part (it may hold "_" itself)


def _fresh_user(w: World, name: str, agency: str, *roles: str) -> tuple[Principal, str]:
    user = w.accounts.user(name, agency, *roles)
    return user, w.accounts.tokens[name]


def _denied(w: World, before: int, **want: Any) -> Entry:
    found = [
        e
        for e in _new_denials(w, before)
        if all(_d(e).get(k) == v for k, v in want.items() if k != "actor")
        and e.actor == want.get("actor", e.actor)
    ]
    assert found, (want, [_d(e) for e in _new_denials(w, before)])
    entry = found[-1]
    assert entry.agency is None
    assert entry.agreement is None
    return entry


# --- reproduction 5: every refusal with a known caller is appended ---------------------------


def test_a_checked_caller_is_taken_as_read_in_its_block_only(world: World) -> None:  # noqa: F811
    """``checked``: a route that has just authenticated its caller lets its use case re-check
    that same Principal without reading it again; any other Principal, and that one after the
    block, is re-read (a revocation counts from the next request on)."""
    user, _ = _fresh_user(world, "ck-token", "DHS", "submitter", "privacy_officer")
    held = dataclasses.replace(user)  # an equal Principal, but not the one checked
    revoke_token(App(world.settings, audit=world.log), user.token_id, caller=user)
    with app_access.checked(user):
        assert app_access.current(world.settings, user) is user
        assert list_agreements(App(world.settings), caller=user) is not None
        with pytest.raises(AccessDenied):
            app_access.current(world.settings, held)
    with pytest.raises(AccessDenied):
        app_access.current(world.settings, user)


def test_a_revoked_token_is_refused_and_audited(world: World) -> None:  # noqa: F811
    user, token = _fresh_user(world, "rv-token", "DHS", "submitter")
    revoke_token(App(world.settings, audit=world.log), user.token_id, caller=user)
    before = _size(world)
    with pytest.raises(AccessDenied):
        authenticate(App(world.settings), token)
    with pytest.raises(AccessDenied):  # a Principal held on to is re-checked, and audited too
        list_agreements(App(world.settings), caller=user)
    _denied(
        world,
        before,
        user_id="rv-token",
        token_id=user.token_id,
        action="authenticate",
        reason="token_revoked",
    )
    _denied(
        world,
        before,
        user_id="rv-token",
        token_id=user.token_id,
        action="agreement.read",
        reason="token_revoked",
    )
    _no_token_in_log(world, token)


def test_a_revoked_user_is_refused_and_audited(world: World) -> None:  # noqa: F811
    user, token = _fresh_user(world, "rv-user", "DHS", "submitter")
    revoke_user(App(world.settings, audit=world.log), "rv-user", caller=world.accounts.admin)
    before = _size(world)
    with pytest.raises(AccessDenied):
        authenticate(App(world.settings), token)
    _denied(world, before, user_id="rv-user", token_id=user.token_id, reason="user_revoked")
    _no_token_in_log(world, token)


def test_an_expired_token_is_refused_and_audited(world: World) -> None:  # noqa: F811
    user, token = _fresh_user(world, "old-token", "DHS", "submitter")
    with session(store_url(world.settings)) as s:
        row = s.get(access_store.ApiToken, user.token_id)
        assert row is not None
        row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    before = _size(world)
    with pytest.raises(AccessDenied):
        authenticate(App(world.settings), token)
    _denied(world, before, user_id="old-token", token_id=user.token_id, reason="token_expired")


def test_a_wrong_secret_for_a_real_token_id_is_refused_and_audited(world: World) -> None:  # noqa: F811
    user, token = _fresh_user(world, "wrong-secret", "DHS", "submitter")
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    before = _size(world)
    with pytest.raises(AccessDenied) as caught:
        authenticate(App(world.settings), forged)
    assert forged not in str(caught.value)
    _denied(world, before, user_id="wrong-secret", token_id=user.token_id, reason="bad_token")
    _no_token_in_log(world, forged, token)


def test_a_submission_under_a_suspended_agreement_is_refused_and_audited(world: World) -> None:  # noqa: F811
    suspend_agreement(
        App(world.settings, audit=world.log), "save-verification", "probe", caller=world.ssa_po
    )
    path = world.settings.workspace / "suspended.csv"
    path.write_text(REQUESTS, encoding="utf-8")
    before = _size(world)
    with pytest.raises(AccessDenied):
        submit_file(
            App(world.settings, audit=world.log),
            path,
            "save-verification",
            caller=world.uscis_all,
            options=SubmitOptions(dry_run=True),
            subject=world.log.subject_key,
        )
    _denied(
        world,
        before,
        user_id="uscis-all",
        token_id=world.uscis_all.token_id,
        action="submission.submit",
        reason="suspended",
        object_id="save-verification",
    )


def test_a_role_refusal_on_a_list_is_audited(world: World) -> None:  # noqa: F811
    before = _size(world)
    with pytest.raises(AccessDenied):
        list_agencies(App(world.settings), caller=world.dhs_submitter)
    _denied(world, before, user_id="dhs-submitter", action="user.read", reason="no_role")


def test_a_role_refusal_is_audited(world: World) -> None:  # noqa: F811
    before = _size(world)
    with pytest.raises(AccessDenied):
        list_users(App(world.settings), caller=world.dhs_submitter)
    _denied(world, before, user_id="dhs-submitter", action="user.read", reason="no_role")


def test_an_object_of_another_agency_is_audited_as_not_party(world: World) -> None:  # noqa: F811
    before = _size(world)
    with pytest.raises(InputError):
        revoke_user(App(world.settings, audit=world.log), "dhs-submitter", caller=world.irs_all)
    _denied(
        world,
        before,
        user_id="irs-all",
        action="user.manage",
        reason="not_party",
        object_id="dhs-submitter",
    )


def test_host_only_actions_are_audited(world: World) -> None:  # noqa: F811
    before = _size(world)
    with pytest.raises(AccessDenied):
        add_agency(App(world.settings, audit=world.log), "TREAS", "Treasury", caller=world.irs_all)
    _denied(world, before, user_id="irs-all", action="agency.manage")
    assert list_incidents(world.app, caller=world.irs_all) == []


# --- item 3: token-less refusals are counted per source and minute ---------------------------


class _Clock:
    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at


def test_token_less_refusals_are_counted_per_source_and_minute(
    world: World,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = _Clock(dt.datetime(2031, 1, 2, 3, 4, 5, tzinfo=dt.UTC))
    monkeypatch.setattr(app_access, "now", clock)
    before = _size(world)
    junk = ["", "garbage", "mgt_0123456789abcdef_" + "A" * 43, None]
    for _ in range(5):
        for token in junk:
            with pytest.raises(AccessDenied):
                authenticate(App(world.settings), token, source="203.0.113.9")
    with pytest.raises(AccessDenied):
        authenticate(App(world.settings), None, source="198.51.100.7")
    # while the minute is open: one entry per source (the first refusal), nothing more
    open_minute = _new_denials(world, before, "access.unauthenticated")
    assert sorted(_d(e)["source"] for e in open_minute) == ["198.51.100.7", "203.0.113.9"]
    assert not _new_denials(world, before)  # no per-refusal access.denied flood
    first = next(e for e in open_minute if _d(e)["source"] == "203.0.113.9")
    assert _d(first)["minute"] == "2031-01-02T03:04Z"
    assert _d(first)["summary"] is False
    assert _d(first)["no_token"] + _d(first)["unknown_token"] == 1
    # the minute closes; the next refusal (or a flush) appends the rest as one summary each
    clock.at += dt.timedelta(minutes=1)
    with pytest.raises(AccessDenied):
        authenticate(App(world.settings), None, source="203.0.113.9")
    entries = _new_denials(world, before, "access.unauthenticated")
    summaries = [e for e in entries if _d(e)["summary"] is True]
    assert [(_d(e)["source"], _d(e)["minute"]) for e in summaries] == [
        ("203.0.113.9", "2031-01-02T03:04Z")
    ]
    counted = _d(summaries[0])
    assert counted["no_token"] + counted["unknown_token"] == 19  # 20 refusals, the first apart
    assert counted["no_token"] == 9
    assert counted["unknown_token"] == 10
    # the new minute's first refusal is an entry of its own
    assert any(
        _d(e)["minute"] == "2031-01-02T03:05Z" and _d(e)["summary"] is False for e in entries
    )
    app_access.flush_refusals(world.settings, world.log)  # nothing left for the closed minutes
    assert len(_new_denials(world, before, "access.unauthenticated")) == len(entries)


# --- reproduction 6: the lists keep to the matrix's scope ------------------------------------


def _ssa_auditor(w: World) -> Principal:
    try:
        return w.accounts.user("ssa-auditor", "SSA", "auditor")
    except InputError:  # made by an earlier test of this module
        return authenticate(App(w.settings), w.accounts.tokens["ssa-auditor"])


def test_the_host_auditor_lists_only_its_own_agencys_users(world: World) -> None:  # noqa: F811
    users = list_users(App(world.settings), caller=_ssa_auditor(world))
    assert users
    assert {u.agency for u in users} == {"SSA"}


def test_the_host_auditor_lists_only_its_own_agency(world: World) -> None:  # noqa: F811
    assert [a.code for a in list_agencies(App(world.settings), caller=_ssa_auditor(world))] == [
        "SSA"
    ]


def test_the_host_auditor_cannot_list_a_partners_tokens(world: World) -> None:  # noqa: F811
    auditor = _ssa_auditor(world)
    before = _size(world)
    with pytest.raises(InputError) as real:
        list_tokens(App(world.settings), caller=auditor, user_id="dhs-submitter")
    with pytest.raises(InputError) as made_up:
        list_tokens(App(world.settings), caller=auditor, user_id="no-such-user")
    assert str(real.value).replace("dhs-submitter", "X") == str(made_up.value).replace(
        "no-such-user", "X"
    )
    _denied(world, before, user_id="ssa-auditor", action="user.read", reason="not_party")


def test_the_host_administrator_still_lists_every_agency(world: World) -> None:  # noqa: F811
    admin = world.accounts.admin
    assert {u.agency for u in list_users(App(world.settings), caller=admin)} >= {
        "SSA",
        "DHS",
        "IRS",
    }
    assert {a.code for a in list_agencies(App(world.settings), caller=admin)} >= {
        "SSA",
        "DHS",
        "IRS",
    }
    assert list_tokens(App(world.settings), caller=admin, user_id="dhs-submitter")


def test_a_partner_auditor_lists_only_its_own_agency(world: World) -> None:  # noqa: F811
    assert {u.agency for u in list_users(App(world.settings), caller=world.dhs_po)} == {"DHS"}
    assert [a.code for a in list_agencies(App(world.settings), caller=world.dhs_po)] == ["DHS"]
    assert {u.agency for u in list_users(App(world.settings), caller=world.irs_all)} == {"IRS"}


def test_agreement_and_submission_lists_keep_to_the_parties(world: World) -> None:  # noqa: F811
    auditor = _ssa_auditor(world)
    # the host auditor: SSA is a party to both agreements, and to the one submission
    assert {a.id for a in list_agreements(App(world.settings), caller=auditor)} == {
        "reference-2025-08",
        "save-verification",
    }
    assert [s.job_id for s in list_submissions(App(world.settings), caller=auditor)] == [
        world.submission.job_id
    ]
    # DHS sees its agreement; DHS-USCIS its own and no DHS submission; IRS nothing
    assert {a.id for a in list_agreements(App(world.settings), caller=world.dhs_po)} == {
        "reference-2025-08"
    }
    assert {a.id for a in list_agreements(App(world.settings), caller=world.uscis_all)} == {
        "save-verification"
    }
    assert list_submissions(App(world.settings), caller=world.uscis_all) == []
    assert list_agreements(App(world.settings), caller=world.irs_all) == []
    assert list_submissions(App(world.settings), caller=world.irs_all) == []
    # tokens: one's own only, without a --user
    own = list_tokens(App(world.settings), caller=world.dhs_submitter)
    assert own
    assert {t.user_id for t in own} == {"dhs-submitter"}


def test_issuing_a_token_for_another_agencys_user_is_refused_and_audited(world: World) -> None:  # noqa: F811
    dhs_admin, _ = _fresh_user(world, "dhs-admin", "DHS", "administrator")
    before = _size(world)
    with pytest.raises(InputError):
        issue_token(App(world.settings, audit=world.log), caller=dhs_admin, user_id="uscis-all")
    _denied(world, before, user_id="dhs-admin", action="user.manage", reason="not_party")


# --- through the command line: what an operator sees ---------------------------------------


def test_the_cli_records_refusals_and_keeps_the_auditor_to_its_agency(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    assert cli("audit", "init").exit_code == 0
    made = cli("users", "bootstrap", "--agency", "SSA", "--agency-name", "SSA", "--user", "admin")
    admin = made.stdout.strip()
    assert cli("agencies", "add", "DHS", "--name", "DHS", token=admin).exit_code == 0
    for user, agency, role in (("aud", "SSA", "auditor"), ("sub", "DHS", "submitter")):
        assert (
            cli("users", "add", user, "--agency", agency, "--role", role, token=admin).exit_code
            == 0
        )
    aud = cli("tokens", "issue", "--user", "aud", token=admin).stdout.strip()
    sub = cli("tokens", "issue", "--user", "sub", token=admin).stdout.strip()
    listed = cli("users", "list", token=aud)
    assert listed.exit_code == 0, listed.output
    assert "aud" in listed.stdout
    assert "DHS" not in listed.stdout  # reproduction 6
    sub_id = sub.split("_")[1]
    assert cli("tokens", "revoke", sub_id, token=admin).exit_code == 0
    assert cli("agreements", "list", token=sub).exit_code == EXIT_ACCESS  # reproduction 5
    for _ in range(3):
        assert cli("agreements", "list").exit_code == EXIT_ACCESS  # no token: counted
    settings = Settings(workspace=cli.workspace)
    config = audit_config(settings)
    with audit_store.transaction(config.url, write=False) as s:
        denied = audit_store.entries_of_kind(s, "access.denied")
        counted = audit_store.entries_of_kind(s, "access.unauthenticated")
    assert [(_d(e)["user_id"], _d(e)["token_id"], _d(e)["reason"]) for e in denied] == [
        ("sub", sub_id, "token_revoked")
    ]
    assert len(counted) == 1  # the first of the minute; the two others wait for its summary
    assert _d(counted[0])["source"].startswith("cli")
    assert _d(counted[0])["no_token"] == 1


# --- the tally alone --------------------------------------------------------------------------


def test_the_tally_appends_the_first_and_summarizes_the_rest_per_source_and_minute() -> None:
    tally = Tally()
    first = tally.count("a", "2031-01-02T03:04Z", NO_TOKEN)
    assert first == RefusalCount("a", "2031-01-02T03:04Z", 1, 0, summary=False)
    assert tally.count("a", "2031-01-02T03:04Z", UNKNOWN_TOKEN) is None
    assert tally.count("a", "2031-01-02T03:04Z", NO_TOKEN) is None
    alone = tally.count("b", "2031-01-02T03:04Z", NO_TOKEN)
    assert alone is not None
    assert tally.close("2031-01-02T03:04Z") == []  # the minute is still open
    assert tally.close("2031-01-02T03:05Z") == [
        RefusalCount("a", "2031-01-02T03:04Z", 1, 1, summary=True)  # b had only its first
    ]
    assert tally.counts == {}
    summary = RefusalCount("a", "2031-01-02T03:04Z", 2, 0, summary=True)
    tally.reopen(summary)  # its append failed: counted again for the next try
    assert tally.close("2031-01-02T03:05Z") == [summary]
    with pytest.raises(ValueError, match="token-less"):
        tally.count("a", "2031-01-02T03:04Z", "no_role")
    assert minute_of(dt.datetime(2031, 1, 2, 3, 4, 59, tzinfo=dt.UTC)) == "2031-01-02T03:04Z"


def test_a_source_is_cut_to_safe_characters_and_never_a_personal_shape() -> None:
    assert app_access.refusal_source("203.0.113.9") == "203.0.113.9"
    assert app_access.refusal_source("2001:db8::1") == "2001:db8::1"
    assert app_access.refusal_source("cli:ops user;rm -rf") == "cli:opsuserrm-rf"
    assert app_access.refusal_source("123-45-6789") == "cli"
    assert app_access.refusal_source("") == "cli"
    assert len(app_access.refusal_source("x" * 500)) == 64
    assert app_access.refusal_source().startswith("cli")


def test_no_log_set_up_means_nothing_counted_and_no_file_made(tmp_path: Path) -> None:
    settings = Settings(workspace=tmp_path / "none")
    with pytest.raises(AccessDenied):
        authenticate(App(settings), None)
    assert not (tmp_path / "none").exists()


def test_a_second_bootstrap_is_refused_and_counted(world: World) -> None:  # noqa: F811
    before = _size(world)
    for _ in range(3):
        with pytest.raises(AccessDenied):
            bootstrap(
                App(world.settings, audit=world.log),
                agency="SSA",
                agency_name="x",
                user_id="intruder",
            )
    counted = _new_denials(world, before, "access.unauthenticated")
    assert len(counted) == 1
    assert _d(counted[0])["bootstrap"] == 1
    assert _d(counted[0])["summary"] is False
