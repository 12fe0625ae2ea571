"""What only the host chooses: the requester names no master, no signing key, no recipient key.

Reproductions of the two-party exchange: a submitter under the SAVE agreement (recipient
DHS-USCIS) named ``--recipient-key dhs.pub`` and DHS opened the package; ``--master`` pointed at
a made-up file was matched against and signed with the host's key. The options are gone: naming
one is a usage error (exit 2) and nothing is recorded.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from tests.accounts import Accounts
from tests.submit.helpers import REQUESTS, SAVE, write_master
from typer.testing import CliRunner, Result

from matchgate.app.audit import audit_config, init_audit
from matchgate.app.core import App
from matchgate.cli.shell import run
from matchgate.cli.submit import register as register_submit
from matchgate.services.administration.agreements import add_agreement
from matchgate.services.disclosure.packages import make_keys
from matchgate.settings import Settings
from matchgate.storage import submissions as store
from matchgate.storage.db import session, store_url

app = typer.Typer(pretty_exceptions_enable=False)
register_submit(app, run)
runner = CliRunner()


class World:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.settings = Settings(workspace=root / "ws")
        self.master = write_master(root / "master")
        self.keys = root / "keys"
        make_keys(self.keys, "ssa")
        make_keys(self.keys, "dhs")
        self.accounts = Accounts(self.settings)
        po = self.accounts.user("ssa-po", "SSA", "privacy_officer")
        self.accounts.user("uscis-submitter", "DHS-USCIS", "submitter")
        add_agreement(App(self.settings), SAVE, caller=po)
        init_audit(audit_config(self.settings))
        self.requests = root / "requests.csv"
        self.requests.write_text(REQUESTS, encoding="utf-8")

    def invoke(self, *args: str | Path) -> Result:
        env = {
            "MATCHGATE_WORKSPACE": str(self.settings.workspace),
            "MATCHGATE_TOKEN": self.accounts.tokens["uscis-submitter"],
        }
        return runner.invoke(app, [str(a) for a in args], env=env)

    def submissions(self) -> int:
        with session(store_url(self.settings)) as s:
            return len(store.list_submissions(s))


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(tmp_path)


@pytest.mark.parametrize("option", ["--recipient-key", "--master", "--sender-key"])
def test_the_requester_cannot_name_a_host_input(world: World, option: str) -> None:
    chosen = {
        "--recipient-key": world.keys / "dhs.pub",
        "--master": world.requests,  # the requester's own file as the "master"
        "--sender-key": world.keys / "ssa.key",
    }
    given = [
        "--master", world.master, "--recipient-key", world.keys / "dhs.pub",
        "--sender-key", world.keys / "ssa.key",
    ]  # fmt: skip
    index = given.index(option)
    given[index + 1] = chosen[option]
    result = world.invoke(
        "submit", world.requests, "--agreement", "save-verification",
        "--out", world.root / "outbox", *given,
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "No such option" in result.output
    assert world.submissions() == 0
    assert not (world.root / "outbox").exists()
