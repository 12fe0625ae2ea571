"""docs/submissions.md stays in step with the code: every code, status and exit code is there."""

from __future__ import annotations

from pathlib import Path

import pytest

import matchgate.services.disclosure.notices as notices
from matchgate.cli.submit import EXIT_HELD, EXIT_REJECTED
from matchgate.disclosure.response import CATEGORY_FIELDS
from matchgate.domain.lifecycle import SubmissionStatus
from matchgate.intake.codes import Code
from matchgate.intake.submission_codes import SUBMISSION_MEANINGS, SubmissionCode

DOCS = (Path(__file__).parents[2] / "docs" / "submissions.md").read_text(encoding="utf-8")
REQUEST_CODES = [
    c
    for c in Code
    if c
    not in (
        Code.MASTER_COLUMNS_MISSING,
        Code.MASTER_IS_REQUEST,
        Code.OUTPUT_FORMAT,
        Code.OUTPUT_IS_INPUT,
    )
]


@pytest.mark.parametrize("code", [*SubmissionCode, *REQUEST_CODES], ids=str)
def test_every_submission_code_is_documented(code: str) -> None:
    assert f"`{code}`" in DOCS


def test_every_submission_code_has_a_meaning() -> None:
    assert set(SUBMISSION_MEANINGS) == set(SubmissionCode)


@pytest.mark.parametrize("status", list(SubmissionStatus), ids=str)
def test_every_status_is_documented(status: SubmissionStatus) -> None:
    assert f"| `{status}` |" in DOCS


def test_notice_codes_exit_codes_and_categories_are_documented() -> None:
    for code in (
        notices.E_NOTICE_INVALID,
        notices.E_NOTICE_OPEN,
        notices.E_NOTICE_NOT_FOUND,
        notices.E_NOTICE_DECIDED,
    ):
        assert f"`{code}`" in DOCS
    for exit_code in (0, EXIT_REJECTED, 4, EXIT_HELD):
        assert f"| {exit_code} |" in DOCS
    for category, fields in CATEGORY_FIELDS.items():
        row = next(line for line in DOCS.splitlines() if line.startswith(f"| `{category}` |"))
        for field in fields:
            assert field in row, (category, field)
