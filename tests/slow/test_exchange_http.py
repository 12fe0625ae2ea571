"""The exchange end to end over real HTTP on loopback: ``matchgate serve`` (uvicorn) in a process
of its own, the client, and ``matchgate submit`` with ``MATCHGATE_HOST_URL`` in a requester's
workspace that holds none of the host's files.

The host bootstraps, adds DHS and its users, registers DHS's key (through the API, its id
confirmed), adds the agreement (through the API) and loads a 200,000-person master; DHS uploads
a 50,000-row file with ``matchgate submit``, which follows the job and downloads the package;
DHS fetches the host's public key (its id confirmed against the host's) and opens the package
with its own key. The host then withdraws one disclosed person's record (the SSN in the body);
DHS lists the notice and acknowledges it with ``matchgate withdrawals`` through the API, and
fetches its witness files with ``matchgate audit witness fetch`` (checked on its side against
the audit log's public key it pinned); a witness file changed on the host's disk is refused by
the client. Run on this 2-core machine it takes about the time the test prints."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.accounts import Accounts
from tests.submit.test_end_to_end import reference_for_today
from typer.testing import CliRunner

from matchgate.app.audit import audit_config, init_audit, trusted_keys
from matchgate.app.core import App
from matchgate.cli.main import app
from matchgate.client import Client
from matchgate.disclosure import key_id, load_public_key
from matchgate.domain.canonical import canonical_json
from matchgate.services.administration.database import upgrade_stores
from matchgate.settings import Settings

PEOPLE = 200_000
REQUESTS = 50_000
runner = CliRunner()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _env(workspace: Path, **more: str) -> dict[str, str]:
    return {"MATCHGATE_WORKSPACE": str(workspace), "MATCHGATE_DATABASE_URL": "", **more}


def _cli(*args: str | Path | int, env: dict[str, str]) -> str:
    done = runner.invoke(app, [str(a) for a in args], env=env)
    assert done.exit_code == 0, done.output
    return done.stdout


def _wait_live(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with Client(url, None) as anonymous:
                anonymous.live()
            return
        except Exception:
            if time.monotonic() > deadline or server.poll() is not None:
                raise
            time.sleep(0.2)


@pytest.mark.slow
def test_a_partner_submits_over_http_and_opens_its_package(tmp_path: Path) -> None:
    started = time.monotonic()
    host_ws, dhs_ws = tmp_path / "host", tmp_path / "dhs"
    settings = Settings(workspace=host_ws)
    data = tmp_path / "data"
    _cli("synth", "--people", PEOPLE, "--requests", REQUESTS, "--seed", 18, "--out", data,
         env=_env(host_ws))  # fmt: skip
    upgrade_stores(App(settings))
    init_audit(audit_config(settings))
    accounts = Accounts(settings)  # bootstraps the host SSA and its administrator
    accounts.user("ssa-po", "SSA", "privacy_officer")
    accounts.user("dhs-submitter", "DHS", "submitter")
    accounts.user("dhs-po", "DHS", "privacy_officer", "auditor")
    _cli("master", "load", data / "master.parquet", env=_env(host_ws))
    _cli("host", "init", env=_env(host_ws))
    keys = tmp_path / "dhs-keys"  # DHS's own key pair, made on its side
    made = _cli("keys", "generate", "--out", keys, "--name", "dhs", env=_env(dhs_ws))
    dhs_key_id = made.split("key id:")[1].split()[0]

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "matchgate", "serve", "--port", str(port)],
        env={**os.environ, **_env(host_ws)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_live(url, server)
        with Client(url, accounts.admin_token) as admin:
            pem = (keys / "dhs.pub").read_text()
            assert admin.add_key("DHS", pem, dhs_key_id)["key_id"] == dhs_key_id
        with Client(url, accounts.tokens["ssa-po"]) as po:
            document = reference_for_today(tmp_path, settings).read_text()
            po.add_agreement(document)
        ready = time.monotonic()

        env = _env(dhs_ws, MATCHGATE_HOST_URL=url, MATCHGATE_TOKEN=accounts.tokens["dhs-submitter"])
        request_file = data / "requests.csv"
        shown = json.loads(
            _cli("submit", request_file, "--agreement", "reference-2025-08", "--json", env=env)
        )
        submitted = time.monotonic()
        assert shown["status"] == "disclosed", shown
        assert shown["records"] == REQUESTS
        assert sum(shown["counts"].values()) == REQUESTS
        package = Path(shown["package"])
        assert package.parent == dhs_ws / "outbox"
        listed = _cli("submissions", "list", "--json", env=env)
        assert [row["job_id"] for row in json.loads(listed)] == [shown["job_id"]]

        with Client(url, accounts.tokens["dhs-submitter"]) as dhs:
            host_key = dhs.host_key()
        # confirmed out of band: the id the host's operator reads off its own key
        assert host_key["key_id"] == key_id(load_public_key(host_ws / "host" / "signing.pub"))
        pinned = tmp_path / "ssa-signing.pub"
        pinned.write_text(host_key["public_key"])

        opened = tmp_path / "opened"
        out = _cli("open", package, "--key", keys / "dhs.key", "--trust", pinned, "--out", opened,
                   env=_env(dhs_ws))  # fmt: skip
        assert "signature verified" in out
        lines = (opened / "response.jsonl").read_text().splitlines()
        assert len(lines) == REQUESTS
        opened_at = time.monotonic()
        _withdraw_and_witness(tmp_path, url, settings, accounts, shown, lines, dhs_ws)
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=60)

    assert accounts.tokens["dhs-submitter"] not in errors.decode()
    print(
        f"\nsetup {ready - started:.0f} s, upload to package {submitted - ready:.0f} s, "
        f"withdrawal and witness {time.monotonic() - opened_at:.0f} s, "
        f"total {time.monotonic() - started:.0f} s"
    )


def _withdraw_and_witness(
    tmp_path: Path,
    url: str,
    settings: Settings,
    accounts: Accounts,
    shown: dict[str, object],
    lines: list[str],
    dhs_ws: Path,
) -> None:
    """After the package: a withdrawal and its notice, then the witness files, over HTTP."""
    matched = next(json.loads(line) for line in lines if '"decision":"match"' in line)
    ssn = matched["records"]["identity"][0]["value"]["ssn"]  # a person DHS received
    with Client(url, accounts.tokens["ssa-po"]) as po:
        done = po.withdraw(ssn, "wrong_match", package_id=str(shown["package_id"]))
    assert done["notify"] == ["DHS"]
    (made,) = done["notices"]
    assert made["references"] == [shown["package_id"]]

    env = _env(dhs_ws, MATCHGATE_HOST_URL=url, MATCHGATE_TOKEN=accounts.tokens["dhs-submitter"])
    (notice,) = json.loads(_cli("withdrawals", "list", "--pending", "--json", env=env))
    assert (notice["id"], notice["from"], notice["acknowledged_at"]) == (made["id"], "SSA", None)
    assert ssn not in json.dumps(notice)
    acked = json.loads(_cli("withdrawals", "ack", notice["id"], "--json", env=env))
    assert acked["acknowledged_by"] == "dhs-submitter"
    assert json.loads(_cli("withdrawals", "list", "--pending", "--json", env=env)) == []

    # the audit log's public key, pinned by DHS out of band; the host's folder for DHS
    trusted = tmp_path / "ssa-audit.pub"
    trusted.write_bytes(audit_config(settings).signing_public_key_file.read_bytes())
    folder = audit_config(settings).witness_root / "DHS"
    written = sorted(p.name for p in folder.iterdir())
    assert written, "the release left no witness file for DHS"
    env_po = {**env, "MATCHGATE_TOKEN": accounts.tokens["dhs-po"]}
    kept = tmp_path / "dhs-witness"
    out = _cli("audit", "witness", "fetch", "--into", kept, "--trust", trusted, env=env_po)
    assert f"fetched {len(written)} checkpoints" in out, out
    assert sorted(p.name for p in kept.iterdir()) == written

    # a file changed on the host's disk: the client refuses it (the host cannot vouch for it)
    newest = folder / written[-1]
    original = newest.read_bytes()
    document = json.loads(original)
    root = document["checkpoint"]["root"]
    document["checkpoint"]["root"] = ("1" if root[0] == "0" else "0") + root[1:]
    os.chmod(newest, stat.S_IRUSR | stat.S_IWUSR)
    newest.write_bytes((canonical_json(document) + "\n").encode("ascii"))
    try:
        with Client(url, accounts.tokens["dhs-po"]) as dhs:
            report = dhs.fetch_witness(tmp_path / "fresh", trusted_keys([trusted]))
        refused = runner.invoke(
            app, ["audit", "witness", "fetch", "--into", str(kept), "--trust", str(trusted)],
            env=env_po,
        )  # fmt: skip
    finally:
        newest.write_bytes(original)
        os.chmod(newest, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    assert not report.ok
    assert newest.name not in report.fetched
    assert any(newest.name in problem for problem in report.problems), report.problems
    assert refused.exit_code == 5, refused.output  # the copy kept no longer matches
