"""docs/access.md stays in step with the code: the matrix, the roles and the exit code."""

from __future__ import annotations

from pathlib import Path

from matchgate.access import MATRIX, Action, Role
from matchgate.cli.shell import EXIT_ACCESS

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "access.md").read_text(encoding="utf-8")


def test_the_matrix_in_the_docs_is_the_code() -> None:
    header = "| action | " + " | ".join(role.value for role in Role) + " |"
    assert header in DOC
    for action in Action:
        cells = [MATRIX[action][role].value if role in MATRIX[action] else "-" for role in Role]
        assert f"| `{action.value}` | " + " | ".join(cells) + " |" in DOC, action


def test_the_docs_matrix_has_no_row_the_code_lacks() -> None:
    header = "| action | " + " | ".join(role.value for role in Role) + " |"
    table = DOC.split(header, 1)[1].split("\n\n", 1)[0]
    rows = [line.split("`")[1] for line in table.splitlines() if line.startswith("| `")]
    assert sorted(rows) == sorted(action.value for action in Action)


def test_the_exit_code_is_documented() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"| {EXIT_ACCESS} | access denied" in readme
    assert "exit code 7" in DOC
    assert EXIT_ACCESS == 7


def test_the_access_event_kinds_are_known_to_the_audit_stage() -> None:
    """``access`` and ``audit`` are independent stages, so each names the kinds; they agree."""
    from matchgate.access import policy
    from matchgate.audit import kinds

    for name in ("ACCESS_DENIED", "AGENCY_ADDED", "TOKEN_ISSUED", "TOKEN_REVOKED"):
        assert getattr(policy, name) == getattr(kinds, name)
        assert getattr(kinds, name) in kinds.KNOWN
    assert {kinds.USER_CHANGED, kinds.ROLE_CHANGED} <= kinds.KNOWN
