"""Migrations: an upgrade from nothing gives exactly the models' schema (this is the test that
fails when a model changes without a migration), is idempotent, and a store whose schema is
absent or behind is refused with exit 4 naming ``matchgate db upgrade``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool
from typer.testing import CliRunner

from matchgate.cli.main import app
from matchgate.domain.errors import ConfigurationError
from matchgate.storage import migrate, schema
from matchgate.storage.db import engine_for

runner = CliRunner()


def schema_differences(url: str, branch: str) -> list[Any]:
    """What autogenerate would write for ``branch``: empty when the store matches the models."""
    owned = schema.tables_of(branch)

    def include(obj: Any, name: str | None, kind: str, reflected: bool, other: Any) -> bool:
        return name in owned if kind == "table" else True

    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"include_object": include, "compare_type": True}
            )
            return list(compare_metadata(context, schema.metadata()))
    finally:
        engine.dispose()


def test_an_upgrade_from_empty_gives_the_models_schema(empty_store_url: str) -> None:
    for branch in schema.BRANCHES:
        done = migrate.upgrade(empty_store_url, branch)
        assert (done.before, done.after, done.adopted) == (None, migrate.head(branch), ())
    for branch in schema.BRANCHES:
        assert schema_differences(empty_store_url, branch) == [], branch
        again = migrate.upgrade(empty_store_url, branch)
        assert not again.changed


def test_the_audit_entries_stay_append_only_after_an_upgrade(store_url: str) -> None:
    engine = create_engine(store_url, poolclass=NullPool)
    row = {"k": "test.kind", "h": "0" * 64}
    insert = (
        "INSERT INTO audit_entries (sequence, recorded_at, kind, actor, subjects, details, "
        "prev_hash, entry_hash, leaf_hash) VALUES (0, 't', :k, 'a', '[]', '{}', :h, :h, :h)"
    )
    try:
        with engine.begin() as con:
            con.execute(text(insert), row)
        with pytest.raises(Exception, match="append-only"), engine.begin() as con:
            con.execute(text("UPDATE audit_entries SET kind = 'x'"))
        with pytest.raises(Exception, match="append-only"), engine.begin() as con:
            con.execute(text("DELETE FROM audit_entries"))
    finally:
        engine.dispose()


def test_each_store_upgrades_in_its_own_database(tmp_path: Path) -> None:
    operational = f"sqlite:///{tmp_path / 'ops.sqlite'}"
    audit = f"sqlite:///{tmp_path / 'audit.sqlite'}"
    migrate.upgrade(operational, schema.OPERATIONAL)
    migrate.upgrade(audit, schema.AUDIT)
    assert schema_differences(operational, schema.OPERATIONAL) == []
    assert schema_differences(audit, schema.AUDIT) == []
    for url, absent in ((operational, schema.AUDIT_TABLES), (audit, schema.OPERATIONAL_TABLES)):
        engine = create_engine(url, poolclass=NullPool)
        with engine.connect() as con:
            names = {r[0] for r in con.execute(text("SELECT name FROM sqlite_master"))}
        engine.dispose()
        assert not names & absent


def test_an_engine_refuses_a_store_without_the_schema(empty_store_url: str) -> None:
    with pytest.raises(ConfigurationError, match=r"run `matchgate db upgrade`") as caught:
        engine_for(empty_store_url)
    assert "\n" not in str(caught.value)
    migrate.upgrade(empty_store_url, schema.OPERATIONAL)
    engine_for(empty_store_url)  # now current


def _cli(workspace: Path, *args: str, **env: str) -> Any:
    environ = {"MATCHGATE_WORKSPACE": str(workspace), "MATCHGATE_TOKEN": "", **env}
    return runner.invoke(app, list(args), env=environ)


def test_commands_on_an_absent_or_behind_store_exit_4_naming_db_upgrade(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    refused = _cli(workspace, "keys", "data-status")
    assert refused.exit_code == 4, refused.output
    lines = [line for line in refused.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert "matchgate db upgrade" in lines[0]
    # Behind: the audit store is current, the operational store (same database) is not.
    migrate.upgrade(f"sqlite:///{workspace / 'matchgate.sqlite'}", schema.AUDIT)
    behind = _cli(workspace, "keys", "data-status")
    assert behind.exit_code == 4, behind.output
    assert "matchgate db upgrade" in behind.stderr
    done = _cli(workspace, "db", "upgrade")
    assert done.exit_code == 0, done.output
    assert "operational store" in done.stdout
    said = " ".join(done.stdout.split())  # the console may wrap a long workspace path
    assert f"upgraded from empty to {migrate.head(schema.OPERATIONAL)}" in said
    assert "audit store" in done.stdout
    assert "already at audit_0001" in done.stdout
    again = _cli(workspace, "db", "upgrade")
    assert again.stdout.count("already at") == 2


def test_db_upgrade_has_help() -> None:
    shown = runner.invoke(app, ["db", "upgrade", "--help"])
    assert shown.exit_code == 0
    assert "operational store and the audit store" in shown.stdout


def test_the_first_run_commands_upgrade_themselves(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    assert _cli(workspace, "audit", "init").exit_code == 0
    made = _cli(
        workspace, "users", "bootstrap", "--agency", "SSA", "--agency-name", "Host", "--user", "a1"
    )
    assert made.exit_code == 0, made.output
    assert _cli(workspace, "keys", "init-data").exit_code == 0
    url = f"sqlite:///{workspace / 'matchgate.sqlite'}"
    for branch in schema.BRANCHES:
        assert schema_differences(url, branch) == []


def test_a_store_upgraded_by_a_newer_version_is_refused_by_name(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    migrate.upgrade(url, schema.OPERATIONAL)
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as con:
        con.execute(text("UPDATE alembic_version SET version_num = 'operational_9999'"))
    engine.dispose()
    with pytest.raises(ConfigurationError, match=r"operational_9999.*newer version"):
        engine_for(url)
    with pytest.raises(ConfigurationError, match="newer version"):
        migrate.upgrade(url, schema.OPERATIONAL)
