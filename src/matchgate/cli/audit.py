"""``matchgate audit ...``: thin shells over ``app.audit``.

``register(app, run)`` adds the ``audit`` sub-app; ``run`` is the shell's error mapper. An SSN is
never taken on the command line (it would sit in shell history and process lists): the
accounting and withdraw commands read it from an environment variable (``--ssn-env NAME``), a
prompt without echo (``--ask-ssn``) or standard input (``--ssn-stdin``).

Exit codes beyond the shell's: 5 when ``verify``, ``check-proof`` or ``witness fetch`` finds
the log, a proof or a witness file does not hold.

``show``, ``tail``, ``prove``, ``accounting`` and ``withdraw`` act for a user (a token, see
docs/access.md) and show only what that user's agency and roles may see. ``init``,
``checkpoint``, ``verify``, ``consistency``, ``check-proof`` and ``witness fetch`` stay operator
commands: they need the store and the keys themselves (or, for ``check-proof`` and ``witness
fetch``, what a partner holds: a public key and files) and print hashes, sizes and sequence
numbers, no entry's content. ``witness fetch`` without ``--from`` fetches the files from the
host's API (``MATCHGATE_HOST_URL``, the requester's token) and checks them here all the same.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from matchgate.cli.shell import (
    AsJson,
    Runner,
    audit_config,
    audit_log,
    caller,
    current_app,
    echo,
    echo_json,
    env_secret,
)
from matchgate.domain.errors import ConfigurationError, InputError

if TYPE_CHECKING:
    from matchgate.services.oversight.audit_queries import EntryView

EXIT_VERIFY_FAILED = 5

SsnEnv = Annotated[
    str | None,
    typer.Option("--ssn-env", metavar="NAME", help="Read the SSN from environment variable NAME."),
]
AskSsn = Annotated[bool, typer.Option("--ask-ssn", help="Prompt for the SSN (not echoed).")]
Out = Annotated[Path | None, typer.Option("--out", help="Write the proof to this new file.")]
SsnStdin = Annotated[bool, typer.Option("--ssn-stdin", help="Read the SSN from standard input.")]


def _ssn(env: str | None, ask: bool, stdin: bool) -> str:
    if sum([env is not None, ask, stdin]) != 1:
        raise ConfigurationError("give exactly one of --ssn-env NAME, --ask-ssn, --ssn-stdin")
    if env is not None:
        return env_secret(env)
    if ask:
        text: str = typer.prompt("SSN", hide_input=True, err=True)
        return text
    return sys.stdin.readline().strip()


def _write_or_print(value: dict[str, Any], out: Path | None) -> None:
    text = json.dumps(value, indent=2, sort_keys=True) + "\n"
    if out is None:
        typer.echo(text, nl=False)
        return
    try:
        with out.open("x", encoding="ascii") as handle:
            handle.write(text)
    except FileExistsError:
        raise InputError("already exists; not replacing it", path=str(out)) from None
    echo(f"wrote {out}")


def _register_setup(audit: typer.Typer, run: Runner) -> None:
    @audit.command("init")
    def init() -> None:
        """Make the audit log's keys, tables, log and first checkpoint where missing."""
        from matchgate.app.audit import init_audit

        def work() -> None:
            made = init_audit(audit_config())
            config = made.config

            def state(created: bool) -> str:
                return "created" if created else "kept"

            echo(f"audit log:       {made.log_id} ({state(made.created_log)})")
            echo(
                f"subject key:     {config.subject_key_file} id {made.subject_key_id} "
                f"({state(made.created_subject_key)}; keep it secret, outside the audit store)"
            )
            echo(
                f"signing key:     {config.signing_key_file} id {made.signing_key_id} "
                f"({state(made.created_signing_key)})"
            )
            echo(f"public key:      {config.signing_public_key_file} (give it to partners)")
            echo(f"checkpoints:     {config.checkpoint_file}")

        run(work)

    @audit.command("checkpoint")
    def checkpoint() -> None:
        """Sign the log's current size and root now; print the checkpoint (one JSON line)."""

        def work() -> None:
            log = audit_log()
            made = log.checkpoint()
            echo(made.to_line())
            typer.echo(
                f"checkpoint of {made.size} entries appended to {log.config.checkpoint_file}",
                err=True,
            )

        run(work)


def _register_verify(audit: typer.Typer, run: Runner) -> None:
    @audit.command("verify")
    def verify(
        checkpoint: Annotated[
            list[Path] | None,
            typer.Option(
                "--checkpoint",
                help="Trusted checkpoint file (JSONL), e.g. a partner's copy; repeat for more. "
                "Default: the log's checkpoint file.",
            ),
        ] = None,
        trust: Annotated[
            list[Path] | None,
            typer.Option("--trust", help="Public key (.pub) trusted to sign checkpoints."),
        ] = None,
        witness: Annotated[
            list[Path] | None,
            typer.Option(
                "--witness",
                help="Folder of witness files (the witness folder, one agency's, or an agency's "
                "fetched copy): the log must match every checkpoint in it; repeat for more.",
            ),
        ] = None,
        as_json: AsJson = False,
    ) -> None:
        """Recompute every entry, the chain and the Merkle tree against trusted checkpoints.

        Exit 0 when everything holds; exit 5 with the first bad entry when anything does not.
        """
        from matchgate.services.oversight.audit_queries import verify_audit

        def work() -> bool:
            report = verify_audit(
                audit_config(),
                checkpoint_files=checkpoint or [],
                trust=trust or [],
                witness_dirs=witness or [],
            )
            if as_json:
                echo_json(
                    {
                        "ok": report.ok,
                        "log": report.log_id,
                        "size": report.size,
                        "checkpoints": report.checkpoints,
                        "covered": report.covered,
                        "uncovered": report.uncovered,
                        "first_bad": report.first_bad,
                        "findings": [
                            {
                                "code": f.code,
                                "sequence": f.sequence,
                                "last": f.last,
                                "message": f.message,
                            }
                            for f in report.findings
                        ],
                    },
                    sort_keys=True,
                )
            elif report.ok:
                echo(
                    f"verified: log {report.log_id}, {report.size} entries, "
                    f"{report.checkpoints} signed checkpoints; {report.covered} entries covered, "
                    f"{report.uncovered} after the newest checkpoint"
                )
            else:
                first = report.first_bad
                where = "" if first is None else f"; first bad entry: {first}"
                echo(f"FAILED: log {report.log_id}, {report.size} entries{where}")
                for f in report.findings:
                    echo(f"  [{f.code}] {f.message}")
                if report.truncated_findings:
                    echo("  (more findings not shown)")
            return report.ok

        if not run(work):
            raise typer.Exit(EXIT_VERIFY_FAILED)


def _register_read(audit: typer.Typer, run: Runner) -> None:
    def print_entries(views: list[EntryView], as_json: bool) -> None:
        if as_json:
            echo_json([view.__dict__ for view in views], sort_keys=True)
            return
        for v in views:
            where = " ".join(
                part
                for part in (
                    f"agency={v.agency}" if v.agency else "",
                    f"agreement={v.agreement}" if v.agreement else "",
                    f"subjects={v.subjects}" if v.subjects else "",
                )
                if part
            )
            details = json.dumps(v.details, sort_keys=True)
            echo(f"{v.sequence:>8}  {v.recorded_at}  {v.kind:<22} {v.actor}  {where}  {details}")

    @audit.command("show")
    def show(
        sequence: Annotated[int, typer.Argument(help="First entry to show.")],
        count: Annotated[int, typer.Option(help="How many entries.")] = 1,
        as_json: AsJson = False,
    ) -> None:
        """Show entries (identifiers, counts and hashes; people only as a count)."""
        from matchgate.services.oversight.audit_access import show_entries_for

        run(
            lambda: print_entries(
                show_entries_for(current_app(), sequence, count, caller=caller()),
                as_json,
            )
        )

    @audit.command("tail")
    def tail(
        count: Annotated[int, typer.Option("-n", "--count", help="How many entries.")] = 20,
        as_json: AsJson = False,
    ) -> None:
        """Show the last entries."""
        from matchgate.services.oversight.audit_access import tail_entries_for

        run(lambda: print_entries(tail_entries_for(current_app(), count, caller=caller()), as_json))


def _register_proofs(audit: typer.Typer, run: Runner) -> None:
    @audit.command("prove")
    def prove(
        sequence: Annotated[int, typer.Argument(help="Entry to prove.")],
        size: Annotated[
            int | None, typer.Option(help="Checkpointed tree size to prove against.")
        ] = None,
        out: Out = None,
    ) -> None:
        """An inclusion proof of one entry in a signed checkpoint (JSON, for a partner)."""
        from matchgate.services.oversight.audit_access import prove_for

        def work() -> None:
            proof = prove_for(current_app(), sequence, caller=caller(), size=size)
            _write_or_print(proof.to_json(), out)

        run(work)

    @audit.command("consistency")
    def consistency(
        old: Annotated[int, typer.Argument(help="Older checkpointed size.")],
        new: Annotated[int, typer.Argument(help="Newer checkpointed size.")],
        out: Out = None,
    ) -> None:
        """A consistency proof: the log at NEW extends the log at OLD (JSON, for a partner)."""
        from matchgate.services.oversight.audit_queries import prove_consistency

        run(lambda: _write_or_print(prove_consistency(audit_config(), old, new).to_json(), out))

    @audit.command("check-proof")
    def check_proof(
        proof: Annotated[Path, typer.Argument(help="Proof file (from prove or consistency).")],
        trust: Annotated[
            list[Path], typer.Option("--trust", help="Public key (.pub) of the log's signer.")
        ],
        log: Annotated[str | None, typer.Option(help="Log id the proof must be of.")] = None,
        kept: Annotated[
            Path | None,
            typer.Option(
                "--kept",
                help="Your folder of fetched witness copies: the proof's checkpoints must be "
                "among them.",
            ),
        ] = None,
    ) -> None:
        """Check a proof with only the signer's public key: what a partner agency runs."""
        from matchgate.app.audit import trusted_keys
        from matchgate.audit import (
            InclusionProof,
            check_consistency,
            check_inclusion,
            not_kept,
            parse_proof,
        )

        def work() -> bool:
            try:
                document = parse_proof(json.loads(proof.read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError, ValueError) as exc:
                raise InputError(
                    f"not a readable proof ({type(exc).__name__})", path=str(proof)
                ) from None
            keys = trusted_keys(trust)
            if isinstance(document, InclusionProof):
                problems = check_inclusion(document, keys, log)
                what = f"entry {document.sequence} is in the log at size {document.checkpoint.size}"
            else:
                problems = check_consistency(document, keys)
                if log is not None and document.new.log_id != log:
                    problems.append("the checkpoints are of another log")
                what = f"the log at size {document.new.size} extends it at {document.old.size}"
            if kept is not None:
                shown = (
                    [document.checkpoint]
                    if isinstance(document, InclusionProof)
                    else [document.old, document.new]
                )
                problems.extend(
                    f"the checkpoint of size {cp.size} is not among the kept copies"
                    for cp in not_kept(shown, kept)
                )
            if problems:
                echo("FAILED: " + "; ".join(problems))
                return False
            echo(f"verified: {what}")
            return True

        if not run(work):
            raise typer.Exit(EXIT_VERIFY_FAILED)


def _register_accounting(audit: typer.Typer, run: Runner) -> None:
    @audit.command("accounting")
    def accounting(
        ssn_env: SsnEnv = None,
        ask_ssn: AskSsn = False,
        ssn_stdin: SsnStdin = False,
        for_person: Annotated[
            bool,
            typer.Option(
                "--for-person", help="The person's copy: disclosures exempt from it left out."
            ),
        ] = False,
        as_json: AsJson = False,
    ) -> None:
        """The accounting of disclosures of one person's record (5 U.S.C. 552a(c))."""
        from matchgate.app.audit import utcnow
        from matchgate.audit import format_time, render_text
        from matchgate.services.oversight.audit_access import accounting_for_caller

        def work() -> None:
            who = caller()
            result = accounting_for_caller(
                current_app(), _ssn(ssn_env, ask_ssn, ssn_stdin), caller=who
            )
            if for_person:
                result = result.for_person()
            generated = format_time(utcnow())
            if as_json:
                echo_json(result.to_json(generated_at=generated), sort_keys=True)
                return
            title = "Accounting of disclosures of your record (5 U.S.C. 552a(c))"
            if not for_person:
                title = "Accounting of disclosures (agency copy, exempt lines included)"
            typer.echo(render_text(result, generated_at=generated, title=title), nl=False)

        run(work)

    @audit.command("withdraw")
    def withdraw(
        reason: Annotated[
            str, typer.Option(help="wrong_match, record_corrected or dispute_noted.")
        ],
        package: Annotated[
            str | None, typer.Option(help="Package whose disclosure was a wrong match.")
        ] = None,
        ssn_env: SsnEnv = None,
        ask_ssn: AskSsn = False,
        ssn_stdin: SsnStdin = False,
    ) -> None:
        """Record that a disclosed record proved wrong; make a notice for each earlier
        recipient of the record (5 U.S.C. 552a(c)(4))."""
        from matchgate.services.oversight.audit_access import withdraw_for_caller

        def work() -> None:
            who = caller()
            done = withdraw_for_caller(
                current_app(),
                _ssn(ssn_env, ask_ssn, ssn_stdin),
                reason,
                caller=who,
                package_id=package,
            )
            withdrawn = ", ".join(str(s) for s in done.withdraws) or "none"
            echo(f"correction recorded as entry {done.sequence}; withdraws entries {withdrawn}")
            for notice in done.notices:
                echo(
                    f"notice {notice.id} made for {notice.recipient} (audit entry "
                    f"{notice.created_entry}); its users read it with `matchgate withdrawals list`"
                )
            if not done.notify:
                echo("no earlier recipient of the record to notify")

        run(work)


def _register_witness(audit: typer.Typer, run: Runner) -> None:
    witness = typer.Typer(
        help="Witnessed checkpoints: what a recipient agency fetches and keeps.",
        no_args_is_help=True,
    )

    @witness.command("fetch")
    def fetch(
        into: Annotated[Path, typer.Option("--into", help="Your own folder of kept copies.")],
        trust: Annotated[
            list[Path], typer.Option("--trust", help="Public key (.pub) of the log's signer.")
        ],
        source: Annotated[
            Path | None,
            typer.Option(
                "--from",
                help="The host's witness folder for your agency; without it, the host's API "
                "(MATCHGATE_HOST_URL).",
            ),
        ] = None,
    ) -> None:
        """Copy new witness files, each checked here: signature, and consistency with the
        newest checkpoint kept. Exit 5 when a file does not hold (nothing after it is copied)."""
        from matchgate.app.audit import trusted_keys
        from matchgate.audit import fetch_witness
        from matchgate.cli import remote

        def work() -> bool:
            keys = trusted_keys(trust)
            if source is None:
                if not remote.enabled():
                    raise InputError("give --from FOLDER, or set MATCHGATE_HOST_URL")
                report = remote.fetch_witness(into, keys)
            elif not source.is_dir():
                raise InputError("no such witness folder", path=str(source))
            else:
                report = fetch_witness(source, into, keys)
            newest = report.newest
            echo(f"fetched {len(report.fetched)} checkpoints; keeping {report.kept}")
            if newest is not None:
                echo(f"newest: log {newest.log_id}, {newest.size} entries, root {newest.root}")
            for problem in report.problems:
                echo(f"FAILED: {problem}")
            return report.ok

        if not run(work):
            raise typer.Exit(EXIT_VERIFY_FAILED)

    audit.add_typer(witness, name="witness")


def register(app: typer.Typer, run: Runner) -> None:
    """Add ``audit init|checkpoint|verify|show|tail|prove|consistency|check-proof|accounting|
    withdraw|witness fetch`` to ``app``."""
    audit = typer.Typer(
        help="The tamper-evident audit log and the accounting of disclosures.",
        no_args_is_help=True,
    )
    _register_setup(audit, run)
    _register_verify(audit, run)
    _register_read(audit, run)
    _register_proofs(audit, run)
    _register_accounting(audit, run)
    _register_witness(audit, run)
    app.add_typer(audit, name="audit")
