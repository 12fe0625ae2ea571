"""The exception hierarchy, drawn once.

::

    MatchgateError                 anything matchgate raises on purpose
    ├── InputError                 a file the user gave cannot be used (names file, row, field)
    ├── ConfigurationError         a setting or workspace is unusable
    └── AccessDenied               no valid token, or the caller's roles do not allow the action

Messages name files, rows, columns and codes, never personal values: they end up in logs and
terminals that are not cleared to hold them.
"""

from __future__ import annotations


class MatchgateError(Exception):
    """Base of every error matchgate raises deliberately."""


class InputError(MatchgateError):
    """A user-supplied file is unusable; the message says where, never what the value was."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        row: int | None = None,
        field: str | None = None,
        code: str | None = None,
    ) -> None:
        self.path = path
        self.row = row
        self.field = field
        self.code = code
        where = []
        if path is not None:
            where.append(path)
        if row is not None:
            where.append(f"row {row}")
        if field is not None:
            where.append(f"field {field!r}")
        prefix = ": ".join([", ".join(where)]) + ": " if where else ""
        suffix = f" [{code}]" if code else ""
        super().__init__(f"{prefix}{message}{suffix}")


class ConfigurationError(MatchgateError):
    """A setting, workspace or environment is unusable."""


class AccessDenied(MatchgateError):
    """The caller is not authenticated, or may not do this (CLI exit 7).

    An object of another agency is never the subject of this error: the services report it
    exactly as an object that does not exist, so a denial reveals nothing about it.
    """

    code = "E_ACCESS_DENIED"

    def __init__(self, message: str) -> None:
        super().__init__(f"{message} [{self.code}]")
