"""``matchgate keys init-data|data-status|rotate-data|reencrypt-data|retire-data``: thin shells
over ``services.administration.datakeys`` (the key ring that encrypts identifiers and files at
rest).

``register(keys, run)`` adds the commands to the ``keys`` sub-app; ``run`` is the error mapper.
No command prints a secret.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from matchgate.cli.shell import Runner, current_app, echo

if TYPE_CHECKING:
    from matchgate.services.administration.datakeys import Reencryption

Full = Annotated[
    bool,
    typer.Option(
        "--full",
        help="Also give every sealed file a fresh data key (slower; after a suspected "
        "compromise). Default: rewrap each file's data key under the new key.",
    ),
]


def _print_pass(done: Reencryption) -> None:
    if done.plaintext_sealed:
        echo(f"sealed {done.plaintext_sealed:,} file(s) kept in the clear by an older version")
    echo(
        f"moved {done.rows_moved:,} row(s) and {done.files_moved:,} file(s) to key version "
        f"{done.current}"
    )
    older = sorted(v for v in {*done.usage.rows, *done.usage.files} if v != done.current)
    for version in older:
        echo(
            f"still under version {version}: {done.usage.rows.get(version, 0):,} row(s), "
            f"{done.usage.files.get(version, 0):,} file(s)"
        )
    for failure in done.failures:
        echo(f"not moved: {failure}")
    if not older and not done.failures:
        echo("nothing is under an older key; older keys can be retired")


def register(keys: typer.Typer, run: Runner) -> None:
    """Add the data key ring commands to the ``keys`` sub-app."""

    @keys.command("init-data")
    def init_data() -> None:
        """Create the data key ring (owner-only) if there is none; safe to run again."""
        from matchgate.services.administration.datakeys import init_data_keys

        def work() -> None:
            made = init_data_keys(current_app())
            state = "created" if made.created else "found"
            echo(f"{state} data key ring {made.ring_id[:8]} at {made.path}")
            echo(f"current key version: {made.current}")

        run(work)

    @keys.command("data-status")
    def data_status() -> None:
        """List the ring's key versions and how many rows and files are under each."""
        from matchgate.services.administration.datakeys import data_key_status

        def work() -> None:
            ring, listed, usage = data_key_status(current_app())
            echo(f"data key ring {ring.ring_id[:8]} at {ring.path}")
            for key in listed:
                state = "current" if key.current else ("retired" if key.retired else "old")
                echo(
                    f"version {key.version}  {state:<7}  created {key.created}  "
                    f"{key.rows:,} row(s), {key.files:,} file(s)"
                )
            if usage.unreadable_files:
                echo(f"unreadable sealed files: {usage.unreadable_files:,}")

        run(work)

    @keys.command("rotate-data")
    def rotate_data(
        reencrypt_now: Annotated[
            bool,
            typer.Option(
                "--reencrypt/--no-reencrypt",
                help="Move everything to the new key now (default), or later with "
                "`keys reencrypt-data`.",
            ),
        ] = True,
        full: Full = False,
    ) -> None:
        """Add a new current data key; older keys stay for reading until retired."""
        from matchgate.services.administration.datakeys import rotate_data_keys

        def work() -> None:
            done = rotate_data_keys(current_app(), reencrypt_now=reencrypt_now, full=full)
            echo(f"current data key: version {done.current} (was {done.previous})")
            if done.reencryption is not None:
                _print_pass(done.reencryption)

        run(work)

    @keys.command("reencrypt-data")
    def reencrypt_data(full: Full = False) -> None:
        """Move every sealed row and file to the current data key (can be run again)."""
        from matchgate.services.administration.datakeys import reencrypt_data as reencrypt

        run(lambda: _print_pass(reencrypt(current_app(), full=full)))

    @keys.command("retire-data")
    def retire_data(
        version: Annotated[int, typer.Argument(help="The old key version to retire.")],
    ) -> None:
        """Delete an old data key's secret; refused while anything is still under it."""
        from matchgate.services.administration.datakeys import retire_data_key

        def work() -> None:
            retire_data_key(current_app(), version)
            echo(f"retired data key version {version}; its secret is deleted")

        run(work)
