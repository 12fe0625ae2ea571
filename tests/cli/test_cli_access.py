"""``matchgate users|tokens|agencies`` and ``agreements suspend|resume`` through the main app:
a token printed once on standard output, exit 7 for a refusal, the token read from the
environment or a file, never from an option."""

from __future__ import annotations

from pathlib import Path

from tests.governance.documents import REFERENCE
from typer.testing import CliRunner, Result

from matchgate.cli.main import app
from matchgate.cli.shell import EXIT_ACCESS, EXIT_INPUT

runner = CliRunner()


class Cli:
    def __init__(self, root: Path) -> None:
        self.workspace = root / "ws"

    def __call__(self, *args: str | Path, token: str = "", token_file: str = "") -> Result:
        env = {
            "MATCHGATE_WORKSPACE": str(self.workspace),
            "MATCHGATE_DATABASE_URL": "",
            "MATCHGATE_TOKEN": token,
            "MATCHGATE_TOKEN_FILE": token_file,
        }
        return runner.invoke(app, [str(a) for a in args], env=env)


def _token(result: Result) -> str:
    assert result.exit_code == 0, result.output
    (line,) = result.stdout.splitlines()
    assert line.startswith("mgt_")
    return line


def test_bootstrap_users_tokens_and_suspension(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    assert cli("audit", "init").exit_code == 0
    admin = _token(
        cli("users", "bootstrap", "--agency", "SSA", "--agency-name", "SSA", "--user", "admin")
    )
    again = cli("users", "bootstrap", "--agency", "SSA", "--agency-name", "SSA", "--user", "x")
    assert again.exit_code == EXIT_ACCESS
    assert cli("agencies", "add", "DHS", "--name", "DHS", token=admin).exit_code == 0
    for user, agency, role in (("po", "SSA", "privacy_officer"), ("sub", "DHS", "submitter")):
        made = cli("users", "add", user, "--agency", agency, "--role", role, token=admin)
        assert made.exit_code == 0, made.output
    listed = cli("users", "list", token=admin)
    assert "sub  DHS  active  submitter" in listed.stdout
    po = _token(cli("tokens", "issue", "--user", "po", token=admin))
    sub = _token(cli("tokens", "issue", "--user", "sub", token=admin))
    assert admin not in listed.output + po + sub

    assert cli("agreements", "add", REFERENCE, token=po).exit_code == 0
    assert cli("agreements", "list").exit_code == EXIT_ACCESS  # no token at all
    refused = cli("agreements", "add", REFERENCE, token=sub)
    assert refused.exit_code == EXIT_ACCESS
    assert "E_ACCESS_DENIED" in refused.stderr
    token_file = tmp_path / "sub.token"
    token_file.write_text(sub + "\n")
    shown = cli("agreements", "list", "--json", token_file=str(token_file))
    assert shown.exit_code == 0, shown.output
    assert '"suspended": false' in shown.stdout

    assert cli("agreements", "suspend", "reference-2025-08", "--reason", "r", token=sub).exit_code
    done = cli("agreements", "suspend", "reference-2025-08", "--reason", "breach", token=po)
    assert done.exit_code == 0, done.output
    assert '"suspended": true' in cli("agreements", "list", "--json", token=sub).stdout
    assert cli("agreements", "resume", "reference-2025-08", token=po).exit_code == 0

    roles = cli("users", "roles", "sub", "--role", "auditor", token=admin)
    assert roles.exit_code == 0, roles.output
    revoked = cli("users", "revoke", "sub", token=admin)
    assert revoked.exit_code == 0, revoked.output
    assert cli("agreements", "list", token=sub).exit_code == EXIT_ACCESS
    unknown_role = cli("users", "add", "z", "--agency", "DHS", "--role", "root", token=admin)
    assert unknown_role.exit_code == EXIT_INPUT

    mine = _token(cli("tokens", "issue", "--label", "laptop", token=po))
    ids = cli("tokens", "list", token=mine).stdout
    assert "laptop" in ids
    assert mine not in ids
    own_id = mine.split("_")[1]
    assert cli("tokens", "revoke", own_id, token=po).exit_code == 0
    assert cli("agreements", "list", token=mine).exit_code == EXIT_ACCESS
    assert cli("agreements", "list", token=po).exit_code == 0

    tail = cli("audit", "tail", "-n", "50", token=po).stdout
    for kind in ("user.changed", "token.issued", "agreement.changed", "token.revoked"):
        assert kind in tail
    assert po not in tail
