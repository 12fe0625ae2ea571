"""``matchgate db upgrade``: create or upgrade the stores' schema (Alembic migrations)."""

from __future__ import annotations

import typer

from matchgate.cli.shell import current_app, echo
from matchgate.cli.shell import run as _run

db_app = typer.Typer(
    name="db",
    help="The operational and audit stores' schema (migrations).",
    no_args_is_help=True,
)


@db_app.command()
def upgrade() -> None:
    """Create or upgrade the operational store and the audit store to this version's schema.

    Safe to run again. A database made before migrations is adopted as it is (its tables are
    kept) and stamped at the baseline, then upgraded. Other commands refuse a store whose schema
    is absent or behind (exit 4) until this has run.
    """
    from matchgate.services.administration.database import upgrade_stores

    def work() -> None:
        for done in upgrade_stores(current_app()):
            if done.adopted:
                echo(
                    f"{done.store} store {done.where}: adopted {len(done.adopted)} tables made "
                    "before migrations"
                )
            if done.changed:
                was = done.before or "empty"
                echo(f"{done.store} store {done.where}: upgraded from {was} to {done.after}")
            else:
                echo(f"{done.store} store {done.where}: already at {done.after}")

    _run(work)
