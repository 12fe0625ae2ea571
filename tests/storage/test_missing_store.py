"""An operational store named by ``MATCHGATE_DATABASE_URL`` that does not exist is refused with
exit 4 naming ``matchgate db upgrade``, and nothing is created (no file, no folder)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.accounts import Accounts
from typer.testing import CliRunner

from matchgate.cli.main import EXIT_CONFIG, app
from matchgate.settings import Settings

runner = CliRunner()
COMMANDS = (
    ["agreements", "list"],
    ["submissions", "list"],
    ["users", "list"],
    ["audit", "tail"],
    ["withdrawals", "list"],
)


@pytest.fixture(scope="module")
def token(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A workspace with a user whose token is valid in the workspace's own store."""
    root = tmp_path_factory.mktemp("store")
    accounts = Accounts(Settings(workspace=root / "ws"))
    accounts.user("ssa-po", "SSA", "privacy_officer")
    return root / "ws", accounts.tokens["ssa-po"]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("where", ["missing/dir/x.sqlite", "x.sqlite"])
def test_a_named_store_that_does_not_exist_is_refused_and_not_created(
    token: tuple[Path, str], tmp_path: Path, command: list[str], where: str
) -> None:
    workspace, secret = token
    missing = tmp_path / where
    env = {
        "MATCHGATE_WORKSPACE": str(workspace),
        "MATCHGATE_DATABASE_URL": f"sqlite:///{missing}",
        "MATCHGATE_AUDIT_URL": "",
        "MATCHGATE_TOKEN": secret,
    }
    result = runner.invoke(app, command, env=env)
    assert result.exit_code == EXIT_CONFIG, result.output
    assert "matchgate db upgrade" in result.stderr
    assert "does not exist" in result.stderr
    assert not missing.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == []
