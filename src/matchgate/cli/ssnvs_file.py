"""``matchgate ssnvs-file``: turn a CSV request file into SSNVS/EVS fixed-width records.

For trying the fixed-width path with synthetic data (``matchgate synth`` writes CSV requests);
see docs/verification-files.md. Exit 3 when the request file cannot be read or the output exists.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from matchgate.cli.shell import Runner, echo
from matchgate.domain.errors import InputError


def register(app: typer.Typer, run: Runner) -> None:
    """Add ``ssnvs-file`` to ``app``."""

    @app.command("ssnvs-file")
    def ssnvs_file(
        requests: Annotated[Path, typer.Argument(help="CSV request file (data contract §2).")],
        out: Annotated[Path, typer.Option(help="The fixed-width file to write (new).")],
        requester_id: Annotated[
            str, typer.Option(help="Requester identification code (positions 124-127).")
        ] = "SYNT",
    ) -> None:
        """Write a CSV request file as SSNVS/EVS fixed-width submission records."""
        from matchgate.synth.ssnvs import write_ssnvs

        def work() -> None:
            if not requests.is_file():
                raise InputError("file does not exist", path=str(requests), code="E_FILE_MISSING")
            if out.exists():
                raise InputError("the output file exists already", path=str(out))
            try:
                written = write_ssnvs(requests, out, requester=requester_id)
            except ValueError as exc:
                raise InputError(str(exc), field="requester-id") from None
            except UnicodeDecodeError:
                raise InputError(
                    "is not valid UTF-8 (save the file as UTF-8)",
                    path=str(requests),
                    code="E_FILE_ENCODING",
                ) from None
            line = f"wrote {written.records} record(s) to {out}"
            if written.skipped:
                line += f"; skipped {written.skipped} row(s) without an SSN or a last name"
            echo(line)

        run(work)
