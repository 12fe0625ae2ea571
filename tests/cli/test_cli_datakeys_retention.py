"""``matchgate keys init-data|data-status|rotate-data|reencrypt-data|retire-data`` and
``matchgate retention run`` through the command line (synthetic data).

The data key commands are operator commands (they need the key ring file itself) and run without
a token; a retention run is for the host agency's privacy officers and administrators."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from tests.accounts import Accounts
from tests.submit.helpers import PERSONAL, REFERENCE, REQUESTS, install_master, write_master
from typer.testing import CliRunner, Result

from matchgate.app.audit import audit_config, init_audit
from matchgate.app.core import App
from matchgate.cli.main import app
from matchgate.cli.shell import EXIT_ACCESS
from matchgate.services.administration.agreements import add_agreement
from matchgate.services.disclosure.host import init_host_key
from matchgate.services.disclosure.packages import make_keys
from matchgate.settings import Settings

runner = CliRunner()


class World:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.workspace = root / "ws"
        self.settings = Settings(workspace=self.workspace)
        self.master = write_master(root / "master")
        make_keys(root / "keys", "dhs")
        init_audit(audit_config(self.settings))
        self.accounts = Accounts(self.settings)
        install_master(self.settings, self.master)
        init_host_key(App(self.settings))
        self.accounts.register_key("DHS", root / "keys" / "dhs.pub")
        po = self.accounts.user("ssa-po", "SSA", "privacy_officer")
        self.accounts.user("ssa-auditor", "SSA", "auditor")
        self.accounts.user("dhs-submitter", "DHS", "submitter")
        self.accounts.user("dhs-admin", "DHS", "administrator")
        add_agreement(App(self.settings), REFERENCE, caller=po)

    def invoke(self, *args: str | Path, user: str = "") -> Result:
        """Run as ``user`` (their token in MATCHGATE_TOKEN); no user: no token at all."""
        token = self.accounts.tokens[user] if user else ""
        env = {"MATCHGATE_WORKSPACE": str(self.workspace), "MATCHGATE_TOKEN": token}
        result = runner.invoke(app, [str(a) for a in args], env=env)
        for value in PERSONAL:
            assert value not in result.output
        return result


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(tmp_path)


def test_data_key_lifecycle_on_the_command_line(world: World) -> None:
    made = world.invoke("keys", "init-data")
    assert made.exit_code == 0, made.output
    assert "created data key ring" in made.stdout
    assert "found data key ring" in world.invoke("keys", "init-data").stdout
    source = world.root / "requests.csv"
    source.write_text(REQUESTS)
    done = world.invoke(
        "submit", source, "--agreement", "reference-2025-08", user="dhs-submitter"
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    status = world.invoke("keys", "data-status")
    assert status.exit_code == 0, status.output
    assert "version 1  current  " in status.stdout
    assert "2 file(s)" in status.stdout
    rotated = world.invoke("keys", "rotate-data")
    assert rotated.exit_code == 0, rotated.output
    assert "current data key: version 2 (was 1)" in rotated.stdout
    assert "moved 0 row(s) and 2 file(s) to key version 2" in rotated.stdout
    assert "older keys can be retired" in rotated.stdout
    current = world.invoke("keys", "retire-data", "2")
    assert current.exit_code == 4
    assert "E_DATA_KEY" in current.stderr
    retired = world.invoke("keys", "retire-data", "1")
    assert retired.exit_code == 0, retired.output
    assert "version 1  retired" in world.invoke("keys", "data-status").stdout
    again = world.invoke("keys", "reencrypt-data")
    assert "moved 0 row(s) and 0 file(s)" in again.stdout
    ring = json.loads((world.workspace / "keys" / "data-keys.json").read_text())
    assert "secret" not in ring["keys"][0]


def test_retention_run_on_the_command_line(world: World) -> None:
    source = world.root / "requests.csv"
    source.write_text(REQUESTS)
    done = world.invoke(
        "submit", source, "--agreement", "reference-2025-08", user="dhs-submitter"
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    job = done.stdout.split("job:", 1)[1].split()[0]
    due = (world.settings.today() + dt.timedelta(days=90)).isoformat()
    early = (world.settings.today() + dt.timedelta(days=89)).isoformat()
    for refused in ("", "ssa-auditor", "dhs-admin", "dhs-submitter"):
        denied = world.invoke("retention", "run", "--dry-run", "--on", due, user=refused)
        assert denied.exit_code == EXIT_ACCESS, (refused, denied.output)
    admin = world.invoke("retention", "run", "--dry-run", "--on", due, user="admin")
    assert admin.exit_code == 0, admin.output  # the host's administrator may run it
    none = world.invoke("retention", "run", "--on", early, user="ssa-po")
    assert none.exit_code == 0, none.output
    assert "purged 0 submission(s)" in none.stdout
    assert "not yet due 1" in none.stdout
    dry = world.invoke("retention", "run", "--dry-run", "--on", due, "--json", user="ssa-po")
    assert dry.exit_code == 0, dry.output
    listed = json.loads(dry.stdout)
    assert [p["job_id"] for p in listed["purged"]] == [job]
    assert listed["purged"][0]["purged"] == ["match_results", "request_files", "response_packages"]
    assert (world.workspace / "submissions" / job).is_dir()
    run = world.invoke("retention", "run", "--on", due, user="ssa-po")
    assert run.exit_code == 0, run.output
    assert f"purged job {job}" in run.stdout
    assert "(audit entry" in run.stdout
    assert not (world.workspace / "submissions" / job).exists()
    assert list((world.workspace / "outbox").glob("*.mgp")) == []
    verified = world.invoke("audit", "verify")
    assert verified.exit_code == 0, verified.output
    tail = world.invoke("audit", "tail", "--count", "1", "--json", user="ssa-po")
    (entry,) = json.loads(tail.stdout)
    assert (entry["kind"], entry["actor"]) == ("purge.done", "ssa-po"), tail.stdout
    bad = world.invoke("retention", "run", "--on", "soon", user="ssa-po")
    assert bad.exit_code == 4
