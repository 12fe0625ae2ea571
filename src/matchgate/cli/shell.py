"""What every command shares: the consoles, the settings, and the error-to-exit-code wrapper.

Exit codes: 0 success; 2 usage error (bad option); 3 unusable input file; 4 unusable setting or
workspace; 5 a verification failed and 6 a retention run left deletions to retry (set by those
commands); 7 access denied (no valid token, or the caller's roles do not allow it); 70 internal
error. Errors print one line on stderr naming the file, row and field,
never a personal value; set ``MATCHGATE_DEBUG=1`` to see the traceback of an internal error.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from matchgate.domain.errors import ErrorCategory, MatchgateError
from matchgate.settings import Settings

if TYPE_CHECKING:
    from matchgate.access import Principal

EXIT_INPUT = 3
EXIT_CONFIG = 4
EXIT_ACCESS = 7
EXIT_INTERRUPTED = 130
EXIT_INTERNAL = 70
EXIT_CODES = {
    ErrorCategory.INPUT: EXIT_INPUT,
    ErrorCategory.CONFIGURATION: EXIT_CONFIG,
    ErrorCategory.ACCESS: EXIT_ACCESS,
}
"""The exit code of each error category (domain/errors.py draws which error is in which)."""

console = Console(stderr=True)
# Tables are wide; when stdout is a file or pipe, do not squeeze them into 80 columns.
out = Console() if sys.stdout.isatty() else Console(width=160)

T = TypeVar("T")

# The global --workspace option, set by the app's callback and cleared when the command's body
# (always run through :func:`run`) ends, so nothing carries over to the next command in-process.
_workspace: list[Path | None] = [None]


def set_workspace(workspace: Path | None) -> None:
    """Remember the global ``--workspace`` option for the command about to run."""
    _workspace[0] = workspace


def settings() -> Settings:
    """Settings from the environment, with the ``--workspace`` option (if given) on top."""
    return Settings.from_env(workspace=_workspace[0])


def caller() -> Principal:
    """Who runs this command: the token in ``MATCHGATE_TOKEN`` (or ``MATCHGATE_TOKEN_FILE``),
    checked against the store now (exit 7 when it is missing, unknown, expired or revoked)."""
    from matchgate.services.access import authenticate

    current = settings()
    return authenticate(current, current.caller_token())


def _error(exc: Exception, code: int) -> typer.Exit:
    console.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def run(work: Callable[[], T]) -> T:
    """Run a command body; turn errors into one line on stderr and a documented exit code."""
    try:
        return work()
    except MatchgateError as exc:
        raise _error(exc, EXIT_CODES[exc.category]) from None
    except KeyboardInterrupt:
        console.print("interrupted; no partial output was kept")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except Exception as exc:
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
