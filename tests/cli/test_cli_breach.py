"""``matchgate breach ...`` through the real app: an incident from opening to closure, the files
the report writes, and exit 4 with nothing recorded when there is no audit log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from matchgate.audit import Disclosure
from matchgate.cli.main import app
from matchgate.cli.shell import EXIT_CONFIG, EXIT_INPUT
from matchgate.services.audit import audit_config, init_audit, open_audit, show_entries
from matchgate.settings import Settings

runner = CliRunner()
SSN = "123-45-6789"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"MATCHGATE_WORKSPACE": str(tmp_path / "ws"), "MATCHGATE_DATABASE_URL": ""}


def cli(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["breach", *args], env=env)
    return result.exit_code, result.stdout, result.stderr


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
        env, "open", "--category", "lost_package", "--by", "ops:jdoe", "--package", "pkg-1",
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

    code, out, err = cli(env, "close", incident, "--by", "privacy:po")
    assert code == EXIT_INPUT
    assert "one step at a time" in err
    code, out, err = cli(
        env, "advance", incident, "--to", "reported", "--by", "privacy:po", "--reference", "CISA-9"
    )
    assert code == 0, err
    assert "reported on time" in out
    code, out, err = cli(env, "advance", incident, "--to", "contained", "--by", "ops:jdoe")
    assert code == 0, err

    reports = tmp_path / "reports"
    code, out, err = cli(env, "report", incident, "--by", "privacy:po", "--out", str(reports))
    assert code == 0, err
    assert "1 affected people" in out
    assert "address 1, identity 1" in out
    (subjects,) = reports.glob("*-subjects.csv")
    assert subject in subjects.read_text()
    assert len(list(reports.glob("*.md"))) == 1
    assert SSN not in "".join(p.read_text() for p in reports.iterdir())

    code, out, err = cli(env, "close", incident, "--by", "privacy:po", "--note", "notified")
    assert code == 0, err
    assert "closed" in out
    code, out, err = cli(env, "show", incident)
    assert code == 0, err
    for step in ("open", "reported", "contained", "assessed", "closed"):
        assert f" {step} by " in out
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
    code, _, err = cli(env, "open", "--category", "other", "--by", "ops:jdoe", "--recipient", "DHS")
    assert code == EXIT_CONFIG
    assert "NOT recorded" in err
    assert "US-CERT/CISA" in err
    code, out, _ = cli(env, "list")
    assert code == 0
    assert "no incidents" in out


def test_bad_input_is_exit_3(env: dict[str, str]) -> None:
    code, _, err = cli(env, "open", "--category", "spilled_coffee", "--by", "x", "--job", "j")
    assert code == EXIT_INPUT
    assert "category" in err
    code, _, err = cli(env, "open", "--category", "other", "--by", "x")
    assert code == EXIT_INPUT
    assert "scope" in err
    code, _, err = cli(env, "show", "nope")
    assert code == EXIT_INPUT
    assert "no incident" in err
