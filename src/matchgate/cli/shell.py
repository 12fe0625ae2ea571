"""What every command shares: the consoles, the settings, the caller, the audit log, the small
printing helpers, and the error-to-exit-code wrapper. Each of them is defined here once; the
command modules import them (``tests/cli/test_cli_shell.py`` fails when a helper is defined twice).

Exit codes: 0 success; 2 usage error (bad option); 3 unusable input file; 4 unusable setting or
workspace; 5 a verification failed and 6 a retention run left deletions to retry (set by those
commands); 7 access denied (no valid token, or the caller's roles do not allow it); 70 internal
error; 141 standard output was closed early (``matchgate ... | head``): the command stops quietly,
as a tool killed by SIGPIPE does. Errors print one line on stderr naming the file, row and field,
never a personal value; set ``MATCHGATE_DEBUG=1`` to see the traceback of an internal error.

Settings are read from the environment once per command: :func:`settings` builds them on first use
inside :func:`run` (with the global ``--workspace`` option, which the app's callback hands over
with :func:`set_workspace`) and gives the same object to every later call until the command ends.
They are built on first use rather than eagerly in the callback so that a malformed
``MATCHGATE_*`` variable still fails only the commands that use settings, with the usual one-line
error and exit 4, and so that the command modules work the same when registered on another app
(the tests do). Nothing below the shell reads the environment for settings: a use case takes the
command's :class:`~matchgate.app.core.App` (:func:`current_app`).
"""

from __future__ import annotations

import errno
import json
import os
import select
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Protocol, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from matchgate.domain.errors import ConfigurationError, ErrorCategory, MatchgateError
from matchgate.settings import Settings

if TYPE_CHECKING:
    from matchgate.access import Principal
    from matchgate.api import ApiConfig
    from matchgate.app.audit import AuditConfig, AuditLog
    from matchgate.app.core import App

EXIT_INPUT = 3
EXIT_CONFIG = 4
EXIT_ACCESS = 7
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: what a shell reports for a tool stopped by a closed pipe
EXIT_INTERRUPTED = 130
EXIT_INTERNAL = 70
EXIT_REJECTED = 3
"""``submit``: the file was rejected (locally or by the remote host)."""
EXIT_HELD = 5
"""``submit``: the file is held for consultation (over the agreement's volume cap)."""
EXIT_CODES = {
    ErrorCategory.INPUT: EXIT_INPUT,
    ErrorCategory.CONFIGURATION: EXIT_CONFIG,
    ErrorCategory.ACCESS: EXIT_ACCESS,
}
"""The exit code of each error category (domain/errors.py draws which error is in which)."""


class _Console(Console):
    """A Rich console that leaves a closed pipe to :func:`run` (Rich alone would exit with 1)."""

    def on_broken_pipe(self) -> None:
        raise BrokenPipeError(errno.EPIPE, "the reader of the output has gone")


console = _Console(stderr=True)
# Tables are wide; when stdout is a file or pipe, do not squeeze them into 80 columns.
out = _Console() if sys.stdout.isatty() else _Console(width=160)

T = TypeVar("T")


class Runner(Protocol):
    """The error-to-exit-code wrapper (:func:`run`) as the ``register(app, run)`` functions take
    it: runs a command body and returns what it returned."""

    def __call__(self, work: Callable[[], T], /) -> T: ...


AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]

PasswordEnv = Annotated[
    str | None,
    typer.Option(
        "--password-env",
        metavar="NAME",
        help="Read the key file's password from environment variable NAME.",
    ),
]
AskPassword = Annotated[
    bool, typer.Option("--ask-password", help="Prompt for the key file's password.")
]


# --- settings, caller, audit log: one per command ---------------------------------------------


@dataclass
class _Command:
    """What the command now running has been given or has built (reset when it ends)."""

    workspace: Path | None = None
    running: bool = False
    settings: Settings | None = None
    app: App | None = None


_command = _Command()


def set_workspace(workspace: Path | None) -> None:
    """Remember the global ``--workspace`` option for the command about to run (the app's
    callback); settings built before it are dropped."""
    _command.workspace = workspace
    _command.settings = None
    _command.app = None


def settings() -> Settings:
    """The command's settings: the environment, with the ``--workspace`` option (if given) on
    top; read once per command (the same object until :func:`run` ends)."""
    if _command.settings is not None:
        return _command.settings
    built = Settings.from_env(workspace=_command.workspace)
    if _command.running:  # outside a command (a test calling it) nothing is kept
        _command.settings = built
    return built


def current_app() -> App:
    """The command's :class:`~matchgate.app.core.App`, built on first use from its settings and
    kept until :func:`run` ends (its audit log is opened once, on first use)."""
    if _command.app is not None:
        return _command.app
    from matchgate.app.core import App

    built = App(settings())
    if _command.running:
        _command.app = built
    return built


def caller() -> Principal:
    """Who runs this command: the token in ``MATCHGATE_TOKEN`` (or ``MATCHGATE_TOKEN_FILE``),
    checked against the store now (exit 7 when it is missing, unknown, expired or revoked)."""
    from matchgate.app.access import authenticate

    current = current_app()
    return authenticate(current, current.settings.caller_token())


def audit_config() -> AuditConfig:
    """Where the audit log and its keys are, from the command's settings."""
    return current_app().audit_config


def audit_log() -> AuditLog:
    """The audit log the command appends to; refuses (exit 4) when none is set up."""
    return current_app().audit_log()


def api_limits() -> ApiConfig:
    """The HTTP API's limits from ``MATCHGATE_API_*`` (exit 4 when one is malformed)."""
    from matchgate.api import ApiConfig

    return ApiConfig.from_env()


def export_workspace() -> None:
    """Hand the command's workspace (``--workspace`` or the environment's) to child processes,
    which read their settings from the environment (``matchgate serve``'s workers)."""
    os.environ["MATCHGATE_WORKSPACE"] = str(settings().workspace)


# --- what commands print and read -----------------------------------------------------------


def echo(line: str = "") -> None:
    """One line on standard output."""
    typer.echo(line)


def echo_json(
    value: Any, *, sort_keys: bool = False, default: Callable[[Any], Any] | None = None
) -> None:
    """``value`` as indented JSON on standard output."""
    typer.echo(json.dumps(value, indent=2, sort_keys=sort_keys, default=default))


def say(text: str, *, soft_wrap: bool = True) -> None:
    """One message on standard error, printed as is (no markup, no highlighting); a long one is
    folded at the console's width only with ``soft_wrap=False``."""
    console.print(text, markup=False, highlight=False, soft_wrap=soft_wrap)


def host_url() -> str | None:
    """The remote host's API (``MATCHGATE_HOST_URL``), if the requester's commands go there."""
    from matchgate.client.client import HOST_URL_ENV

    return os.environ.get(HOST_URL_ENV) or None


def env_secret(name: str) -> str:
    """The value of the environment variable a user named for a secret (never a setting)."""
    value = os.environ.get(name)
    if not value:
        raise ConfigurationError(f"environment variable {name} is not set or is empty")
    return value


def key_password(env: str | None, ask: bool, *, confirm: bool = False) -> bytes | None:
    """A key file's password from ``--password-env NAME`` or ``--ask-password``, if either."""
    if env is not None and ask:
        raise ConfigurationError("give --password-env or --ask-password, not both")
    if env is not None:
        return env_secret(env).encode("utf-8")
    if ask:
        text: str = typer.prompt(
            "key password", hide_input=True, confirmation_prompt=confirm, err=True
        )
        return text.encode("utf-8")
    return None


# --- errors and exit codes ------------------------------------------------------------------


def _error(exc: Exception, code: int) -> typer.Exit:
    console.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def _stdout_closed() -> bool:
    """Whether standard output is a pipe (or terminal) whose reader has gone, so that a
    ``BrokenPipeError`` came from it and not from a socket or another pipe."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        return True
    except (OSError, ValueError):
        pass
    try:
        fd = sys.stdout.fileno()
        poller = select.poll()
    except (AttributeError, OSError, ValueError):  # no descriptor (captured), or no poll()
        return False
    poller.register(fd, select.POLLOUT)
    return any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0))


def _quiet_broken_pipe() -> typer.Exit:
    """Stop quietly after the reader of standard output has gone. What is still buffered goes to
    /dev/null, so that Python's own flush at exit does not fail again (the note on SIGPIPE in
    Python's ``signal`` documentation)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no descriptor to redirect: nothing will flush to it either
        pass
    return typer.Exit(EXIT_BROKEN_PIPE)


def run(work: Callable[[], T]) -> T:
    """Run a command body; turn errors into one line on stderr and a documented exit code."""
    _command.running = True
    try:
        return work()
    except MatchgateError as exc:
        raise _error(exc, EXIT_CODES[exc.category]) from None
    except KeyboardInterrupt:
        console.print("interrupted; no partial output was kept")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except Exception as exc:
        if isinstance(exc, BrokenPipeError) and _stdout_closed():
            raise _quiet_broken_pipe() from None
        if os.environ.get("MATCHGATE_DEBUG"):
            raise
        # The message of an unexpected exception may quote data; print only its type.
        console.print(
            f"[red]internal error:[/red] {type(exc).__name__} "
            "(set MATCHGATE_DEBUG=1 to see the traceback)"
        )
        raise typer.Exit(EXIT_INTERNAL) from None
    finally:
        set_workspace(None)
        _command.running = False
