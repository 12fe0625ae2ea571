"""Rich progress bars behind the :class:`matchgate.domain.progress.Progress` callable."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


class RichProgress:
    """One bar per stage; a stage with an unknown total shows a spinner."""

    def __init__(self, console: Console) -> None:
        self._bars = Progress(
            SpinnerColumn(),
            TextColumn("{task.description:<28}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        )
        self._tasks: dict[str, TaskID] = {}

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        task = self._tasks.get(stage)
        if task is None:
            task = self._bars.add_task(stage, total=total)
            self._tasks[stage] = task
        self._bars.update(task, completed=done, total=total)

    @contextmanager
    def shown(self) -> Iterator[RichProgress]:
        """Draw the bars while the block runs; on failure clear them so the error stands alone."""
        with self._bars:
            try:
                yield self
            except BaseException:
                self._bars.live.transient = True
                raise
