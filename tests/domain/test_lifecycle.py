"""The lifecycle vocabulary: the stored strings are pinned, and shells reach it without storage."""

from __future__ import annotations

import ast
from pathlib import Path

from matchgate.domain.lifecycle import (
    IncidentStatus,
    JobStatus,
    NoticeStatus,
    PackageStatus,
    RecipientKeyStatus,
    ReviewStatus,
    SubmissionStatus,
    UserStatus,
)

SRC = Path(__file__).resolve().parents[2] / "src" / "matchgate"


def test_the_stored_values_do_not_change() -> None:
    assert [s.value for s in SubmissionStatus] == [
        "received",
        "rejected",
        "needs_consultation",
        "validated",
        "processed",
        "disclosed",
    ]
    assert [s.value for s in IncidentStatus] == ["open", "reported", "contained", "closed"]
    assert [s.value for s in ReviewStatus] == ["pending"]
    assert [s.value for s in NoticeStatus] == ["pending", "approved", "denied"]
    assert [s.value for s in PackageStatus] == [
        "disclosed",
        "withdrawn",
        "prepared, release failed",
    ]
    assert [s.value for s in JobStatus] == ["running", "finished", "failed"]
    assert [s.value for s in UserStatus] == ["active", "revoked"]
    assert [s.value for s in RecipientKeyStatus] == ["current", "retired", "revoked"]


def test_the_docstring_names_every_lifecycle() -> None:
    import matchgate.domain.lifecycle as lifecycle

    doc = lifecycle.__doc__ or ""
    every = (
        SubmissionStatus,
        PackageStatus,
        IncidentStatus,
        ReviewStatus,
        NoticeStatus,
        JobStatus,
        UserStatus,
        RecipientKeyStatus,
    )
    for enum in every:
        assert enum.__name__ in doc
        for status in enum:
            assert status.value in doc, status


def test_no_shell_imports_storage_for_a_status() -> None:
    for path in (SRC / "cli").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "matchgate.storage.submissions":
                raise AssertionError(f"{path.name} imports storage.submissions")
