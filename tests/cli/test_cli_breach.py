"""``matchgate breach ...`` through the real app: an incident from opening to closure, the files
the report writes, exit 4 with nothing recorded when there is no audit log, and who may: the
host's privacy officer acts (as the user of ``MATCHGATE_TOKEN``), its auditor reads, another
agency sees no incident at all."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.accounts import Accounts
from typer.testing import CliRunner

from matchgate.app.audit import audit_config, init_audit, open_audit
from matchgate.audit import Disclosure
from matchgate.cli.main import app
from matchgate.cli.shell import EXIT_ACCESS, EXIT_CONFIG, EXIT_INPUT
from matchgate.services.oversight.audit_queries import show_entries
from matchgate.settings import Settings

runner = CliRunner()
SSN = "123-45-6789"


@pytest.fixture
def accounts(tmp_path: Path) -> Accounts:
    """SSA (host): a privacy officer and an auditor; DHS: a privacy officer and auditor."""
    made = Accounts(Settings(workspace=tmp_path / "ws"))
    made.user("ssa-po", "SSA", "privacy_officer")
    made.user("ssa-auditor", "SSA", "auditor")
    made.user("dhs-po", "DHS", "privacy_officer", "auditor")
    return made


@pytest.fixture
def env(tmp_path: Path, accounts: Accounts) -> dict[str, str]:
    return {
        "MATCHGATE_WORKSPACE": str(tmp_path / "ws"),
        "MATCHGATE_DATABASE_URL": "",
        "MATCHGATE_TOKEN": accounts.tokens["ssa-po"],
    }


def cli(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["breach", *args], env=env)
    return result.exit_code, result.stdout, result.stderr


def as_user(env: dict[str, str], accounts: Accounts, user: str) -> dict[str, str]:
    return {**env, "MATCHGATE_TOKEN": accounts.tokens[user] if user else ""}


def _settings(env: dict[str, str]) -> Settings:
    return Settings(workspace=Path(env["MATCHGATE_WORKSPACE"]))


def _disclose(env: dict[str, str]) -> str:
    config = audit_config(_settings(env))
    init_audit(config)
    log = open_audit(config)
    event = Disclosure(
        actor="svc:disclose",
        agreement="reference-2025-08",
        recipient="DHS",
        purpose="locate-and-verify-identity",
        routine_uses=("RU-SYN-31",),
        package_id="pkg-1",
    ).event(["address", "identity"], [log.subject_key(SSN)])
    log.append(event)
    return log.subject_key(SSN)


def test_an_incident_from_opening_to_closure(env: dict[str, str], tmp_path: Path) -> None:
    subject = _disclose(env)
    code, out, err = cli(
        env, "open", "--category", "lost_package", "--package", "pkg-1",
        "--json",
    )  # fmt: skip
    assert code == 0, err
    opened = json.loads(out)
    incident = opened["id"]
    assert opened["status"] == "open"
    assert opened["clock"]["overdue"] is False
    assert "left to report to US-CERT/CISA" in opened["clock"]["state"]

    code, out, err = cli(env, "list")
    assert code == 0, err
    assert incident in out
    assert "left to report" in out

    code, out, err = cli(env, "close", incident)
    assert code == EXIT_INPUT
    assert "one step at a time" in err
    code, out, err = cli(env, "advance", incident, "--to", "reported", "--reference", "CISA-9")
    assert code == 0, err
    assert "reported on time" in out
    code, out, err = cli(env, "advance", incident, "--to", "contained")
    assert code == 0, err

    reports = tmp_path / "reports"
    code, out, err = cli(env, "report", incident, "--out", str(reports))
    assert code == 0, err
    assert "1 affected people" in out
    assert "address 1, identity 1" in out
    (subjects,) = reports.glob("*-subjects.csv")
    assert subject in subjects.read_text()
    assert len(list(reports.glob("*.md"))) == 1
    assert SSN not in "".join(p.read_text() for p in reports.iterdir())

    code, out, err = cli(env, "close", incident, "--note", "notified")
    assert code == 0, err
    assert "closed" in out
    code, out, err = cli(env, "show", incident)
    assert code == 0, err
    for step in ("open", "reported", "contained", "assessed", "closed"):
        assert f" {step} by ssa-po " in out  # the caller's user id
    assert "CISA-9" in out
    kinds = [e.kind for e in show_entries(audit_config(_settings(env)), 0, 100)]
    assert kinds[-5:] == [
        "breach.opened",
        "breach.reported",
        "breach.contained",
        "breach.assessed",
        "breach.closed",
    ]


def test_without_an_audit_log_nothing_is_recorded(env: dict[str, str]) -> None:
    code, _, err = cli(env, "open", "--category", "other", "--recipient", "DHS")
    assert code == EXIT_CONFIG
    assert "NOT recorded" in err
    assert "US-CERT/CISA" in err
    code, out, _ = cli(env, "list")
    assert code == 0
    assert "no incidents" in out


def test_bad_input_is_exit_3(env: dict[str, str]) -> None:
    code, _, err = cli(env, "open", "--category", "spilled_coffee", "--job", "j")
    assert code == EXIT_INPUT
    assert "category" in err
    code, _, err = cli(env, "open", "--category", "other")
    assert code == EXIT_INPUT
    assert "scope" in err
    code, _, err = cli(env, "show", "nope")
    assert code == EXIT_INPUT
    assert "no incident" in err


def test_only_the_host_privacy_officer_acts_and_another_agency_sees_nothing(
    env: dict[str, str], accounts: Accounts
) -> None:
    _disclose(env)
    code, out, err = cli(env, "open", "--category", "lost_package", "--package", "pkg-1", "--json")
    assert code == 0, err
    incident = json.loads(out)["id"]

    auditor = as_user(env, accounts, "ssa-auditor")
    code, out, err = cli(auditor, "show", incident)
    assert code == 0, err
    assert incident in out
    code, _, err = cli(auditor, "advance", incident, "--to", "reported")
    assert code == EXIT_ACCESS
    assert "breach.manage" in err

    partner = as_user(env, accounts, "dhs-po")
    code, out, err = cli(partner, "list")
    assert (code, out.strip()) == (0, "no incidents"), err
    hidden = cli(partner, "show", incident)
    absent = cli(partner, "show", "f" * 32)
    assert hidden[0] == absent[0] == EXIT_INPUT
    assert hidden[2].replace(incident, "ID") == absent[2].replace("f" * 32, "ID")
    code, _, _ = cli(partner, "advance", incident, "--to", "reported")
    assert code == EXIT_INPUT
    code, _, err = cli(partner, "open", "--category", "other", "--recipient", "DHS")
    assert code == EXIT_ACCESS
    assert "host agency" in err
    code, _, _ = cli(as_user(env, accounts, ""), "list")
    assert code == EXIT_ACCESS

    entries = show_entries(audit_config(_settings(env)), 0, 100)
    denied = [e for e in entries if e.kind == "access.denied"]
    assert {(e.actor, e.details["action"]) for e in denied} >= {
        ("ssa-auditor", "breach.manage"),
        ("dhs-po", "breach.read"),
        ("dhs-po", "breach.manage"),
    }
    assert [e.kind for e in entries if e.details.get("incident_id") == incident] == [
        "breach.opened"
    ]


def test_a_package_the_audit_log_never_recorded_is_refused(env: dict[str, str]) -> None:
    _disclose(env)  # pkg-1 exists; pkg-404 does not
    code, _, err = cli(
        env, "open", "--category", "lost_package", "--package", "pkg-1", "--package", "pkg-404"
    )
    assert code == EXIT_INPUT, err
    assert "pkg-404" in err
    assert "pkg-1" not in err.replace("pkg-404", "")
    code, out, _ = cli(env, "list")
    assert (code, out.strip()) == (0, "no incidents")
    kinds = [e.kind for e in show_entries(audit_config(_settings(env)), 0, 100)]
    assert "breach.opened" not in kinds
