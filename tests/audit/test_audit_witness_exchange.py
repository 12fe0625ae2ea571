"""Truncating the log's tail after real disclosures: two files submitted and disclosed through the
commands, then an attacker with the audit store deletes the last disclosure's entries, their
accounting index rows and rebuilds the chain head with the project's own Merkle frontier.

Without a checkpoint taken at release, nothing signed covers those entries: ``audit verify``
passes and the person's accounting silently loses a disclosure. With the checkpoint taken before
each release and written to the recipient's witness folder, the host's own verify and, if the
attacker also trims the host's checkpoint file, the recipient's fetched copy both catch it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.accounts import Accounts
from tests.audit.tampering import drop_triggers, read_entries, rewrite_consistently
from tests.submit.helpers import (
    REFERENCE,
    REQUESTS,
    agreement_variant,
    install_host_key,
    install_master,
    write_master,
)
from typer.testing import CliRunner, Result

from matchgate.app.audit import audit_config, init_audit
from matchgate.app.core import App
from matchgate.audit import kinds
from matchgate.cli.main import app
from matchgate.services.administration.agreements import add_agreement
from matchgate.services.disclosure.packages import make_keys
from matchgate.services.oversight.audit_queries import accounting_for
from matchgate.settings import Settings

runner = CliRunner()
OLIVE = "123456789"  # in both files; each disclosure of her record is a line of her accounting
RECIPIENT = "DHS"


class Exchange:
    """SSA hosts; DHS submits two monthly files under an agreement allowing several."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.workspace = root / "ws"
        self.settings = Settings(workspace=self.workspace)
        self.master = write_master(root / "master")
        self.keys = root / "keys"
        make_keys(self.keys, "sender")
        make_keys(self.keys, "dhs")
        self.accounts = Accounts(self.settings)
        po = self.accounts.user("ssa-po", "SSA", "privacy_officer")
        self.accounts.user("dhs-submitter", "DHS", "submitter")
        agreement = agreement_variant(
            root / "agreements", "reference-2025-08", REFERENCE, max_files_per_month=5
        )
        add_agreement(App(self.settings), agreement, caller=po)
        self.config = audit_config(self.settings)
        init_audit(self.config)
        install_master(self.settings, self.master)
        install_host_key(self.settings, self.keys / "sender.key", self.keys / "sender.pub")
        self.accounts.register_key(RECIPIENT, self.keys / "dhs.pub")

    def invoke(self, *args: str | Path, user: str = "ssa-po") -> Result:
        env = {
            "MATCHGATE_WORKSPACE": str(self.workspace),
            "MATCHGATE_DATABASE_URL": "",
            "MATCHGATE_TOKEN": self.accounts.tokens[user],
        }
        return runner.invoke(app, [str(a) for a in args], env=env)

    def submit(self, name: str, text: str) -> None:
        path = self.root / name
        path.write_text(text)
        done = self.invoke(
            "submit", path, "--agreement", "reference-2025-08", "--out", self.root / "outbox",
            user="dhs-submitter",
        )  # fmt: skip
        assert done.exit_code == 0, done.output
        assert "status:    disclosed" in done.stdout
        # The recipient fetches the host's witness files after each package and keeps them.
        fetched = self.fetch()
        assert fetched.exit_code == 0, fetched.output

    def fetch(self) -> Result:
        return self.invoke(
            "audit", "witness", "fetch", "--from", self.workspace / "witness" / RECIPIENT,
            "--into", self.partner_copy, "--trust", self.config.signing_public_key_file,
        )  # fmt: skip

    @property
    def partner_copy(self) -> Path:
        return self.root / "dhs-kept-checkpoints"

    def disclosures_of_olive(self) -> int:
        return len(accounting_for(self.config, OLIVE).lines)

    def truncate_last_release(self) -> int:
        """Delete every entry after the first package's release, their index rows and the
        store's checkpoint copies; rebuild the head with the project's frontier. Returns the size
        the log is cut to."""
        entries = read_entries(self.config.url)
        released = [e.sequence for e in entries if e.kind == kinds.PACKAGE_RELEASED]
        assert len(released) == 2
        keep = released[0] + 1
        drop_triggers(self.config.url)
        rewrite_consistently(self.config.url, entries[:keep], keep)
        return keep


@pytest.fixture
def exchange(tmp_path: Path) -> Exchange:
    made = Exchange(tmp_path)
    made.submit("january.csv", REQUESTS)
    made.submit("february.csv", REQUESTS.replace("\nR", "\nF"))
    assert made.disclosures_of_olive() == 2
    return made


def test_truncating_the_last_release_is_detected_by_verify(exchange: Exchange) -> None:
    exchange.truncate_last_release()
    assert exchange.disclosures_of_olive() == 1  # the accounting lost a disclosure
    verified = exchange.invoke("audit", "verify")
    assert verified.exit_code == 5, verified.output
    assert "E_AUDIT_TRUNCATED" in verified.stdout


def test_each_release_is_witnessed_for_its_recipient(exchange: Exchange) -> None:
    kept = sorted(p.name for p in exchange.partner_copy.iterdir())
    assert len(kept) == 2  # one checkpoint per package, each before its release
    released = [
        e.sequence for e in read_entries(exchange.config.url) if e.kind == kinds.PACKAGE_RELEASED
    ]
    sizes = [int(name.rsplit("-", 1)[1].split(".")[0]) for name in kept]
    assert sizes == [s + 1 for s in released]  # each covers its release, nothing more
    for path in exchange.partner_copy.iterdir():
        assert not path.stat().st_mode & 0o222  # read-only
    verified = exchange.invoke("audit", "verify", "--witness", exchange.partner_copy)
    assert verified.exit_code == 0, verified.output
    again = exchange.fetch()
    assert again.exit_code == 0, again.output
    assert "fetched 0 checkpoints; keeping 2" in again.stdout


def test_the_recipients_copy_catches_a_truncation_the_host_covered_up(exchange: Exchange) -> None:
    keep = exchange.truncate_last_release()
    # The attacker also trims the host's checkpoint file and its witness folder to the cut log.
    checkpoints = exchange.config.checkpoint_file
    lines = [
        line for line in checkpoints.read_text().splitlines() if json.loads(line)["size"] <= keep
    ]
    checkpoints.write_text("".join(line + "\n" for line in lines))
    for path in (exchange.workspace / "witness" / RECIPIENT).iterdir():
        if int(path.name.rsplit("-", 1)[1].split(".")[0]) > keep:
            path.chmod(0o644)
            path.unlink()
    assert exchange.invoke("audit", "verify").exit_code == 0  # the host's own files agree
    verified = exchange.invoke("audit", "verify", "--witness", exchange.partner_copy)
    assert verified.exit_code == 5, verified.output
    assert "E_AUDIT_WITNESS" in verified.stdout
    newest = max(p.name for p in exchange.partner_copy.iterdir())  # names sort by size
    assert f"witness file {newest}" in verified.stdout
    # The recipient's next fetch notices its kept checkpoint is gone from the host's folder.
    fetched = exchange.fetch()
    assert fetched.exit_code == 5, fetched.output
    assert "no longer in the witness folder" in fetched.stdout


def test_the_recipient_checks_a_consistency_proof_against_its_kept_copies(
    exchange: Exchange,
) -> None:
    old, new = sorted(
        int(p.name.rsplit("-", 1)[1].split(".")[0]) for p in exchange.partner_copy.iterdir()
    )
    proof = exchange.root / "proof.json"
    made = exchange.invoke("audit", "consistency", str(old), str(new), "--out", proof)
    assert made.exit_code == 0, made.output
    public = exchange.config.signing_public_key_file
    checked = exchange.invoke(
        "audit", "check-proof", proof, "--trust", public, "--kept", exchange.partner_copy
    )
    assert checked.exit_code == 0, checked.output
    assert f"the log at size {new} extends it at {old}" in checked.stdout
    # Against a folder that does not hold those checkpoints, the proof speaks for nothing kept.
    elsewhere = exchange.root / "empty"
    elsewhere.mkdir()
    refused = exchange.invoke("audit", "check-proof", proof, "--trust", public, "--kept", elsewhere)
    assert refused.exit_code == 5
    assert "not among the kept copies" in refused.stdout
