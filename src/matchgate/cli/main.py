"""``matchgate`` commands: parse options, call a service, print what it returned.

Exit codes and error handling are in :mod:`matchgate.cli.shell`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from matchgate.cli.access import register as register_access_commands
from matchgate.cli.agreements import agreements_app
from matchgate.cli.audit import register as register_audit_commands
from matchgate.cli.breach import register as register_breach_commands
from matchgate.cli.db import db_app
from matchgate.cli.master import master_app
from matchgate.cli.packages import register as register_package_commands
from matchgate.cli.progress import RichProgress
from matchgate.cli.render import evaluation_table
from matchgate.cli.retention import register as register_retention_commands
from matchgate.cli.serve import register as register_serve_command
from matchgate.cli.shell import (
    EXIT_CONFIG,
    EXIT_INPUT,
    EXIT_INTERNAL,
    console,
    current_app,
    echo_json,
    out,
    run,
    set_workspace,
    settings,
)
from matchgate.cli.ssnvs_file import register as register_ssnvs_file
from matchgate.cli.submit import match_ssnvs
from matchgate.cli.submit import register as register_submit_commands
from matchgate.cli.withdrawals import register as register_withdrawal_commands

__all__ = ["EXIT_CONFIG", "EXIT_INPUT", "EXIT_INTERNAL", "app"]

WORKSPACE_OPTION = "--workspace"


def hoist_workspace(args: list[str]) -> list[str]:
    """``args`` with every ``--workspace DIR`` (or ``--workspace=DIR``) moved to the front, where
    the app's callback reads it; the rest keep their order, and nothing after ``--`` moves."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        if arg == WORKSPACE_OPTION and i + 1 < len(args):
            front.extend(args[i : i + 2])
            i += 2
            continue
        (front if arg.startswith(WORKSPACE_OPTION + "=") else rest).append(arg)
        i += 1
    return front + rest


class _Root(TyperGroup):
    """The root command group. ``--workspace`` is the app's one global option; it is accepted
    after the command too (``matchgate audit checkpoint --workspace ws``), as users type it, by
    moving it to the front before parsing. No command declares an option of that name
    (``tests/cli/test_cli_shell.py`` checks), so nothing of a command's own is taken."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_workspace(args))


app = typer.Typer(
    name="matchgate",
    cls=_Root,
    help="Governed inter-agency identity matching and status verification.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def main(
    ctx: typer.Context,
    workspace: Annotated[
        Path | None,
        typer.Option(
            WORKSPACE_OPTION,
            help="Workspace folder (default: ./workspace or $MATCHGATE_WORKSPACE); may also "
            "follow the command.",
        ),
    ] = None,
) -> None:
    """Governed inter-agency identity matching and status verification."""
    set_workspace(workspace)  # the settings of the command are built from it on first use
    ctx.call_on_close(lambda: set_workspace(None))  # also when no command body ran (--help)


@app.command()
def synth(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the files into.")],
    people: Annotated[int, typer.Option(help="People in the master file.")] = 100_000,
    requests: Annotated[int, typer.Option(help="Rows in the request file.")] = 5_000,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same files.")] = 1,
    absent_share: Annotated[
        float, typer.Option(help="Share of requests for people absent from the master.")
    ] = 0.15,
    details: Annotated[
        bool, typer.Option("--details/--no-details", help="Write the detail tables too.")
    ] = True,
) -> None:
    """Generate a synthetic master file, request file and truth file (all data synthetic)."""
    from matchgate.services.master.synth import synthesize

    def work() -> None:
        with RichProgress(console).shown() as progress:
            summary = synthesize(
                people,
                requests,
                seed,
                out_dir,
                details=details,
                absent_share=absent_share,
                progress=progress,
            )
        console.print(
            f"wrote {summary.people:,} people and {summary.requests:,} requests "
            f"to {summary.out} in {summary.seconds:.1f} s"
        )

    run(work)


@app.command()
def match(
    requests: Annotated[Path, typer.Option(help="Request file (CSV, Parquet or JSONL).")],
    output: Annotated[Path, typer.Option(help="Where to write the match output.")],
    output_format: Annotated[
        str,
        typer.Option(
            "--format",
            help="auto: by the output's extension (.csv, .parquet, .jsonl); ssnvs: fixed-width "
            "return records for a fixed-width (SSNVS/EVS) request file.",
        ),
    ] = "auto",
    model: Annotated[
        Path | None,
        typer.Option(help="Model file to score with (default: the shipped, versioned model)."),
    ] = None,
    retrain: Annotated[
        bool, typer.Option(help="Train the model on this master by EM before matching (slow).")
    ] = False,
    master: Annotated[
        Path | None,
        typer.Option(
            help="Master file (CSV or Parquet), indexed for this run only; without it the "
            "loaded master (`matchgate master load`) is probed."
        ),
    ] = None,
    snapshot: Annotated[
        str | None,
        typer.Option(help="Loaded snapshot to probe (default: the current one)."),
    ] = None,
) -> None:
    """Match a request file against the loaded master, or a master file one-shot."""
    from matchgate.services.master.match import match_files

    if master is not None and snapshot is not None:
        raise typer.BadParameter("pass --master or --snapshot, not both", param_hint="--snapshot")
    if output_format == "ssnvs":
        if master is None:
            raise typer.BadParameter(
                "fixed-width returns need --master FILE", param_hint="--master"
            )
        run(lambda: match_ssnvs(master, requests, output))
        return
    if output_format != "auto":
        raise typer.BadParameter("use auto or ssnvs", param_hint="--format")

    def work() -> None:
        current = settings()
        with RichProgress(console).shown() as progress:
            summary = match_files(
                master,
                requests,
                output,
                settings=current,
                progress=progress,
                model=model,
                retrain=retrain,
                snapshot=snapshot,
            )
        counts = ", ".join(f"{k} {v:,}" for k, v in summary.decisions.items())
        console.print(
            f"matched {summary.rows:,} requests in {summary.seconds:.1f} s ({counts}) "
            f"against {summary.master_snapshot} with model {summary.model_version}; "
            f"wrote {summary.output}"
        )

    run(work)


@app.command(name="eval")
def evaluate(
    truth: Annotated[Path, typer.Option(help="Truth file written by `matchgate synth`.")],
    results: Annotated[Path, typer.Option(help="Match output to grade.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Grade a match output: precision, recall, review and false-match rates, by kind and origin."""
    from matchgate.services.master.evaluate import evaluate_files

    def work() -> None:
        evaluation = evaluate_files(truth, results)
        if as_json:
            echo_json(evaluation.to_dict())
        else:
            out.print(evaluation_table(evaluation))

    run(work)


@app.command()
def demo(
    people: Annotated[int, typer.Option(help="People in the synthetic master.")] = 1_000_000,
    requests: Annotated[int, typer.Option(help="Rows in the monthly request file.")] = 50_000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 2025,
    fresh: Annotated[
        bool, typer.Option(help="Regenerate the synthetic data even if the workspace has it.")
    ] = False,
) -> None:
    """Generate a synthetic master and a month's request file, match them, print the accuracy."""
    from matchgate.services.master.demo import run_demo

    def work() -> None:
        app = current_app()
        console.print(
            f"matchgate demo: {people:,} synthetic people, {requests:,} requests, "
            f"workspace {app.settings.workspace}"
        )
        with RichProgress(console).shown() as progress:
            result = run_demo(
                app,
                people=people,
                requests=requests,
                seed=seed,
                fresh=fresh,
                progress=progress,
            )
        out.print(evaluation_table(result.evaluation))
        reused = " (reused from an earlier run)" if result.reused_data else ""
        out.print(f"synthetic master, requests and truth: {result.data_dir}{reused}")
        out.print(f"match output: {result.results}  ({result.match.seconds:.1f} s to match)")
        out.print(f"job records: {app.settings.sqlite_url}")

    run(work)


app.add_typer(master_app)
app.add_typer(db_app)
register_ssnvs_file(app, run)

# The governed exchange, after the everyday commands (help lists commands in this order).
register_submit_commands(app, run)
app.add_typer(agreements_app)
register_package_commands(app, run)
register_audit_commands(app, run)
register_withdrawal_commands(app, run)
register_access_commands(app, run)
register_breach_commands(app, run)
register_retention_commands(app, run)
register_serve_command(app, run)
