"""Generate a synthetic world: a master file of SSN holders, a month's request file, the truth.

All data is synthetic (see :mod:`matchgate.synth`). This service checks the arguments, runs the
generator and reports what it wrote.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path

from matchgate.domain.errors import ConfigurationError, InputError
from matchgate.domain.progress import NO_PROGRESS, Progress
from matchgate.synth import generate
from matchgate.synth.tables import RefTables

MAX_PEOPLE = 200_000_000
"""Largest master the identifier spaces leave room for (A-numbers are the tightest)."""
MAX_REQUESTS = 10_000_000


@dataclass(frozen=True)
class SynthSummary:
    """What :func:`synthesize` wrote."""

    out: Path
    master: Path
    details: dict[str, Path]
    requests_file: Path
    truth: Path
    people: int
    requests: int
    present: int
    absent: int
    seconds: float

    @property
    def files(self) -> list[Path]:
        """Every file written, master first."""
        return [self.master, *self.details.values(), self.requests_file, self.truth]


def _check(people: int, requests: int, seed: int, out: Path, absent_share: float) -> None:
    if isinstance(people, bool) or not isinstance(people, int) or people < 1:
        raise InputError("people must be a whole number of at least 1", field="people")
    if people > MAX_PEOPLE:
        raise InputError(f"people must be at most {MAX_PEOPLE:,}", field="people")
    if isinstance(requests, bool) or not isinstance(requests, int) or requests < 1:
        raise InputError("requests must be a whole number of at least 1", field="requests")
    if requests > MAX_REQUESTS:
        raise InputError(f"requests must be at most {MAX_REQUESTS:,}", field="requests")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError("seed must be a whole number of at least 0", field="seed")
    if not isinstance(absent_share, int | float) or not (
        math.isfinite(absent_share) and 0.0 <= absent_share <= 1.0
    ):
        raise InputError("absent_share must be between 0 and 1", field="absent_share")
    present = requests - round(requests * absent_share)
    if present > people:
        raise InputError(
            f"{present:,} requests for people in the master, but the master holds only "
            f"{people:,} people: lower requests or raise absent_share",
            field="requests",
        )
    if out.exists() and not out.is_dir():
        raise ConfigurationError(f"output folder {out} exists and is not a folder")


def synthesize(
    people: int,
    requests: int,
    seed: int,
    out: Path,
    *,
    details: bool = True,
    absent_share: float = 0.15,
    progress: Progress = NO_PROGRESS,
    tables: RefTables | None = None,
) -> SynthSummary:
    """Write ``out/master.parquet`` (+ detail tables), ``out/requests.csv`` and ``out/truth.csv``.

    The same arguments always give byte-identical files. ``tables`` replaces the packaged
    reference tables (tests use small ones).
    """
    out = Path(out)
    _check(people, requests, seed, out, absent_share)
    started = time.perf_counter()
    files = generate(
        people,
        requests,
        seed,
        out,
        details=details,
        absent_share=absent_share,
        progress=progress,
        tables=tables,
    )
    return SynthSummary(
        out=out,
        master=files.master,
        details=files.details,
        requests_file=files.requests,
        truth=files.truth,
        people=people,
        requests=requests,
        present=files.present,
        absent=files.absent,
        seconds=time.perf_counter() - started,
    )
