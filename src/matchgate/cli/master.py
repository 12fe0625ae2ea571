"""``matchgate master load|update|list|remove``: the workspace's loaded master store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from matchgate.cli.progress import RichProgress
from matchgate.cli.shell import console, current_app, out, run

master_app = typer.Typer(
    name="master",
    help="Load the master file once into the workspace; matches then probe it.",
    no_args_is_help=True,
)


@master_app.command()
def load(
    path: Annotated[Path, typer.Argument(help="Master file (CSV or Parquet, data contract §1).")],
) -> None:
    """Standardize and index a master file as a new snapshot, made current when complete."""
    from matchgate.services.master.store import load_master

    def work() -> None:
        with RichProgress(console).shown() as progress:
            summary = load_master(current_app(), path, progress=progress)
        console.print(
            f"loaded {summary.people:,} people as snapshot {summary.snapshot.id} "
            f"in {summary.seconds:.1f} s"
        )

    run(work)


@master_app.command()
def update(
    path: Annotated[
        Path, typer.Argument(help="Change file: master columns, one row per new or changed person.")
    ],
) -> None:
    """Apply a change file to the current snapshot, as a new snapshot (no full reload)."""
    from matchgate.services.master.store import update_master

    def work() -> None:
        with RichProgress(console).shown() as progress:
            summary = update_master(current_app(), path, progress=progress)
        console.print(
            f"added {summary.added:,} and replaced {summary.replaced:,} people: snapshot "
            f"{summary.snapshot.id} ({summary.people:,} people) in {summary.seconds:.1f} s"
        )

    run(work)


@master_app.command(name="list")
def list_() -> None:
    """List the snapshots, oldest first; * marks the one matches probe."""
    from matchgate.services.master.store import list_snapshots

    def work() -> None:
        found = list_snapshots(current_app())
        if not found:
            out.print("no master loaded (matchgate master load FILE)")
        for snapshot, is_current in found:
            m = snapshot.manifest
            changes = m.get("changes")
            what = (
                f"update of {m.get('parent')}: +{changes['added']:,} ~{changes['replaced']:,}"
                if changes
                else f"load of {m.get('source')}"
            )
            out.print(
                f"{'*' if is_current else ' '} {snapshot.id}  {snapshot.people:>13,} people  "
                f"{m.get('engine', 'duckdb'):<6}  {m.get('created_at')}  {what}"
            )

    run(work)


@master_app.command()
def remove(
    snapshot: Annotated[str, typer.Argument(help="Snapshot id (not the current one).")],
) -> None:
    """Delete an old snapshot (outputs that name it can no longer be re-run against it)."""
    from matchgate.services.master.store import remove_snapshot

    def work() -> None:
        remove_snapshot(current_app(), snapshot)
        out.print(f"removed {snapshot}")

    run(work)
