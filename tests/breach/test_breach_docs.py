"""docs/breach.md stays in step with the code: categories, statuses, codes, report fields, subject
columns, audit kinds and commands are all there."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from matchgate.audit import kinds
from matchgate.audit.breach import (
    E_BREACH_INPUT,
    E_BREACH_NOT_FOUND,
    E_BREACH_STEP,
    LIFECYCLE,
    IncidentCategory,
)
from matchgate.audit.breach_report import SUBJECT_COLUMNS
from matchgate.cli.main import app

ROOT = Path(__file__).parents[2]
DOCS = (ROOT / "docs" / "breach.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")
KINDS = [
    kinds.BREACH_OPENED,
    kinds.BREACH_REPORTED,
    kinds.BREACH_CONTAINED,
    kinds.BREACH_ASSESSED,
    kinds.BREACH_CLOSED,
]
REPORT_FIELDS = [
    "format",
    "generated_at",
    "incident",
    "disclosure_window",
    "scope_ids_not_found",
    "counts",
    "people_by_category",
    "people_by_recipient",
    "people_by_routine_use",
    "people_by_agreement",
    "people_by_reference",
    "disclosures",
    "audit",
    "affected_subjects_file",
]


@pytest.mark.parametrize("name", [*IncidentCategory, *LIFECYCLE], ids=str)
def test_categories_and_statuses_are_documented(name: str) -> None:
    assert f"`{name}`" in DOCS


@pytest.mark.parametrize("code", [E_BREACH_INPUT, E_BREACH_STEP, E_BREACH_NOT_FOUND])
def test_codes_are_documented(code: str) -> None:
    assert f"| `{code}` |" in DOCS


@pytest.mark.parametrize("kind", KINDS)
def test_audit_kinds_are_documented_and_known(kind: str) -> None:
    assert f"| `{kind}` |" in DOCS
    assert kind in kinds.KNOWN


@pytest.mark.parametrize("column", SUBJECT_COLUMNS)
def test_subject_columns_are_documented(column: str) -> None:
    assert f"| `{column}` |" in DOCS


def test_report_fields_are_documented() -> None:
    table = [line for line in DOCS.splitlines() if line.startswith("| `")]
    for name in REPORT_FIELDS:
        assert any(f"`{name}`" in line.split("|")[1] for line in table), name


@pytest.mark.parametrize("command", ["open", "list", "show", "report", "advance", "close"])
def test_commands_exist_and_are_documented(command: str) -> None:
    assert f"matchgate breach {command}" in DOCS
    assert command in README.split("matchgate breach", 1)[1].split("```", 1)[0]
    result = CliRunner().invoke(app, ["breach", command, "--help"])
    assert result.exit_code == 0, result.output
