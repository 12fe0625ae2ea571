"""No object of one agency is readable by another agency's users, whatever their roles, on
SQLite and PostgreSQL. For each object type: its owner can reach it (so the probe can fail), an
outsider holding every role cannot, and an outsider's refusal is the very error (type and text,
the id aside) that a made-up id gets: a refusal tells nothing about whether the object exists."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from tests.access.world import SSN, World, world  # noqa: F401 - the fixture
from tests.submit.helpers import REQUESTS

from matchgate.access import Principal
from matchgate.app.core import App
from matchgate.audit import kinds
from matchgate.services.administration.agreements import describe_agreement, list_agreements
from matchgate.services.administration.suspensions import suspend_agreement
from matchgate.services.administration.users import (
    list_agencies,
    list_users,
    revoke_token,
    revoke_user,
)
from matchgate.services.disclosure.notices import decide_notice, list_notices
from matchgate.services.oversight.audit_access import (
    accounting_for_caller,
    prove_for,
    show_entries_for,
    tail_entries_for,
    withdraw_for_caller,
)
from matchgate.services.oversight.breach import (
    advance_incident,
    get_incident,
    list_incidents,
    make_report,
)
from matchgate.services.oversight.withdrawals import (
    acknowledge_withdrawal_notice,
    list_withdrawal_notices,
)
from matchgate.services.submission.records import get_submission, list_submissions
from matchgate.services.submission.submit import SubmitOptions, submit_file

FAKE = "fffffffffffffffffffffffffffffff0"


def _reference_entries(w: World, views: list[Any]) -> list[Any]:
    job = w.submission.job_id
    return [
        v
        for v in views
        if v.agreement == "reference-2025-08" or v.details.get("job_id") == job or v.agency == "DHS"
    ]


# --- lookups by id: the owner gets it, an outsider gets the not-found error -------------------


@dataclass(frozen=True)
class Lookup:
    """``act(world, caller, id)``; ``owner`` picks who may; ``real`` picks the object's id."""

    act: Callable[[World, Principal, str], Any]
    owner: Callable[[World], Principal] | None
    real: Callable[[World], str]
    fake: str = FAKE


def _submit(w: World, caller: Principal, agreement: str) -> Any:
    path = w.settings.workspace / "probe.csv"
    path.write_text(REQUESTS, encoding="utf-8")
    return submit_file(
        App(w.settings, audit=w.log),
        path,
        agreement,
        caller=caller,
        options=SubmitOptions(dry_run=True),
        subject=w.log.subject_key,
    )


def _first_reference_sequence(w: World) -> str:
    views = show_entries_for(w.app, 0, 10_000, caller=w.dhs_po)
    return str(_reference_entries(w, views)[0].sequence)


def _prove(w: World, caller: Principal, sequence: str) -> Any:
    w.log.checkpoint()
    return prove_for(w.app, int(sequence), caller=caller)


_NOTICES: dict[int, str] = {}


def _withdrawal_notice(w: World) -> str:
    """The notice to DHS of a withdrawal of the package's disclosure (made once per world)."""
    if id(w) not in _NOTICES:
        done = withdraw_for_caller(
            w.app,
            SSN,
            "wrong_match",
            caller=w.ssa_po,
            package_id=str(w.submission.package_id),
        )
        _NOTICES[id(w)] = next(n.id for n in done.notices if n.recipient == "DHS")
    return _NOTICES[id(w)]


def _token_of(w: World, user: str) -> str:
    token = w.accounts.tokens[user]
    return token.split("_")[1]


LOOKUPS = {
    "agreement": Lookup(
        lambda w, c, i: describe_agreement(App(w.settings), i, caller=c),
        lambda w: w.dhs_submitter,
        lambda w: "reference-2025-08",
    ),
    "submission and its validation report": Lookup(
        lambda w, c, i: get_submission(App(w.settings), i, caller=c).report,
        lambda w: w.dhs_submitter,
        lambda w: w.submission.job_id,
    ),
    "submission under the agreement": Lookup(
        _submit,
        lambda w: w.dhs_submitter,
        lambda w: "reference-2025-08",
    ),
    "agreement suspension": Lookup(
        lambda w, c, i: suspend_agreement(App(w.settings, audit=w.log), i, "probe", caller=c),
        None,  # the owner's suspension would change the world; its test is elsewhere
        lambda w: "reference-2025-08",
    ),
    "onward-use notice": Lookup(
        lambda w, c, i: decide_notice(App(w.settings, audit=w.log), i, approve=True, caller=c),
        None,  # deciding would change the world; the owner lists it below
        lambda w: w.notice.id,
    ),
    "package (withdrawal of its disclosure)": Lookup(
        lambda w, c, i: withdraw_for_caller(w.app, SSN, "wrong_match", caller=c, package_id=i),
        None,  # withdrawing would change the world; the owner's accounting shows it below
        lambda w: str(w.submission.package_id),
    ),
    "withdrawal notice (acknowledge)": Lookup(
        lambda w, c, i: acknowledge_withdrawal_notice(w.app, i, caller=c),
        None,  # acknowledging would change the world; the owner lists it below
        _withdrawal_notice,
    ),
    "audit entry (inclusion proof)": Lookup(
        _prove,
        lambda w: w.dhs_po,
        _first_reference_sequence,
        fake="999999",
    ),
    "breach incident": Lookup(
        lambda w, c, i: get_incident(w.app, i, caller=c),
        lambda w: w.ssa_po,
        lambda w: w.incident.id,
    ),
    "breach incident (advance)": Lookup(
        lambda w, c, i: advance_incident(w.app, i, "reported", caller=c),
        None,  # advancing would change the world; the owner reads it above
        lambda w: w.incident.id,
    ),
    "breach incident (report)": Lookup(
        lambda w, c, i: make_report(w.app, i, w.settings.workspace / "reports", caller=c),
        None,
        lambda w: w.incident.id,
    ),
    "user": Lookup(
        lambda w, c, i: revoke_user(App(w.settings, audit=w.log), i, caller=c),
        None,  # revoking would change the world; the owner lists users below
        lambda w: "dhs-submitter",
        fake="no-such-user",
    ),
    "token": Lookup(
        lambda w, c, i: revoke_token(App(w.settings, audit=w.log), i, caller=c),
        None,
        lambda w: _token_of(w, "dhs-submitter"),
        fake="0123456789abcdef",
    ),
}


def _outsiders(w: World) -> list[Principal]:
    return [w.uscis_all, w.irs_all]


def _failure(call: Callable[[], Any]) -> BaseException:
    with pytest.raises(Exception) as caught:
        call()
    return caught.value


@pytest.mark.parametrize("name", sorted(LOOKUPS))
def test_an_outsider_gets_what_a_made_up_id_gets(world: World, name: str) -> None:  # noqa: F811
    lookup = LOOKUPS[name]
    real = lookup.real(world)
    if lookup.owner is not None:
        assert lookup.act(world, lookup.owner(world), real) is not None
    for outsider in _outsiders(world):
        absent = _failure(lambda o=outsider: lookup.act(world, o, lookup.fake))
        hidden = _failure(lambda o=outsider: lookup.act(world, o, real))
        assert type(hidden) is type(absent), (outsider.user_id, hidden, absent)
        assert str(hidden).replace(real, "ID") == str(absent).replace(lookup.fake, "ID")


# --- lists: the owner sees the object, an outsider never does --------------------------------


@dataclass(frozen=True)
class Listing:
    items: Callable[[World, Principal], list[str]]
    owner: Callable[[World], Principal]
    wanted: Callable[[World], str]


def _ids(rows: list[Any], attribute: str) -> list[str]:
    return [str(getattr(row, attribute)) for row in rows]


LISTINGS = {
    "agreements": Listing(
        lambda w, c: _ids(list_agreements(App(w.settings), caller=c), "id"),
        lambda w: w.dhs_submitter,
        lambda w: "reference-2025-08",
    ),
    "submissions": Listing(
        lambda w, c: (
            _ids(list_submissions(App(w.settings), caller=c), "job_id")
            + _ids(list_submissions(App(w.settings), "reference-2025-08", caller=c), "job_id")
        ),
        lambda w: w.ssa_reviewer,
        lambda w: w.submission.job_id,
    ),
    "notices": Listing(
        lambda w, c: _ids(list_notices(App(w.settings), caller=c), "id"),
        lambda w: w.ssa_po,
        lambda w: w.notice.id,
    ),
    "accounting of disclosures": Listing(
        lambda w, c: [line.reference for line in accounting_for_caller(w.app, SSN, caller=c).lines],
        lambda w: w.ssa_po,
        lambda w: str(w.submission.package_id),
    ),
    "audit entries (show)": Listing(
        lambda w, c: [
            str(v.sequence)
            for v in _reference_entries(w, show_entries_for(w.app, 0, 10_000, caller=c))
        ],
        lambda w: w.dhs_po,
        _first_reference_sequence,
    ),
    "audit entries (tail)": Listing(
        lambda w, c: [
            str(v.sequence)
            for v in _reference_entries(w, tail_entries_for(w.app, 10_000, caller=c))
        ],
        lambda w: w.dhs_po,
        _first_reference_sequence,
    ),
    "withdrawal notices": Listing(
        lambda w, c: _ids(list_withdrawal_notices(w.app, caller=c), "id"),
        lambda w: w.dhs_submitter,
        _withdrawal_notice,
    ),
    "breach incidents": Listing(
        lambda w, c: _ids(list_incidents(w.app, caller=c), "id"),
        lambda w: w.ssa_po,
        lambda w: w.incident.id,
    ),
    "users": Listing(
        lambda w, c: _ids(list_users(App(w.settings), caller=c), "id"),
        lambda w: w.accounts.admin,
        lambda w: "dhs-submitter",
    ),
    "agencies": Listing(
        lambda w, c: _ids(list_agencies(App(w.settings), caller=c), "code"),
        lambda w: w.accounts.admin,
        lambda w: "DHS",
    ),
}


@pytest.mark.parametrize("name", sorted(LISTINGS))
def test_an_outsider_never_lists_it(world: World, name: str) -> None:  # noqa: F811
    listing = LISTINGS[name]
    wanted = listing.wanted(world)
    assert wanted in listing.items(world, listing.owner(world))
    for outsider in _outsiders(world):
        assert wanted not in listing.items(world, outsider), outsider.user_id


def test_each_refusal_is_in_the_audit_log_for_the_host_only(world: World) -> None:  # noqa: F811
    with pytest.raises(Exception):  # noqa: B017 - the type is the lookup's own
        get_submission(App(world.settings), world.submission.job_id, caller=world.irs_all)
    views = show_entries_for(world.app, 0, 10_000, caller=world.ssa_po)
    denied = [v for v in views if v.kind == "access.denied" and v.actor == "irs-all"]
    assert denied
    assert denied[-1].details["reason"] == "not_party"
    assert denied[-1].details["object_id"] == world.submission.job_id
    assert denied[-1].agency is None
    assert denied[-1].agreement is None
    for outsider in _outsiders(world):
        seen = show_entries_for(world.app, 0, 10_000, caller=outsider)
        assert not [v for v in seen if v.kind == "access.denied" and v.actor == "irs-all"]
    assert kinds.USER_CHANGED in {v.kind for v in views}
