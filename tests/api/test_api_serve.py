"""``matchgate serve``: refuses to start (exit 4) without an audit log or with a schema that is
behind; otherwise serves over real HTTP on loopback, where the client reaches it."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from matchgate.app.audit import audit_config, init_audit
from matchgate.app.core import App
from matchgate.cli.main import app
from matchgate.cli.shell import EXIT_CONFIG
from matchgate.client import Client
from matchgate.domain.errors import AccessDenied
from matchgate.services.administration.database import upgrade_stores
from matchgate.services.administration.users import bootstrap
from matchgate.settings import Settings
from matchgate.storage.migrate import head, revisions
from matchgate.storage.schema import OPERATIONAL

runner = CliRunner()


def _env(workspace: Path) -> dict[str, str]:
    return {"MATCHGATE_WORKSPACE": str(workspace), "MATCHGATE_DATABASE_URL": ""}


def _serve(workspace: Path) -> tuple[int, str]:
    result = runner.invoke(app, ["serve", "--port", "1"], env=_env(workspace))
    return result.exit_code, result.output


def test_serve_refuses_an_empty_workspace(tmp_path: Path) -> None:
    code, output = _serve(tmp_path / "ws")
    assert code == EXIT_CONFIG, output
    assert "not serving" in output
    assert "matchgate db upgrade" in output


def test_serve_refuses_without_an_audit_log(tmp_path: Path) -> None:
    upgrade_stores(App(Settings(workspace=tmp_path / "ws")))
    code, output = _serve(tmp_path / "ws")
    assert code == EXIT_CONFIG, output
    assert "audit" in output


def test_serve_refuses_a_schema_that_is_behind(tmp_path: Path) -> None:
    settings = Settings(workspace=tmp_path / "ws")
    upgrade_stores(App(settings))
    init_audit(audit_config(settings))
    older = sorted(revisions(OPERATIONAL) - {head(OPERATIONAL)})[0]
    with sqlite3.connect(tmp_path / "ws" / "matchgate.sqlite") as con:
        con.execute(
            "UPDATE alembic_version SET version_num = ? WHERE version_num = ?",
            (older, head(OPERATIONAL)),
        )
    code, output = _serve(tmp_path / "ws")
    assert code == EXIT_CONFIG, output
    assert "not current" in output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_serve_answers_over_loopback(tmp_path: Path) -> None:
    settings = Settings(workspace=tmp_path / "ws")
    upgrade_stores(App(settings))
    init_audit(audit_config(settings))
    from matchgate.app.audit import open_audit

    made = bootstrap(
        App(settings, audit=open_audit(audit_config(settings))),
        agency="SSA",
        agency_name="Social Security Administration (synthetic)",
        user_id="admin",
    )
    port = _free_port()
    command = [sys.executable, "-m", "matchgate", "serve", "--port", str(port)]
    server = subprocess.Popen(
        command,
        env={**os.environ, **_env(tmp_path / "ws")},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with Client(url, None) as anonymous:
                    assert anonymous.live() == {"status": "live"}
                break
            except Exception:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        with Client(url, made.token) as admin:
            assert admin.ready() == {"status": "ready"}
            assert [a["code"] for a in admin.agencies()] == ["SSA"]
        with Client(url, None) as anonymous, pytest.raises(AccessDenied):
            anonymous.agencies()
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=30)
    log = errors.decode()
    assert '"route": "/v1/agencies"' in log
    assert made.token not in log
