"""Alembic environment: runs on the connection :mod:`matchgate.storage.migrate` hands it.

``config.attributes`` carries ``connection`` (required) and ``branch`` (the store being migrated
or compared, which limits autogenerate to that store's tables). SQLite runs in batch mode
(``render_as_batch``), since it cannot alter most things in place.
"""

from __future__ import annotations

from typing import Any

from alembic import context

from matchgate.storage import schema

config = context.config
connection = config.attributes["connection"]
branch = config.attributes.get("branch")
owned = schema.tables_of(branch) if branch else None


def _include(obj: Any, name: str | None, kind: str, reflected: bool, other: Any) -> bool:
    if kind == "table" and owned is not None:
        return name in owned
    return True


context.configure(
    connection=connection,
    target_metadata=schema.metadata(),
    render_as_batch=connection.dialect.name == "sqlite",
    include_object=_include,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
