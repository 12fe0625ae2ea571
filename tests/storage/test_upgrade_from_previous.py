"""An upgrade of stores made by the commit before migrations (8eda4bb) keeps every row; the audit
log still verifies and sealed fields still decrypt. The fixtures were written by that code with
``fixtures/make_fixture.py`` (SQLite file; PostgreSQL as a ``pg_dump`` of one schema)."""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.pool import NullPool
from tests.conftest import POSTGRES_URL, _postgres_reason
from tests.storage.test_migrations import schema_differences
from typer.testing import CliRunner

from matchgate.app.audit import audit_config
from matchgate.app.core import App
from matchgate.cli.main import app
from matchgate.services.administration.datakeys import open_data_keys
from matchgate.services.oversight.audit_queries import verify_audit
from matchgate.settings import Settings
from matchgate.storage import review, schema
from matchgate.storage.db import session

FIXTURES = Path(__file__).parent / "fixtures"
runner = CliRunner()


def row_counts(url: str) -> dict[str, int]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as con:
            names = sorted(inspect(con).get_table_names())
            return {
                n: int(con.execute(text(f'SELECT count(*) FROM "{n}"')).scalar_one()) for n in names
            }
    finally:
        engine.dispose()


def workspace_from(kind: str, tmp: Path) -> Path:
    """A workspace holding the fixture's key files and checkpoints (and SQLite store)."""
    workspace = tmp / "ws"
    shutil.copytree(FIXTURES / kind, workspace)
    for secret in (workspace / "keys").glob("*"):
        if secret.suffix != ".pub":  # git keeps no owner-only mode; the key loaders demand it
            secret.chmod(0o600)
    return workspace


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def previous(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[Settings, dict[str, Any]]]:
    """Settings over a copy of the store made by the previous commit, and what it held."""
    kind = str(request.param)
    workspace = workspace_from(kind, tmp_path)
    expected = json.loads((workspace / "expected.json").read_text())
    if kind == "sqlite":
        yield Settings(workspace=workspace), expected
        return
    reason = _postgres_reason()
    if reason is not None:
        pytest.skip(reason)
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    plain = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    dump = (workspace / "store.sql").read_text().replace("__SCHEMA__", name)
    with psycopg.connect(plain, autocommit=True) as con:
        con.execute(f'CREATE SCHEMA "{name}"')
        con.execute(dump.encode())
    try:
        url = f"{POSTGRES_URL}?options=-csearch_path%3D{name}"
        yield Settings(workspace=workspace, database_url=url), expected
    finally:
        from matchgate.storage.db import dispose_engines

        dispose_engines()  # pooled connections would outlive the schema
        with psycopg.connect(plain, autocommit=True) as con:
            con.execute(f'DROP SCHEMA "{name}" CASCADE')


def _cli(settings: Settings, *args: str) -> Any:
    env = {
        "MATCHGATE_WORKSPACE": str(settings.workspace),
        "MATCHGATE_DATABASE_URL": settings.database_url,
        "MATCHGATE_TOKEN": "",
    }
    return runner.invoke(app, list(args), env=env)


def test_an_upgrade_keeps_every_row_the_log_and_the_sealed_fields(
    previous: tuple[Settings, dict[str, Any]],
) -> None:
    settings, expected = previous
    url = settings.sqlite_url
    assert row_counts(url) == expected["rows"]
    refused = _cli(settings, "keys", "data-status")  # made before migrations: refused
    assert refused.exit_code == 4, refused.output
    assert "matchgate db upgrade" in refused.stderr

    done = _cli(settings, "db", "upgrade")
    assert done.exit_code == 0, done.output
    assert "adopted" in done.stdout
    after = row_counts(url)
    new = set(after) - set(expected["rows"])
    unused = {"breach_incidents", "breach_steps", "recipient_keys", "withdrawal_notices"}
    assert new == {"alembic_version", *unused}  # tables unused before, or added since
    assert {n: after[n] for n in expected["rows"]} == expected["rows"]
    assert all(after[n] == 0 for n in unused)
    for branch in schema.BRANCHES:
        assert schema_differences(url, branch) == [], branch

    report = verify_audit(audit_config(settings))
    assert report.ok, report.findings
    assert report.size == expected["rows"]["audit_entries"]
    ring = open_data_keys(App(settings))
    with session(url) as s:
        queued = review.items_of_job(s, expected["job_id"])
        assert {r.id: review.reveal(ring, r)["ssn"] for r in queued} == expected["sealed_ssn"]
    verified = _cli(settings, "audit", "verify")
    assert verified.exit_code == 0, verified.output
