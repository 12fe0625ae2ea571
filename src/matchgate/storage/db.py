"""Connections to the operational store."""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker

from matchgate.domain.errors import ConfigurationError
from matchgate.settings import Settings

SQLITE_BUSY_SECONDS = 30.0
"""How long a SQLite connection waits for another's write lock before giving up."""

_LIVE: weakref.WeakSet[Engine] = weakref.WeakSet()
"""Every engine made here or in ``storage.audit`` that is still referenced (see dispose_engines)."""

# What a use case works in: one session, committed when its block succeeds (``session``).
UnitOfWork = Session


def store_url(settings: Settings) -> str:
    """The operational store's URL: ``database_url``, else SQLite in the workspace, whose folder
    is created here (the one place that decides it)."""
    if not settings.database_url:
        settings.workspace.mkdir(parents=True, exist_ok=True)
    return settings.sqlite_url


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """One engine per URL. Creates no table: a store whose schema is absent or behind is refused
    here (``ConfigurationError`` naming ``matchgate db upgrade``; see ``storage.migrate``), and
    creates no file: a SQLite file that does not exist is refused before SQLite would make an
    empty one (only the first-run commands create the store, through ``upgrade_schema`` or
    ``create_if_fresh``)."""
    from matchgate.storage.audit import describe_url, missing_sqlite_file
    from matchgate.storage.migrate import UPGRADE_COMMAND, require_current
    from matchgate.storage.schema import OPERATIONAL

    if missing_sqlite_file(url):
        raise ConfigurationError(
            f"the operational store {describe_url(url)} does not exist (check "
            f"MATCHGATE_DATABASE_URL and the workspace): run `{UPGRADE_COMMAND}` to create it"
        )
    # SQLite allows one writer: a writer (an API job thread, a poller's read) waits for the lock
    # this long instead of pysqlite's 5 s, which a busy machine exceeds.
    extra: dict[str, Any] = {"connect_args": {"timeout": SQLITE_BUSY_SECONDS}}
    engine = create_engine(url, **(extra if url.startswith("sqlite") else {}))
    try:
        require_current(engine, OPERATIONAL)
    except BaseException:
        engine.dispose()
        raise
    return track(engine)


def track(engine: Engine) -> Engine:
    """Remember ``engine`` for :func:`dispose_engines` (weakly: an engine evicted from its cache
    is still closed when collected)."""
    _LIVE.add(engine)
    return engine


def dispose_engines() -> None:
    """Close the pooled connections of every engine made so far and forget the cached ones:
    for a process done with its stores (a test dropping its PostgreSQL schema, whose pools would
    otherwise hold connections until collected)."""
    from matchgate.storage.audit import audit_engine

    engine_for.cache_clear()
    _sessions.cache_clear()
    audit_engine.cache_clear()
    for engine in list(_LIVE):
        engine.dispose()
    _LIVE.clear()


@lru_cache(maxsize=8)
def _sessions(engine: Engine) -> sessionmaker[Session]:
    """One session factory per engine (``sessionmaker`` makes a class: not on every call, which
    cost a request of the HTTP API more than its queries' SQL)."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session(url: str) -> Iterator[Session]:
    """A session that commits when the block succeeds and rolls back when it raises."""
    with _sessions(engine_for(url))() as s, s.begin():
        yield s


def upgrade_schema(url: str) -> str:
    """Create or upgrade the operational tables (migrations); the revision the store is now at.

    Run by ``db upgrade`` and by the commands a fresh workspace starts with (``users bootstrap``,
    ``keys init-data``, the demo)."""
    from matchgate.storage.migrate import upgrade
    from matchgate.storage.schema import OPERATIONAL

    return upgrade(url, OPERATIONAL).after


def create_if_fresh(url: str) -> None:
    """Create the operational tables in a database that holds no table at all (a fresh
    workspace's job records, written by ``match`` and ``master load``); a database holding
    anything is left as it is, for :func:`engine_for` to check."""
    from matchgate.storage.migrate import upgrade_if_empty
    from matchgate.storage.schema import OPERATIONAL

    upgrade_if_empty(url, OPERATIONAL)
