"""Schema migrations of the two stores (Alembic), the upgrade and the check that refuses a stale
schema.

Design: one migration history (``migrations/``) with two independent branches, labelled
``operational`` and ``audit``, each with its own base. The audit store may live in its own
database (``MATCHGATE_AUDIT_URL``) or share the operational one; with two branches in one
history, each database's ``alembic_version`` table records the head of each branch it holds (one
row per branch), so the two stores upgrade separately or together with the same scripts and no
second version table or second environment. This is simpler than two histories (one env, one
template, one ``db upgrade``) and sound because neither branch ever depends on the other.

The baseline of each branch creates its tables only where missing: a database made before
migrations (tables present, no ``alembic_version``) is recognised, its tables kept as they are
(they are exactly what the baseline describes) and stamped at the baseline, then upgraded.

Nothing creates tables on a request path: :func:`require_current` runs once per URL and store when
an engine is first made (``storage.db.engine_for``, ``storage.audit.audit_engine``) and raises
:class:`ConfigurationError` (exit 4) naming ``matchgate db upgrade`` when the schema is absent or
behind. On PostgreSQL an upgrade holds a transaction-level advisory lock, so commands starting
at once (e.g. two first-run commands) upgrade one after the other.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from matchgate.domain.errors import ConfigurationError
from matchgate.storage import schema

UPGRADE_COMMAND = "matchgate db upgrade"
MIGRATIONS = Path(__file__).parent / "migrations"

_LOCK_KEY = 0x6D67_6462  # "mgdb": the advisory lock concurrent upgrades of one database share
_checked: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class StoreUpgrade:
    """What ``upgrade`` did to one store: its revision before and after, tables it adopted."""

    store: str
    before: str | None
    after: str
    adopted: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return self.before != self.after


def config(connection: Connection | None = None, branch: str | None = None) -> Config:
    """An Alembic configuration over the packaged scripts (``connection`` for env.py)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    cfg.attributes["branch"] = branch
    return cfg


@lru_cache(maxsize=4)
def head(branch: str) -> str:
    """The newest revision of a store's branch in this version of matchgate."""
    script = ScriptDirectory.from_config(config())
    revision = script.get_revision(f"{branch}@head")
    assert revision is not None
    return revision.revision


@lru_cache(maxsize=4)
def revisions(branch: str) -> frozenset[str]:
    """Every revision of a store's branch in this version of matchgate."""
    script = ScriptDirectory.from_config(config())
    return frozenset(
        rev.revision
        for rev in script.iterate_revisions(f"{branch}@head", "base")
        if rev is not None
    )


def revision_of(connection: Connection, branch: str) -> str | None:
    """The revision of ``branch`` the database is at (None: no version row for it). A revision
    this version does not know (made by a newer matchgate) counts as not current."""
    current = set(MigrationContext.configure(connection).get_current_heads())
    known = revisions(branch)
    mine = current & known
    if mine:
        return next(iter(mine))
    unknown = current - revisions(schema.AUDIT) - revisions(schema.OPERATIONAL)
    return next(iter(unknown)) if unknown else None


def _prepare(url: str) -> None:
    """Make a new SQLite store's folder and file, the file owner-only (0600, like the key files:
    it holds the submissions and the audit log); SQLite gives its journals the file's mode. An
    existing file keeps its mode."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(parsed.database)
        path.parent.mkdir(parents=True, exist_ok=True)
        if parsed.database.startswith("file:"):  # a URI: SQLite makes it as it says
            return
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def upgrade(url: str, branch: str) -> StoreUpgrade:
    """Bring one store's schema to this version's head; a no-op when it is there already."""
    _prepare(url)
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":  # one upgrade at a time per database
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
            before = revision_of(connection, branch)
            if before is not None and before not in revisions(branch):
                raise _newer(branch, before)
            present = set(inspect(connection).get_table_names())
            adopted = tuple(sorted(present & schema.tables_of(branch))) if before is None else ()
            command.upgrade(config(connection, branch), f"{branch}@head")
            after = revision_of(connection, branch)
    finally:
        engine.dispose()
    assert after is not None
    _checked.discard((_key(url), branch))
    return StoreUpgrade(store=branch, before=before, after=after, adopted=adopted)


def _key(url: str) -> str:
    return make_url(url).render_as_string(hide_password=False)


def require_current(engine: Engine, branch: str) -> None:
    """Refuse (``ConfigurationError``) a store whose schema is absent or not at this version's
    head; checked once per URL and store in a process."""
    key = (_key(engine.url.render_as_string(hide_password=False)), branch)
    if key in _checked:
        return
    with engine.connect() as connection:
        current = revision_of(connection, branch)
        connection.rollback()
    if current is not None and current not in revisions(branch):
        raise _newer(branch, current)
    if current != head(branch):
        state = "has no schema version" if current is None else "has a schema that is not current"
        raise ConfigurationError(f"the {branch} store {state}: run `{UPGRADE_COMMAND}`")
    _checked.add(key)


def _newer(branch: str, revision: str) -> ConfigurationError:
    return ConfigurationError(
        f"the {branch} store is at schema revision {revision}, which this version of matchgate "
        "does not know (a newer version upgraded it): use that version"
    )


_empty_checked: set[tuple[str, str]] = set()


def upgrade_if_empty(url: str, branch: str) -> StoreUpgrade | None:
    """Upgrade a store whose database holds no table at all (or does not exist yet); None when
    it holds anything (checked once per URL and store in a process)."""
    key = (_key(url), branch)
    if key in _empty_checked or key in _checked:
        return None
    _prepare(url)
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            empty = not inspect(connection).get_table_names()
    finally:
        engine.dispose()
    _empty_checked.add(key)
    return upgrade(url, branch) if empty else None


def new_revision(branch: str, message: str) -> None:
    """Write a new migration of ``branch`` by autogenerate: the difference between the models and
    a scratch SQLite database upgraded to every head. Review it (and PostgreSQL) before use."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'scratch.sqlite'}"
        for each in schema.BRANCHES:
            upgrade(url, each)
        engine = create_engine(url, poolclass=NullPool)
        try:
            with engine.begin() as connection:
                number = len(revisions(branch)) + 1
                command.revision(
                    config(connection, branch),
                    message=message,
                    autogenerate=True,
                    head=f"{branch}@head",
                    rev_id=f"{branch}_{number:04d}",
                )
        finally:
            engine.dispose()


if __name__ == "__main__":  # python -m matchgate.storage.migrate BRANCH "what changes"
    import sys

    if len(sys.argv) != 3 or sys.argv[1] not in schema.BRANCHES:
        sys.exit(
            f"usage: python -m matchgate.storage.migrate {{{'|'.join(schema.BRANCHES)}}} MESSAGE"
        )
    new_revision(sys.argv[1], sys.argv[2])


def schema_problem(url: str, branch: str) -> str | None:
    """Why the store at ``url`` cannot serve ``branch`` now (unreachable, no schema, a schema
    that is behind or unknown), or None when it is current. Checked afresh on every call (a
    readiness probe), with a connection of its own; creates nothing, not even a SQLite file."""
    parsed = make_url(url)
    database = parsed.database or ""
    on_disk = parsed.get_backend_name() == "sqlite" and database not in ("", ":memory:")
    if on_disk and not database.startswith("file:") and not Path(database).exists():
        return f"the {branch} store does not exist: run `{UPGRADE_COMMAND}`"
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            current = revision_of(connection, branch)
            connection.rollback()
    except Exception as exc:  # any driver error means "not reachable"
        return f"the {branch} store cannot be reached ({type(exc).__name__})"
    finally:
        engine.dispose()
    if current is not None and current not in revisions(branch):
        return _newer(branch, current).message
    if current != head(branch):
        state = "has no schema version" if current is None else "has a schema that is not current"
        return f"the {branch} store {state}: run `{UPGRADE_COMMAND}`"
    return None
