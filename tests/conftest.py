"""Shared fixtures: the operational store on SQLite always, and on PostgreSQL when one answers."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import hypothesis
import pytest

POSTGRES_URL = os.environ.get(
    "MATCHGATE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _postgres_reason() -> str | None:
    """None when PostgreSQL answers, else why the PostgreSQL tests are skipped."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install 'matchgate[postgres]')"
    plain = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    try:
        with psycopg.connect(plain, connect_timeout=3):
            return None
    except psycopg.OperationalError:
        return "no PostgreSQL server reachable at MATCHGATE_TEST_POSTGRES_URL"


def upgrade_store(url: str) -> str:
    """Create the operational and audit tables in the store at ``url`` (``db upgrade``)."""
    from matchgate.storage.migrate import upgrade
    from matchgate.storage.schema import BRANCHES

    for branch in BRANCHES:
        upgrade(url, branch)
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_store_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A store with no tables: a fresh SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('store') / 'store.sqlite'}"
        return
    reason = _postgres_reason()
    if reason is not None:
        pytest.skip(reason)
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    plain = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as con:
        con.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        from matchgate.storage.db import dispose_engines

        dispose_engines()  # pooled connections would outlive the schema
        with psycopg.connect(plain, autocommit=True) as con:
            con.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def store_url(empty_store_url: str) -> str:
    """An operational store with no rows, its schema upgraded (audit tables included)."""
    return upgrade_store(empty_store_url)


# Hypothesis' per-example deadline measures the machine's load as much as the code (a busy
# 2-core runner trips it at random); the properties are what these tests check, not speed.
hypothesis.settings.register_profile("matchgate", deadline=None)
hypothesis.settings.load_profile("matchgate")
