"""End to end through the commands: the reference arrangement, a generated monthly file, a package
the recipient's key opens, and tampered copies (header, wrapped key, manifest, ciphertext,
signature) that it refuses with nothing written. The 50,000-row run is marked slow; the default
suite runs the same path on a 1,000-row file."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
import typer
import yaml
from tests.accounts import Accounts
from tests.submit.helpers import REFERENCE
from typer.testing import CliRunner, Result

from matchgate.app.audit import audit_config, init_audit
from matchgate.app.core import App
from matchgate.cli.main import app as main_app
from matchgate.cli.packages import register as register_packages
from matchgate.cli.shell import run
from matchgate.cli.submit import register as register_submit
from matchgate.disclosure import package_layout
from matchgate.services.administration.agreements import add_agreement
from matchgate.settings import Settings

app = typer.Typer(pretty_exceptions_enable=False)
register_submit(app, run)
register_packages(app, run)
runner = CliRunner()


def invoke(
    target: typer.Typer, *args: str | Path | int, workspace: Path, token: str = ""
) -> Result:
    env = {"MATCHGATE_WORKSPACE": str(workspace), "MATCHGATE_TOKEN": token}
    return runner.invoke(target, [str(a) for a in args], env=env)


def reference_for_today(folder: Path, settings: Settings) -> Path:
    """The reference arrangement as shipped, unless today is past its term: then the same text
    with ``expires`` moved a year ahead (the test is about the path, not the calendar)."""
    document = yaml.safe_load(REFERENCE.read_text())
    today = settings.today()
    expires = dt.date.fromisoformat(str(document["expires"]))
    if today < expires:
        return REFERENCE
    document["expires"] = (today + dt.timedelta(days=365)).isoformat()
    path = folder / "reference.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def _flip(data: bytearray, at: int) -> None:
    data[at] ^= 0x01


def _flip_hex(data: bytearray, at: int) -> None:
    data[at] = ord("0") if data[at] != ord("0") else ord("1")


def run_end_to_end(tmp_path: Path, people: int, requests: int) -> None:
    workspace = tmp_path / "ws"
    settings = Settings(workspace=workspace)
    data = tmp_path / "data"
    made = invoke(
        main_app, "synth", "--people", people, "--requests", requests, "--seed", 5, "--out", data,
        workspace=workspace,
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    init_audit(audit_config(settings))
    accounts = Accounts(settings)
    po = accounts.user("ssa-po", "SSA", "privacy_officer")
    accounts.user("dhs-submitter", "DHS", "submitter")
    add_agreement(App(settings), reference_for_today(tmp_path, settings), caller=po)
    keys = tmp_path / "keys"  # the recipient's own key pair, made on its side
    made = invoke(main_app, "keys", "generate", "--out", keys, "--name", "dhs", workspace=workspace)
    assert made.exit_code == 0, made.output
    dhs_key_id = made.stdout.split("key id:")[1].split()[0]
    # the host: its master loaded, its signing key made, DHS's key registered (id confirmed)
    loaded = invoke(main_app, "master", "load", data / "master.parquet", workspace=workspace)
    assert loaded.exit_code == 0, loaded.output
    snapshot = (workspace / "master" / "CURRENT").read_text().strip()
    host = invoke(main_app, "host", "init", workspace=workspace)
    assert host.exit_code == 0, host.output
    signer = workspace / "host" / "signing.pub"  # what DHS pins, its key id confirmed
    registered = invoke(
        main_app, "agencies", "keys", "add", "DHS", keys / "dhs.pub", "--fingerprint", dhs_key_id,
        workspace=workspace, token=accounts.admin_token,
    )  # fmt: skip
    assert registered.exit_code == 0, registered.output
    outbox = tmp_path / "outbox"
    submitted = invoke(
        app, "submit", data / "requests.csv", "--agreement", "reference-2025-08",
        "--out", outbox, "--json", workspace=workspace, token=accounts.tokens["dhs-submitter"],
    )  # fmt: skip
    assert submitted.exit_code == 0, submitted.output
    result = json.loads(submitted.stdout)
    assert result["status"] == "disclosed"
    assert result["master_snapshot_id"] == snapshot
    assert result["recipient_key_id"] == dhs_key_id
    assert result["records"] == requests
    assert sum(result["counts"].values()) == requests
    package = Path(result["package"])
    assert package.parent == outbox
    assert (
        b'"marking":"CUI//SP-PRVCY"' in package.read_bytes()[: package_layout(package).prologue.end]
    )

    opened = tmp_path / "opened"
    done = invoke(
        main_app, "open", package, "--key", keys / "dhs.key",
        "--trust", workspace / "host" / "signing.pub", "--out", opened, workspace=workspace,
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "signature verified" in done.stdout
    lines = (opened / "response.jsonl").read_text().splitlines()
    assert len(lines) == requests
    rows = [json.loads(line) for line in lines]
    with (data / "requests.csv").open() as handle:
        wanted = [line.split(",", 1)[0] for line in handle.read().splitlines()[1:]]
    assert [r["request_id"] for r in rows] == wanted
    manifest = json.loads((opened / "manifest.json").read_text())
    assert manifest["counts"] == result["counts"]
    assert manifest["master_snapshot_id"] == snapshot
    assert manifest["recipient_key_id"] == dhs_key_id
    allowed = {
        "identity", "aliases", "address", "place_of_birth", "banking", "phones", "emails",
        "relatives", "ip_addresses",
    }  # fmt: skip
    for row in rows:
        if row["decision"] == "match":
            assert set(row["records"]) == allowed
        else:
            assert "records" not in row

    layout = package_layout(package)
    original = package.read_bytes()
    aims = {
        "header": (layout.header.start + 2, _flip),
        "wrapped key": (layout.wrapped_key.start + 3, _flip_hex),
        "manifest": (layout.manifest.start + 5, _flip),
        "ciphertext": (layout.chunks[-1].start + 7, _flip),
        "signature": (layout.signature.start + 9, _flip),
    }
    for part, (at, flip) in aims.items():
        data_copy = bytearray(original)
        flip(data_copy, at)
        tampered = tmp_path / f"tampered-{part.replace(' ', '-')}.mgp"
        tampered.write_bytes(bytes(data_copy))
        target = tmp_path / f"out-{part.replace(' ', '-')}"
        refused = invoke(
            main_app, "open", tampered, "--key", keys / "dhs.key", "--trust", signer,
            "--out", target, workspace=workspace,
        )  # fmt: skip
        assert refused.exit_code == 3, (part, refused.output)
        assert "E_PACKAGE_" in refused.stderr, part
        assert not target.exists() or not any(target.iterdir()), part
    truncated = tmp_path / "truncated.mgp"
    truncated.write_bytes(original[:-1])
    refused = invoke(
        main_app, "open", truncated, "--key", keys / "dhs.key", "--trust", signer,
        workspace=workspace,
    )  # fmt: skip
    assert refused.exit_code == 3
    other = invoke(
        main_app, "keys", "generate", "--out", keys, "--name", "other", workspace=workspace
    )
    assert other.exit_code == 0
    wrong = invoke(
        main_app, "open", package, "--key", keys / "other.key", "--trust", signer,
        workspace=workspace,
    )  # fmt: skip
    assert wrong.exit_code == 3
    assert "E_PACKAGE_KEY" in wrong.stderr
    shutil.rmtree(opened)


def test_end_to_end_small(tmp_path: Path) -> None:
    run_end_to_end(tmp_path, people=3_000, requests=1_000)


@pytest.mark.slow
def test_end_to_end_reference_arrangement_50000_rows(tmp_path: Path) -> None:
    run_end_to_end(tmp_path, people=100_000, requests=50_000)
