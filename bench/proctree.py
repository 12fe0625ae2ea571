"""Run a command and measure its wall time and the peak RSS of its whole process tree.

The tree's resident memory is sampled from /proc every ``interval`` seconds (children included,
so a JVM that PySpark starts counts too); the peak is the largest sum seen. Linux only.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class Measured:
    seconds: float
    peak_rss_mib: int
    returncode: int


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def tree_rss_bytes(root: int) -> int:
    """Resident bytes of ``root`` and all its descendants now."""
    tree = _children()
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        with contextlib.suppress(OSError, IndexError, ValueError):  # the process just ended
            total += int((Path("/proc") / str(pid) / "statm").read_text().split()[1]) * PAGE
        stack.extend(tree.get(pid, []))
    return total


def run(
    command: list[str], *, interval: float = 0.2, quiet: bool = True, **kwargs: object
) -> Measured:
    """Run ``command`` to its end; its time and the peak RSS of its process tree."""
    started = time.perf_counter()
    output = subprocess.DEVNULL if quiet else None
    process = subprocess.Popen(command, stdout=output, stderr=output, **kwargs)  # type: ignore[call-overload]
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_bytes(process.pid))
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    returncode = process.wait()
    done.set()
    sampler.join()
    return Measured(time.perf_counter() - started, peak // (1 << 20), returncode)
