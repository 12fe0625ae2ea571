"""``matchgate keys ...``, ``matchgate seal``, ``matchgate open`` and ``matchgate host init``:
thin shells over ``services.disclosure.packages`` and ``services.disclosure.host``.

``register(app, run)`` adds the commands to an app; ``run`` is the shell's error mapper (one line
on stderr, documented exit codes).

Passwords of private key files never go on the command line: ``--password-env NAME`` reads the
environment variable NAME, ``--ask-password`` prompts without echo.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from matchgate.cli.datakeys import register as register_data_keys
from matchgate.cli.shell import AskPassword, PasswordEnv, Runner, current_app, echo, key_password
from matchgate.domain.errors import ConfigurationError


def _register_keys(app: typer.Typer, run: Runner) -> None:
    keys = typer.Typer(
        help="Make, identify and pin the P-256 key pairs that seal and open packages; manage the "
        "data key ring that encrypts identifiers and files at rest.",
        no_args_is_help=True,
    )

    @keys.command("generate")
    def generate(
        out_dir: Annotated[Path, typer.Option("--out", help="Folder for NAME.key and NAME.pub.")],
        name: Annotated[str, typer.Option(help="Base name of the two key files.")],
        password_env: PasswordEnv = None,
        ask_password: AskPassword = False,
    ) -> None:
        """Make a key pair: NAME.key (private, PKCS#8 PEM, owner-only) and NAME.pub (public).

        Send NAME.pub to the other agency; confirm the key id with them by another channel.
        """
        from matchgate.services.disclosure.packages import make_keys

        def work() -> None:
            password = key_password(password_env, ask_password, confirm=True)
            made = make_keys(out_dir, name, password)
            protection = "password-protected" if made.protected else "NOT password-protected"
            echo(f"private key: {made.private_key} ({protection}; keep it secret)")
            echo(f"public key:  {made.public_key}")
            echo(f"key id:      {made.key_id}")

        run(work)

    @keys.command("id")
    def show_id(
        paths: Annotated[list[Path], typer.Argument(help="Public (.pub) or private key files.")],
        password_env: PasswordEnv = None,
        ask_password: AskPassword = False,
    ) -> None:
        """Print the key id of each key file (to confirm a key with the other agency)."""
        from matchgate.services.disclosure.packages import describe_key

        def work() -> None:
            password = key_password(password_env, ask_password)
            for path in paths:
                echo(f"{describe_key(path, password)}  {path}")

        run(work)

    @keys.command("trust")
    def trust(
        ring: Annotated[Path, typer.Argument(help="Key ring file (created if missing).")],
        public_key: Annotated[Path, typer.Argument(help="The sender's public key (.pub).")],
        label: Annotated[str, typer.Option(help="Whose key, for what, e.g. 'SSA signing 2025'.")],
    ) -> None:
        """Pin a sender's public key in a key ring, after confirming its key id out of band."""
        from matchgate.services.disclosure.packages import pin_sender_key

        def work() -> None:
            kid = pin_sender_key(ring, public_key, label)
            echo(f"pinned key {kid} in {ring}")

        run(work)

    register_data_keys(keys, run)
    app.add_typer(keys, name="keys")


def _register_seal(app: typer.Typer, run: Runner) -> None:
    @app.command("seal")
    def seal_command(
        files: Annotated[list[Path], typer.Argument(help="Files to put in the package.")],
        to: Annotated[Path, typer.Option("--to", help="Recipient's public key (.pub).")],
        key: Annotated[Path, typer.Option("--key", help="Sender's private key (.key).")],
        out: Annotated[Path, typer.Option("--out", help="Package file to write.")],
        job_id: Annotated[str, typer.Option(help="Job that produced the files.")],
        agreement_id: Annotated[str, typer.Option(help="Agreement of the disclosure.")],
        agreement_version: Annotated[str, typer.Option(help="Version of the agreement.")] = "1",
        master_snapshot_id: Annotated[str, typer.Option(help="Master snapshot.")] = "unspecified",
        model_version: Annotated[str, typer.Option(help="Match model version.")] = "unspecified",
        policy_version: Annotated[str, typer.Option(help="Disclosure policy.")] = "unspecified",
        count: Annotated[
            list[str] | None,
            typer.Option(help="Rows by decision, DECISION=N (repeat), e.g. match=120."),
        ] = None,
        marking: Annotated[str, typer.Option(help="Protective marking.")] = "CUI//SP-PRVCY",
        password_env: PasswordEnv = None,
        ask_password: AskPassword = False,
    ) -> None:
        """Encrypt files to a recipient and sign them into one package (for tests and demos)."""
        from matchgate.disclosure import ManifestInfo
        from matchgate.services.disclosure.packages import seal_files

        def work() -> None:
            counts: dict[str, int] = {}
            for item in count or []:
                decision, _, number = item.partition("=")
                if not number.isdigit():
                    raise ConfigurationError(f"--count {item!r} is not DECISION=N")
                counts[decision] = int(number)
            try:
                info = ManifestInfo(
                    job_id=job_id,
                    agreement_id=agreement_id,
                    agreement_version=agreement_version,
                    master_snapshot_id=master_snapshot_id,
                    model_version=model_version,
                    policy_version=policy_version,
                    counts=counts,
                )
            except ValueError as exc:  # pydantic.ValidationError
                raise ConfigurationError(
                    f"manifest options are not valid ({type(exc).__name__}): ids are 1 to 200 "
                    "printable ASCII characters; decisions are lowercase words"
                ) from None
            summary = seal_files(
                files,
                out,
                info=info,
                sender_key=key,
                recipient_public_key=to,
                marking=marking,
                password=key_password(password_env, ask_password),
            )
            manifest = summary.manifest
            echo(
                f"sealed {len(manifest.files)} file(s), {manifest.payload_size:,} bytes, into "
                f"{summary.package} ({summary.size:,} bytes) in {summary.seconds:.2f} s"
            )
            echo(f"marking:   {manifest.marking}")
            echo(f"package:   {manifest.package_id}")
            echo(f"recipient: {manifest.recipient_key_id}")
            echo(f"sender:    {manifest.sender_key_id}")

        run(work)


def _register_open(app: typer.Typer, run: Runner) -> None:
    @app.command("open")
    def open_command(
        package: Annotated[Path, typer.Argument(help="Package file to open.")],
        key: Annotated[Path, typer.Option("--key", help="Your private key (.key).")],
        trust: Annotated[
            list[Path] | None,
            typer.Option(
                "--trust",
                help="Pinned sender public key (.pub) or key ring file; repeat for several.",
            ),
        ] = None,
        out: Annotated[
            Path | None,
            typer.Option("--out", help="Folder for the files; without it nothing is written."),
        ] = None,
        password_env: PasswordEnv = None,
        ask_password: AskPassword = False,
    ) -> None:
        """Verify a package's signature, decrypt it, print its manifest and write its files.

        Tampering, a wrong key or an unpinned sender: one line on stderr, exit 3, nothing written.
        """
        from matchgate.services.disclosure.packages import open_package_file

        def work() -> None:
            password = key_password(password_env, ask_password)
            summary = open_package_file(package, key, trust or [], out, password=password)
            header, manifest = summary.header, summary.manifest
            banner = f"*** {header.marking} ***"
            echo(banner)
            echo(f"package:   {header.package_id}, sealed {header.created_at}")
            echo(f"sender:    {header.sender_key_id} ({summary.sender.label}), signature verified")
            echo(f"recipient: {header.recipient_key_id}")
            echo(f"job:       {manifest.job_id}")
            echo(f"agreement: {manifest.agreement_id} version {manifest.agreement_version}")
            echo(f"master:    {manifest.master_snapshot_id}")
            echo(f"model:     {manifest.model_version}; policy {manifest.policy_version}")
            counts = ", ".join(f"{k} {v:,}" for k, v in manifest.counts.items()) or "none"
            echo(f"counts:    {counts}")
            for entry in manifest.files:
                echo(f"file:      {entry.name}  {entry.size:,} bytes  sha256 {entry.sha256}")
            if summary.out_dir is None:
                echo("verified and decrypted; nothing written (give --out DIR for the files)")
            else:
                echo(
                    f"wrote {len(summary.paths)} file(s) and {summary.manifest_path} "
                    f"in {summary.seconds:.2f} s"
                )
            echo(banner)

        run(work)


def _register_host(app: typer.Typer, run: Runner) -> None:
    host = typer.Typer(help="The host's own configuration: its signing key.", no_args_is_help=True)

    @host.command("init")
    def init(password_env: PasswordEnv = None, ask_password: AskPassword = False) -> None:
        """Make the host's signing key, once: WORKSPACE/host/signing.key (owner-only) and
        signing.pub. Every package the host seals is signed with it. Give signing.pub and its
        key id to each partner agency; with a password, set MATCHGATE_HOST_KEY_PASSWORD in the
        host's service environment."""
        from matchgate.services.disclosure.host import init_host_key

        def work() -> None:
            password = key_password(password_env, ask_password, confirm=True)
            made = init_host_key(current_app(), password)
            protection = "password-protected" if made.protected else "NOT password-protected"
            echo(f"host signing key: {made.private_key} ({protection}; keep it secret)")
            echo(f"public key:       {made.public_key} (give it to each partner agency)")
            echo(f"key id:           {made.key_id} (confirm it with them by another channel)")

        run(work)

    app.add_typer(host, name="host")


def register(app: typer.Typer, run: Runner) -> None:
    """Add ``keys generate|id|trust``, ``seal``, ``open`` and ``host init`` to ``app``."""
    _register_host(app, run)
    _register_keys(app, run)
    _register_seal(app, run)
    _register_open(app, run)
