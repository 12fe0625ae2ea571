"""Withdrawal notices: ``audit withdraw`` makes one per earlier recipient; the recipient lists and
acknowledges its own; the accounting shows notified and acknowledged from the log."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import typer
from tests.accounts import Accounts
from tests.submit.helpers import REFERENCE, SAVE
from typer.testing import CliRunner

from matchgate.app.audit import AuditConfig, audit_config, open_audit
from matchgate.app.core import App
from matchgate.audit import Disclosure, kinds
from matchgate.cli.audit import register as register_audit
from matchgate.cli.shell import EXIT_ACCESS, EXIT_INPUT, run
from matchgate.cli.withdrawals import register as register_withdrawals
from matchgate.services.administration.agreements import add_agreement
from matchgate.settings import Settings
from matchgate.storage import audit as audit_store

app = typer.Typer()


@app.callback()
def _root() -> None:
    """A stand-in for matchgate's main app."""


register_audit(app, run)
register_withdrawals(app, run)
runner = CliRunner()
SSN = "123-45-6789"


@pytest.fixture
def env(tmp_path: Path, store_url: str) -> dict[str, str]:
    """SSA (the host) disclosed one person's record to DHS (pkg-1) and to DHS-USCIS (pkg-2), in
    one store (SQLite, or PostgreSQL when one answers) holding the audit log too."""
    settings = Settings(workspace=tmp_path / "ws", database_url=store_url)
    accounts = Accounts(settings)
    accounts.partners()
    po = accounts.user("ssa-po", "SSA", "privacy_officer")
    add_agreement(App(settings), REFERENCE, caller=po)
    add_agreement(App(settings), SAVE, caller=po)
    accounts.user("dhs-sub", "DHS", "submitter")
    accounts.user("dhs-aud", "DHS", "auditor")
    accounts.user("uscis-sub", "DHS-USCIS", "submitter")
    accounts.user("uscis-rev", "DHS-USCIS", "reviewer")
    accounts.user("va-po", "VA", "privacy_officer")
    env = {
        "MATCHGATE_WORKSPACE": str(tmp_path / "ws"),
        "MATCHGATE_DATABASE_URL": store_url,
        "MATCHGATE_TIMEZONE": "UTC",
        "SSN": SSN,
        "MATCHGATE_TOKEN": accounts.tokens["ssa-po"],
    }
    assert cli(env, "audit", "init")[0] == 0
    log = open_audit(_config(env))
    for recipient, agreement, package in (
        ("DHS", "reference-2025-08", "pkg-1"),
        ("DHS-USCIS", "save-verification", "pkg-2"),
    ):
        disclosure = Disclosure(
            actor="svc:disclose",
            agreement=agreement,
            recipient=recipient,
            purpose="benefit-eligibility",
            routine_uses=("RU-31",),
            package_id=package,
        )
        log.append(disclosure.event(["identity"], [log.subject_key(SSN)]))
    env.update({f"TOKEN_{user}": token for user, token in accounts.tokens.items()})
    return env


def cli(env: dict[str, str], *args: str, user: str | None = None) -> tuple[int, str, str]:
    if user is not None:
        env = {**env, "MATCHGATE_TOKEN": env[f"TOKEN_{user}"]}
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def _config(env: dict[str, str]) -> AuditConfig:
    workspace = Path(env["MATCHGATE_WORKSPACE"])
    return audit_config(Settings(workspace=workspace, database_url=env["MATCHGATE_DATABASE_URL"]))


def _withdraw(env: dict[str, str]) -> str:
    code, out, err = cli(
        env,
        "audit",
        "withdraw",
        "--ssn-env",
        "SSN",
        "--reason",
        "wrong_match",
        "--package",
        "pkg-1",
    )
    assert code == 0, err
    return out


def _notices(env: dict[str, str], user: str) -> list[dict[str, object]]:
    code, out, err = cli(env, "withdrawals", "list", "--json", user=user)
    assert code == 0, err
    found: list[dict[str, object]] = json.loads(out)
    return found


def _denials(env: dict[str, str]) -> list[dict[str, object]]:
    with audit_store.transaction(_config(env).url, write=False) as s:
        rows = audit_store.entries_of_kind(s, kinds.ACCESS_DENIED)
        return [json.loads(row.details) for row in rows]


def test_withdraw_makes_a_notice_for_each_earlier_recipient(env: dict[str, str]) -> None:
    out = _withdraw(env)
    assert "withdraws entries 0" in out
    assert "made for DHS " in out
    assert "made for DHS-USCIS " in out
    assert "no notice is sent" not in out
    dhs = _notices(env, "dhs-sub")
    assert len(dhs) == 1
    (notice,) = dhs
    assert notice["recipient"] == "DHS"
    assert notice["from"] == "SSA"
    assert notice["references"] == ["pkg-1"]  # what DHS received, nothing else
    assert notice["package_id"] == "pkg-1"
    assert notice["acknowledged_at"] is None
    uscis = _notices(env, "uscis-sub")
    assert [n["recipient"] for n in uscis] == ["DHS-USCIS"]
    assert uscis[0]["references"] == ["pkg-2"]  # an earlier recipient of the record is told too
    assert uscis[0]["withdrawal_entry"] == notice["withdrawal_entry"] == 2
    assert _notices(env, "va-po") == []  # another agency lists none
    assert len(_notices(env, "ssa-po")) == 2  # the disclosing agency lists what it sent
    # the entries: one withdrawal.notified per recipient, carrying no personal value
    with audit_store.transaction(_config(env).url, write=False) as s:
        made = audit_store.entries_of_kind(s, kinds.WITHDRAWAL_NOTIFIED)
        assert sorted(json.loads(r.details)["recipient"] for r in made) == ["DHS", "DHS-USCIS"]
        for row in made:
            assert SSN not in row.details
            assert SSN.replace("-", "") not in row.details
    assert cli(env, "audit", "verify")[0] == 0


def test_the_recipient_acknowledges_its_own_notice_once(env: dict[str, str]) -> None:
    _withdraw(env)
    (notice,) = _notices(env, "dhs-sub")
    notice_id = str(notice["id"])
    code, out, err = cli(env, "withdrawals", "ack", notice_id, "--json", user="dhs-sub")
    assert code == 0, err
    done = json.loads(out)
    assert done["acknowledged_by"] == "dhs-sub"
    assert done["acknowledged_at"] is not None
    code, _, err = cli(env, "withdrawals", "ack", notice_id, user="dhs-sub")
    assert code == EXIT_INPUT
    assert "already acknowledged" in err
    code, out, _ = cli(env, "withdrawals", "list", "--pending", user="dhs-sub")
    assert "no withdrawal notices" in out
    with audit_store.transaction(_config(env).url, write=False) as s:
        acks = audit_store.entries_of_kind(s, kinds.WITHDRAWAL_ACKNOWLEDGED)
        assert [(r.actor, json.loads(r.details)["notice_id"]) for r in acks] == [
            ("dhs-sub", notice_id)
        ]


def test_another_agencys_notice_answers_as_an_unknown_one_and_is_audited(
    env: dict[str, str],
) -> None:
    _withdraw(env)
    (notice,) = _notices(env, "dhs-sub")
    notice_id = str(notice["id"])
    made_up = "0" * 32
    code, _, theirs = cli(env, "withdrawals", "ack", notice_id, user="uscis-sub")
    assert code == EXIT_INPUT
    code, _, unknown = cli(env, "withdrawals", "ack", made_up, user="uscis-sub")
    assert code == EXIT_INPUT
    assert theirs.replace(notice_id, "ID") == unknown.replace(made_up, "ID")
    # the disclosing agency may not acknowledge for its recipient; a reviewer or an auditor may not
    assert cli(env, "withdrawals", "ack", notice_id, user="ssa-po")[0] == EXIT_ACCESS
    assert cli(env, "withdrawals", "ack", notice_id, user="dhs-aud")[0] == EXIT_ACCESS
    assert cli(env, "withdrawals", "list", user="uscis-rev")[0] == EXIT_ACCESS
    reasons = {
        (d["user_id"], d["reason"])
        for d in _denials(env)
        if d["action"] in ("withdrawal.ack", "withdrawal.read")
    }
    assert reasons == {
        ("uscis-sub", "not_party"),
        ("uscis-sub", "not_found"),
        ("ssa-po", "wrong_side"),
        ("dhs-aud", "no_role"),
        ("uscis-rev", "no_role"),
    }
    assert _notices(env, "dhs-sub")[0]["acknowledged_at"] is None


def test_the_accounting_shows_notified_and_acknowledged_per_recipient(env: dict[str, str]) -> None:
    code, out, _ = cli(env, "audit", "accounting", "--ssn-env", "SSN")
    assert "notified" not in out  # nothing withdrawn, nothing notified
    today = dt.datetime.now(dt.UTC).date().isoformat()
    _withdraw(env)
    code, out, err = cli(env, "audit", "accounting", "--ssn-env", "SSN")
    assert code == 0, err
    assert (
        f"DHS notified {today}, not yet acknowledged; DHS-USCIS notified {today}, "
        "not yet acknowledged" in out
    )
    (notice,) = _notices(env, "uscis-sub")
    assert cli(env, "withdrawals", "ack", str(notice["id"]), user="uscis-sub")[0] == 0
    code, out, err = cli(env, "audit", "accounting", "--ssn-env", "SSN")
    assert (
        f"DHS notified {today}, not yet acknowledged; DHS-USCIS notified {today}, "
        f"acknowledged {today} by uscis-sub" in out
    )
    code, out, err = cli(env, "audit", "accounting", "--ssn-env", "SSN", "--json")
    assert code == 0, err
    (correction,) = json.loads(out)["corrections"]
    assert correction["recipients"] == [
        {
            "agency": "DHS",
            "notice": _notices(env, "dhs-sub")[0]["id"],
            "notified": today,
            "acknowledged": None,
            "acknowledged_by": None,
        },
        {
            "agency": "DHS-USCIS",
            "notice": notice["id"],
            "notified": today,
            "acknowledged": today,
            "acknowledged_by": "uscis-sub",
        },
    ]
    assert "notices_sent" not in correction
