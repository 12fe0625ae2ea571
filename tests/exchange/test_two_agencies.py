"""The two-agency exchange, scripted through the commands: SSA hosts, DHS requests, each in its
own workspace with its own stores, sharing only what would cross the wire (DHS's public key to
the host; the host's signing and audit log public keys to DHS; the request file and its envelope
in the host's DHS inbox; the package and receipt from the DHS outbox; the witness files DHS
fetches into its own workspace). Every step is a ``matchgate`` command run as the party's own
user with its own token."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from tests.audit.tampering import drop_triggers, read_entries, rewrite_consistently
from tests.submit.helpers import REFERENCE, agreement_variant
from typer.testing import CliRunner, Result

from matchgate.app.audit import audit_config
from matchgate.audit import kinds
from matchgate.cli.main import app
from matchgate.settings import Settings

pytestmark = pytest.mark.slow
runner = CliRunner()
AGREEMENT = "reference-2025-08"


class Party:
    """One agency's workspace and the tokens of its users."""

    def __init__(self, workspace: Path) -> None:
        self.workspace = workspace
        self.tokens: dict[str, str] = {}

    def run(
        self, *args: str | Path, user: str = "", code: int = 0, input: str | None = None
    ) -> Result:
        env = {
            "MATCHGATE_WORKSPACE": str(self.workspace),
            "MATCHGATE_DATABASE_URL": "",
            "MATCHGATE_AUDIT_URL": "",
            "MATCHGATE_TOKEN": self.tokens.get(user, ""),
        }
        result = runner.invoke(app, [str(a) for a in args], env=env, input=input)
        assert result.exit_code == code, (args, result.output)
        return result

    def token(self, result: Result) -> str:
        return result.stdout.strip().splitlines()[0].strip()


def test_two_agencies_exchange_a_file_through_the_inbox(tmp_path: Path) -> None:
    host, dhs = Party(tmp_path / "ssa"), Party(tmp_path / "dhs")
    wire = tmp_path / "wire"  # what crosses between the agencies
    wire.mkdir()

    # -- the host sets up: stores, its first administrator, DHS, users, the agreement
    host.run("db", "upgrade")
    host.run("audit", "init")
    boot = host.run(
        "users", "bootstrap", "--agency", "SSA", "--agency-name", "SSA", "--user", "admin"
    )
    host.tokens["admin"] = host.token(boot)
    host.run("agencies", "add", "DHS", "--name", "Homeland Security", user="admin")
    for user, agency, role in [
        ("ssa-po", "SSA", "privacy_officer"),
        ("ssa-auditor", "SSA", "auditor"),
        ("dhs-submitter", "DHS", "submitter"),
        ("dhs-po", "DHS", "privacy_officer"),
    ]:
        host.run("users", "add", user, "--agency", agency, "--role", role, user="admin")
        host.tokens[user] = host.token(host.run("tokens", "issue", "--user", user, user="admin"))
    today = Settings(workspace=host.workspace).today()
    agreement = agreement_variant(
        tmp_path / "agreements", AGREEMENT, REFERENCE,
        effective=(today - dt.timedelta(days=30)).isoformat(),
        expires=(today + dt.timedelta(days=365)).isoformat(),
    )  # fmt: skip
    host.run("agreements", "add", agreement, user="admin", code=7)  # not the administrator's
    host.run("agreements", "add", agreement, user="ssa-po")
    host.run("host", "init", user="admin")
    shutil.copyfile(host.workspace / "host" / "signing.pub", wire / "ssa-signing.pub")
    shutil.copyfile(
        audit_config(Settings(workspace=host.workspace)).signing_public_key_file,
        wire / "ssa-audit.pub",
    )
    data = tmp_path / "synth"
    host.run("synth", "--people", "3000", "--requests", "60", "--seed", "17", "--out", data)
    host.run("master", "load", data / "master.parquet", user="admin")

    # -- DHS makes its own key pair and states its fingerprint to the host out of band
    dhs.run("keys", "generate", "--out", dhs.workspace / "keys", "--name", "dhs")
    stated = dhs.run("keys", "id", dhs.workspace / "keys" / "dhs.pub").stdout.split()[0]
    shutil.copyfile(dhs.workspace / "keys" / "dhs.pub", wire / "dhs.pub")
    host.run(
        "agencies", "keys", "add", "DHS", wire / "dhs.pub", "--fingerprint", stated, user="admin"
    )

    # -- the requester's commands cannot name a master, a signing key or a recipient key
    requests = data / "requests.csv"
    for option, value in [
        ("--master", data / "master.parquet"),
        ("--sender-key", host.workspace / "host" / "signing.key"),
        ("--recipient-key", wire / "dhs.pub"),
    ]:
        host.run(
            "submit", requests, "--agreement", AGREEMENT, option, value,
            user="dhs-submitter", code=2,
        )  # fmt: skip

    # -- DHS drops its file and envelope in the host's DHS inbox; the host processes it
    inbox = host.workspace / "exchange" / "DHS" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(requests, inbox / "monthly.csv")
    envelope = {
        "file": "monthly.csv",
        "agreement": AGREEMENT,
        "sha256": hashlib.sha256(requests.read_bytes()).hexdigest(),
        "token": host.tokens["dhs-submitter"],
    }
    (inbox / "monthly.envelope.json").write_text(json.dumps(envelope))
    (delivery,) = json.loads(host.run("exchange", "process", "--json", user="admin").stdout)
    assert (delivery["agency"], delivery["status"]) == ("DHS", "disclosed"), delivery
    outbox = host.workspace / "exchange" / "DHS" / "outbox"
    package_id = delivery["package_id"]
    shutil.copyfile(outbox / f"{package_id}.mgp", wire / f"{package_id}.mgp")
    shutil.copyfile(outbox / "monthly.receipt.json", wire / "monthly.receipt.json")

    # -- DHS opens the package with its own key and the host's public key; fetches the witness
    opened = dhs.workspace / "received" / package_id
    dhs.run(
        "open", wire / f"{package_id}.mgp", "--key", dhs.workspace / "keys" / "dhs.key",
        "--trust", wire / "ssa-signing.pub", "--out", opened,
    )  # fmt: skip
    rows = [json.loads(line) for line in (opened / "response.jsonl").read_text().splitlines()]
    assert len(rows) == 60
    kept = dhs.workspace / "witness"
    dhs.run(
        "audit", "witness", "fetch", "--from", host.workspace / "witness" / "DHS",
        "--into", kept, "--trust", wire / "ssa-audit.pub",
    )  # fmt: skip

    # -- the host's accounting equals, person by person, what the package held
    with open(requests, newline="", encoding="utf-8") as handle:
        request_ssn = {r["request_id"]: r["ssn"] for r in csv.DictReader(handle)}
    matched = {
        r["records"]["identity"][0]["value"]["ssn"]: r for r in rows if r["decision"] == "match"
    }
    assert matched
    for ssn in matched:
        lines = _lines(host, ssn)
        assert len(lines) == 1, lines
        assert lines[0]["reference"] == package_id
        recipient = lines[0]["recipient"]
        assert (recipient["agency"], recipient["key_id"]) == ("DHS", stated)
    others = [r for r in rows if r["decision"] == "no_match" and request_ssn[r["request_id"]]]
    assert others  # the synthetic file asks for some people the master does not hold
    for row in others:
        assert _lines(host, request_ssn[row["request_id"]]) == []
    master = pq.read_table(data / "master.parquet", columns=["ssn"]).column("ssn").to_pylist()
    digits = [s.replace("-", "") for s in master if s]
    outside = [s for s in digits if s not in matched][:15]
    assert len(outside) == 15
    for ssn in outside:
        assert _lines(host, ssn) == []

    # -- the host withdraws one disclosed person's record; DHS lists and acknowledges the notice
    person = sorted(matched)[0]
    host.run(
        "audit", "withdraw", "--reason", "record_corrected", "--package", package_id,
        "--ssn-stdin", user="ssa-po", input=person,
    )  # fmt: skip
    notices = json.loads(dhs_listing(host, "--pending"))
    assert len(notices) == 1, notices
    notice = notices[0]
    host.run("withdrawals", "ack", notice["id"], user="dhs-po")
    assert json.loads(dhs_listing(host, "--pending")) == []
    accounting = _accounting(host, person)
    (line,) = accounting["disclosures"]
    assert line["status"] == "withdrawn"
    (correction,) = accounting["corrections"]
    assert correction["entry"] in line["corrections"]
    assert correction["package_id"] == package_id
    (told,) = correction["recipients"]
    assert told["agency"] == "DHS"
    assert told["notice"] == notice["id"]
    assert told["notified"], told
    assert told["acknowledged"], told
    assert told["acknowledged_by"] == "dhs-po"

    # -- DHS's witness copy verifies the host's log; a truncation after the release is caught
    host.run("audit", "verify", "--witness", kept, user="ssa-auditor")
    config = audit_config(Settings(workspace=host.workspace))
    entries = read_entries(config.url)
    (released,) = [e.sequence for e in entries if e.kind == kinds.PACKAGE_RELEASED]
    # Cut the log from the release on (the withdrawal after it too), rebuilding the head and
    # trimming the host's checkpoint file to the cut log: only DHS's kept copy still covers it.
    drop_triggers(config.url)
    rewrite_consistently(config.url, entries[:released], released)
    checkpoints = config.checkpoint_file
    checkpoints.write_text(
        "".join(
            line + "\n"
            for line in checkpoints.read_text().splitlines()
            if json.loads(line)["size"] <= released
        )
    )
    caught = host.run("audit", "verify", "--witness", kept, user="ssa-auditor", code=5)
    assert "E_AUDIT_WITNESS" in caught.stdout


def dhs_listing(host: Party, *options: str) -> str:
    return host.run("withdrawals", "list", "--json", *options, user="dhs-po").stdout


def _accounting(host: Party, ssn: str) -> dict[str, Any]:
    done = host.run("audit", "accounting", "--ssn-stdin", "--json", user="ssa-po", input=ssn)
    found: dict[str, Any] = json.loads(done.stdout)
    return found


def _lines(host: Party, ssn: str) -> list[dict[str, Any]]:
    return list(_accounting(host, ssn)["disclosures"])
