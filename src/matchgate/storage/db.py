"""Connections to the operational store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker

from matchgate.storage.models import Base


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """One engine per URL; the schema is created on first use.

    The schema is still a single table created with ``create_all``; the first change to it brings
    in Alembic migrations.
    """
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    return engine


@contextmanager
def session(url: str) -> Iterator[Session]:
    """A session that commits when the block succeeds and rolls back when it raises."""
    factory = sessionmaker(engine_for(url), expire_on_commit=False)
    with factory() as s, s.begin():
        yield s
