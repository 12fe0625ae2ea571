"""How long-running work reports progress without knowing about any terminal.

Services and stages take a :class:`Progress` callable; the CLI passes one that draws Rich progress
bars, tests pass :data:`NO_PROGRESS` or a recorder.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Report ``done`` of ``total`` units of ``stage`` complete (``total`` None if unknown)."""

    def __call__(self, stage: str, done: int, total: int | None) -> None: ...


def _silent(stage: str, done: int, total: int | None) -> None:
    return None


NO_PROGRESS: Progress = _silent
