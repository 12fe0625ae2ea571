"""The host's configuration through the command line: ``host init``, ``agencies keys
add|list|revoke``, and ``submissions release|refuse`` of a held file; and the SAVE reproduction
(a package for DHS-USCIS opens with USCIS's registered key, never with DHS's)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import stat
from pathlib import Path

import pytest
from tests.accounts import Accounts
from tests.submit.helpers import (
    PERSONAL,
    REFERENCE,
    REQUESTS,
    SAVE,
    agreement_variant,
    install_master,
    ssnvs_record,
    write_master,
    write_ssnvs,
)
from typer.testing import CliRunner, Result

from matchgate.app.audit import audit_config, init_audit
from matchgate.app.core import App
from matchgate.cli.main import app
from matchgate.services.administration.agreements import add_agreement
from matchgate.services.disclosure.packages import make_keys
from matchgate.settings import Settings

runner = CliRunner()


class World:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.workspace = root / "ws"
        self.settings = Settings(workspace=self.workspace)
        init_audit(audit_config(self.settings))
        self.accounts = Accounts(self.settings)
        self.po = self.accounts.user("ssa-po", "SSA", "privacy_officer")
        self.accounts.user("dhs-submitter", "DHS", "submitter")
        self.accounts.user("dhs-admin", "DHS", "administrator")
        self.accounts.user("uscis-submitter", "DHS-USCIS", "submitter")
        today = self.settings.today()
        terms = {
            "effective": (today - dt.timedelta(days=30)).isoformat(),
            "expires": (today + dt.timedelta(days=365)).isoformat(),
        }
        reference = agreement_variant(root / "agreements", "reference-2025-08", REFERENCE, **terms)
        add_agreement(App(self.settings), reference, caller=self.po)
        add_agreement(App(self.settings), SAVE, caller=self.po)  # in force to 2027-07-05
        self.keys = root / "keys"  # the recipients' own pairs, made on their side
        self.dhs = make_keys(self.keys, "dhs")
        self.uscis = make_keys(self.keys, "uscis")
        install_master(self.settings, write_master(root / "master"))

    def invoke(self, *args: str | Path, user: str = "") -> Result:
        token = self.accounts.tokens[user] if user else ""
        env = {"MATCHGATE_WORKSPACE": str(self.workspace), "MATCHGATE_TOKEN": token}
        result = runner.invoke(app, [str(a) for a in args], env=env)
        for value in PERSONAL:
            assert value not in result.output
        return result

    def register(self, agency: str, pub: Path, fingerprint: str) -> Result:
        return self.invoke(
            "agencies", "keys", "add", agency, pub, "--fingerprint", fingerprint, user="admin"
        )


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(tmp_path)


def test_host_init_makes_an_owner_only_key_once(world: World) -> None:
    made = world.invoke("host", "init")
    assert made.exit_code == 0, made.output
    key = world.workspace / "host" / "signing.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    assert "key id:" in made.stdout
    again = world.invoke("host", "init")
    assert again.exit_code == 3, again.output
    assert "not replacing a key" in again.stderr


def test_registering_listing_and_revoking_keys(world: World) -> None:
    wrong = world.register("DHS", world.dhs.public_key, world.uscis.key_id)
    assert wrong.exit_code == 3, wrong.output
    assert "fingerprint" in wrong.stderr
    by_partner = world.invoke(
        "agencies", "keys", "add", "DHS", world.dhs.public_key,
        "--fingerprint", world.dhs.key_id, user="dhs-admin",
    )  # fmt: skip
    assert by_partner.exit_code == 7, by_partner.output
    done = world.register("DHS", world.dhs.public_key, world.dhs.key_id)
    assert done.exit_code == 0, done.output
    listed = world.invoke("agencies", "keys", "list", user="admin")
    assert listed.exit_code == 0, listed.output
    assert f"{world.dhs.key_id}  DHS  current" in listed.stdout
    hidden = world.invoke("agencies", "keys", "list", user="dhs-submitter")
    assert hidden.exit_code == 7
    revoked = world.invoke("agencies", "keys", "revoke", world.dhs.key_id, user="admin")
    assert revoked.exit_code == 0, revoked.output
    assert (
        f"{world.dhs.key_id}  DHS  revoked"
        in world.invoke("agencies", "keys", "list", "DHS", user="admin").stdout
    )
    world.invoke("host", "init")
    source = world.root / "requests.csv"
    source.write_text(REQUESTS)
    refused = world.invoke(
        "submit", source, "--agreement", "reference-2025-08", user="dhs-submitter"
    )
    assert refused.exit_code == 4, refused.output
    assert "agencies keys add DHS" in refused.stderr
    assert "received" not in world.invoke("submissions", "list", user="ssa-po").stdout


def test_a_save_package_opens_with_the_uscis_key_only(world: World) -> None:
    world.invoke("host", "init")
    assert world.register("DHS", world.dhs.public_key, world.dhs.key_id).exit_code == 0
    assert world.register("DHS-USCIS", world.uscis.public_key, world.uscis.key_id).exit_code == 0
    source = write_ssnvs(
        world.root / "save.txt", [ssnvs_record("123456789", "TREMONT", "OLIVE", "", "04121961")]
    )
    done = world.invoke(
        "submit", source, "--agreement", "save-verification", "--out", world.root / "outbox",
        "--json", user="uscis-submitter",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    result = json.loads(done.stdout)
    assert result["recipient_key_id"] == world.uscis.key_id
    signer = world.workspace / "host" / "signing.pub"
    as_dhs = world.invoke(
        "open", result["package"], "--key", world.dhs.private_key, "--trust", signer
    )
    assert as_dhs.exit_code == 3, as_dhs.output
    assert "E_PACKAGE_KEY" in as_dhs.stderr
    as_uscis = world.invoke(
        "open", result["package"], "--key", world.uscis.private_key, "--trust", signer
    )
    assert as_uscis.exit_code == 0, as_uscis.output


def test_a_held_file_released_by_the_privacy_officer(world: World) -> None:
    world.invoke("host", "init")
    world.register("DHS", world.dhs.public_key, world.dhs.key_id)
    first = world.root / "first.csv"
    first.write_text(REQUESTS.replace("R4,", "R9,"))
    ok = world.invoke("submit", first, "--agreement", "reference-2025-08", user="dhs-submitter")
    assert ok.exit_code == 0, ok.output  # the month's one file
    source = world.root / "requests.csv"
    source.write_text(REQUESTS)
    dry = world.invoke(
        "submit", source, "--agreement", "reference-2025-08", "--dry-run", user="dhs-submitter"
    )
    assert dry.exit_code == 0, dry.output
    assert "a real run of this file would be held for consultation" in dry.stdout
    held = world.invoke("submit", source, "--agreement", "reference-2025-08", user="dhs-submitter")
    assert held.exit_code == 5, held.output
    job = held.stdout.split("job:", 1)[1].split()[0]
    by_submitter = world.invoke(
        "submissions", "refuse", job, "--reason", "no", user="dhs-submitter"
    )
    assert by_submitter.exit_code == 7
    released = world.invoke(
        "submissions", "release", job, "--agreed", "A second file this month, agreed by letter",
        "--agreement-version", "1", user="ssa-po",
    )  # fmt: skip
    assert released.exit_code == 0, released.output
    assert "status:    disclosed" in released.stdout
    shown = world.invoke("submissions", "show", job, user="dhs-submitter")
    assert "consultation:  released by ssa-po" in shown.stdout
    assert "A second file this month" in shown.stdout
    data = json.loads(world.invoke("submissions", "show", job, "--json", user="ssa-po").stdout)
    assert data["consultation"]["agreement_version"] == 1
    assert data["recipient_key_id"] == world.dhs.key_id
    again = world.invoke("submissions", "refuse", job, "--reason", "late", user="ssa-po")
    assert again.exit_code == 3
    assert "E_CONSULTATION" in again.stderr


def test_exchange_process_on_the_command_line(world: World) -> None:
    world.invoke("host", "init")
    world.register("DHS", world.dhs.public_key, world.dhs.key_id)
    inbox = world.workspace / "exchange" / "DHS" / "inbox"
    inbox.mkdir(parents=True)
    request = inbox / "monthly.csv"
    request.write_text(REQUESTS)
    envelope = {
        "file": "monthly.csv",
        "agreement": "reference-2025-08",
        "sha256": hashlib.sha256(request.read_bytes()).hexdigest(),
        "token": world.accounts.tokens["dhs-submitter"],
    }
    (inbox / "monthly.envelope.json").write_text(json.dumps(envelope))
    done = world.invoke("exchange", "process", "--json")
    assert done.exit_code == 0, done.output
    (delivery,) = json.loads(done.stdout)
    assert (delivery["agency"], delivery["status"]) == ("DHS", "disclosed")
    outbox = world.workspace / "exchange" / "DHS" / "outbox"
    assert (outbox / f"{delivery['package_id']}.mgp").is_file()
    assert (outbox / "monthly.receipt.json").is_file()
    assert list(inbox.iterdir()) == []
