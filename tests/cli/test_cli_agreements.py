"""``matchgate agreements add|list|show`` via a tiny app mounting the sub-app as main will."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from tests.accounts import Accounts
from tests.governance.documents import REFERENCE, SAVE
from typer.testing import CliRunner

from matchgate.cli.agreements import agreements_app
from matchgate.cli.main import EXIT_INPUT
from matchgate.settings import Settings

app = typer.Typer()


@app.callback()
def _root() -> None:
    """A stand-in for matchgate's main app."""


app.add_typer(agreements_app)
runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A workspace with a privacy officer of SSA (the disclosing party) as the caller."""
    accounts = Accounts(Settings(workspace=tmp_path / "ws"))
    accounts.partners()
    accounts.user("ssa-po", "SSA", "privacy_officer")
    return {
        "MATCHGATE_WORKSPACE": str(tmp_path / "ws"),
        "MATCHGATE_DATABASE_URL": "",
        "MATCHGATE_TOKEN": accounts.tokens["ssa-po"],
    }


def run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["agreements", *args], env=env)
    return result.exit_code, result.stdout, result.stderr


def test_add_list_show(env: dict[str, str]) -> None:
    code, _, err = run(env, "add", str(REFERENCE))
    assert code == 0, err
    assert "stored: reference-2025-08 version 1" in err
    code, _, err = run(env, "add", str(REFERENCE))
    assert code == 0
    assert "already stored (identical text)" in err
    assert run(env, "add", str(SAVE))[0] == 0

    code, out, _ = run(env, "list")
    assert code == 0
    for word in ("reference-2025-08", "save-verification", "SSA -> DHS", "SSA -> DHS-USCIS"):
        assert word in out

    code, out, _ = run(env, "list", "--json")
    listing = json.loads(out)
    assert [x["id"] for x in listing] == ["reference-2025-08", "save-verification"]
    assert listing[0]["latest_version"] == 1
    assert isinstance(listing[0]["in_force_today"], bool)

    code, out, _ = run(env, "show", "reference-2025-08")
    assert code == 0
    for word in ("42 U.S.C. 1306(a)", "CUI//SP-PRVCY", "RU-SYN-31", "50,000 records per file"):
        assert word in out


def test_show_json_is_the_agreement_and_its_provenance(env: dict[str, str]) -> None:
    run(env, "add", str(SAVE))
    code, out, _ = run(env, "show", "save-verification", "--version", "1", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["agreement"]["id"] == "save-verification"
    assert data["agreement"]["allowed_response_categories"] == ["citizenship"]
    program = data["agreement"]["computer_matching"]["matching_program"]
    assert program["initial_term_months"] == 18
    assert data["agreement"]["fee"]["amount"] == "2.00"
    assert len(data["sha256"]) == 64
    assert data["versions"] == [1]
    assert set(data["disclosable"]) <= {"citizenship"}
    assert "earnings" in data["refused"]
    assert all(r["code"].startswith("R_") for r in data["refused"]["earnings"])


def test_invalid_agreement_is_one_line_exit_3(env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        REFERENCE.read_text().replace("    effective: 2025-07-28", "    effective: 2025-07-32")
    )
    code, out, err = run(env, "add", str(bad))
    assert code == EXIT_INPUT
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "bad.yaml" in lines[0]
    assert "routine_uses[1].effective" in lines[0]
    assert "[E_AGREEMENT_FIELD_FORMAT]" in lines[0]
    assert "Traceback" not in out + err


def test_unknown_agreement_exit_3(env: dict[str, str]) -> None:
    code, _, err = run(env, "show", "absent")
    assert code == EXIT_INPUT
    assert "E_AGREEMENT_NOT_FOUND" in err


def test_missing_file_exit_3(env: dict[str, str], tmp_path: Path) -> None:
    code, _, err = run(env, "add", str(tmp_path / "nope.yaml"))
    assert code == EXIT_INPUT
    assert "E_AGREEMENT_FILE_MISSING" in err


def test_list_on_an_empty_store(env: dict[str, str]) -> None:
    code, out, _ = run(env, "list", "--json")
    assert (code, json.loads(out)) == (0, [])


def test_an_unregistered_recipient_agency_is_refused(tmp_path: Path) -> None:
    accounts = Accounts(Settings(workspace=tmp_path / "ws"))
    accounts.user("ssa-po", "SSA", "privacy_officer")  # DHS is never registered
    env = {
        "MATCHGATE_WORKSPACE": str(tmp_path / "ws"),
        "MATCHGATE_DATABASE_URL": "",
        "MATCHGATE_TOKEN": accounts.tokens["ssa-po"],
    }
    code, _, err = run(env, "add", str(REFERENCE))
    assert code == EXIT_INPUT, err
    assert "DHS" in err
    assert "agencies add" in err
    code, out, _ = run(env, "list", "--json")
    assert (code, json.loads(out)) == (0, [])
