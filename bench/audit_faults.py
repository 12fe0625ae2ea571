#!/usr/bin/env python3
"""Fault injection: with the audit store failing at random points, is anything released without
a durable audit entry? (Issue 6 acceptance: 0 in >= 500 trials.)

Each trial tries to release one disclosure through ``release_after_audit`` while one fault, drawn
at random, is armed:

    none              no fault (control)
    nth_statement     the k-th SQL statement of the append raises (k random): a failure at any point
    before_insert     the INSERT of the entry raises
    index_insert      the INSERT of the accounting index rows raises (after the entry row)
    head_update       the UPDATE of the chain head raises (after entry and index rows)
    commit            the commit itself raises (the transaction is rolled back)
    after_commit      the commit succeeds, then an error is raised (the acknowledgement is lost)
    after_return      append returns, then the caller's side fails before seeing the receipt
    disk_full         the store cannot grow (SQLite: PRAGMA max_page_count; PostgreSQL: ENOSPC)
    checkpoint_full   the checkpoint file cannot be written when a checkpoint falls due (and so
                      when the release's checkpoint is taken)
    witness_full      the recipient's witness file cannot be written
    store_down        every statement fails (the store is unreachable)
    release_fails     the audit succeeds, the release itself fails

After each trial a fresh connection (outside SQLAlchemy's pool) looks for the trial's entry, and
the whole log is verified, against the witness files too. Counted: releases without a durable
entry (must be 0), releases without a witnessed checkpoint covering their entries (must be 0),
entries without a release (the log may say more than happened, never less), and verification
failures (must be 0).
With ``--crash N`` it also runs N trials in a child process killed with SIGKILL at a random moment.

    .venv/bin/python bench/audit_faults.py --trials 500 --seed 1 --crash 20 --json faults.json
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event

from matchgate.app.audit import AuditConfig, AuditLog, init_audit, open_audit
from matchgate.audit import (
    AuditEvent,
    AuditReceipt,
    AuditUnavailable,
    Disclosure,
    read_witness_files,
    release_after_audit,
)
from matchgate.services.oversight.audit_queries import verify_audit
from matchgate.storage import audit as store

FAULTS = [
    "none",
    "nth_statement",
    "before_insert",
    "index_insert",
    "head_update",
    "commit",
    "after_commit",
    "after_return",
    "disk_full",
    "checkpoint_full",
    "witness_full",
    "store_down",
    "release_fails",
]


RECIPIENT = "DHS-USCIS"


class InjectedFault(OSError):
    """The error a fault raises."""


@dataclass
class Tally:
    trials: Counter[str] = field(default_factory=Counter)
    released: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    released_without_entry: Counter[str] = field(default_factory=Counter)
    released_without_witness: Counter[str] = field(default_factory=Counter)
    entry_without_release: Counter[str] = field(default_factory=Counter)
    verify_failures: Counter[str] = field(default_factory=Counter)


def _statement_fault(engine: Any, should_fail: Callable[[str], bool]) -> Callable[[], None]:
    def hook(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        if should_fail(statement):
            raise InjectedFault("injected fault")

    event.listen(engine, "before_cursor_execute", hook)
    return lambda: event.remove(engine, "before_cursor_execute", hook)


@contextmanager
def armed(fault: str, rng: random.Random, config: AuditConfig) -> Iterator[None]:
    """Arm ``fault`` on the store for the duration of the block."""
    engine = store.audit_engine(config.url, write=True)
    undo: list[Callable[[], None]] = []
    sqlite = config.url.startswith("sqlite")
    if fault == "nth_statement":
        target, seen = rng.randint(1, 7), [0]

        def nth(_: str) -> bool:
            seen[0] += 1
            return seen[0] == target

        undo.append(_statement_fault(engine, nth))
    elif fault in ("before_insert", "index_insert", "head_update", "store_down"):
        marker = {
            "before_insert": "INSERT INTO audit_entries",
            "index_insert": "INSERT INTO audit_subjects",
            "head_update": "UPDATE audit_head",
            "store_down": "",
        }[fault]
        undo.append(_statement_fault(engine, lambda s: marker in s))
    elif fault == "commit":

        def on_commit(conn: Any) -> None:
            raise InjectedFault("injected commit failure")

        event.listen(engine, "commit", on_commit)
        undo.append(lambda: event.remove(engine, "commit", on_commit))
    elif fault == "after_commit":
        original = store.transaction

        @contextmanager
        def lossy(url: str, *, write: bool) -> Iterator[Any]:
            with original(url, write=write) as s:
                yield s
            if write:
                raise InjectedFault("acknowledgement lost after commit")

        store.transaction = lossy  # type: ignore[assignment]
        undo.append(lambda: setattr(store, "transaction", original))
    elif fault == "disk_full":
        if sqlite:

            def no_growth(conn: Any) -> None:
                pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
                conn.exec_driver_sql(f"PRAGMA max_page_count = {int(pages)}")

            event.listen(engine, "begin", no_growth)
            undo.append(lambda: event.remove(engine, "begin", no_growth))
            undo.append(engine.dispose)  # new connections start without the limit
        else:

            def enospc(statement: str) -> bool:
                return statement.lstrip().upper().startswith("INSERT")

            undo.append(_statement_fault(engine, enospc))
    elif fault == "checkpoint_full":
        import matchgate.audit.checkpoint as checkpoint_module

        original_fsync = checkpoint_module.os.fsync

        def full(fd: int) -> None:
            raise InjectedFault(28, "No space left on device")

        checkpoint_module.os.fsync = full  # type: ignore[assignment]
        undo.append(lambda: setattr(checkpoint_module.os, "fsync", original_fsync))
    elif fault == "witness_full":
        import matchgate.audit.witness as witness_module

        original_create = witness_module.create_read_only

        def no_room(path: Path, data: bytes) -> None:
            raise InjectedFault(28, "No space left on device")

        witness_module.create_read_only = no_room  # type: ignore[assignment]
        undo.append(lambda: setattr(witness_module, "create_read_only", original_create))
    try:
        yield
    finally:
        for step in reversed(undo):
            step()


class LostReceipt:
    """A sink whose caller never sees the receipt: append succeeds, then the call fails."""

    def __init__(self, inner: AuditLog) -> None:
        self.inner = inner

    def append(self, event: AuditEvent) -> AuditReceipt:
        self.inner.append(event)
        raise AuditUnavailable("the receipt was lost on the way back")


def _durable_trials(config: AuditConfig) -> dict[int, int]:
    """Trial numbers of disclosure entries a fresh connection finds in the store, with the last
    sequence of each."""
    query = "SELECT sequence, details FROM audit_entries WHERE kind = 'disclosure.made'"
    if config.url.startswith("sqlite"):
        with sqlite3.connect(config.url.removeprefix("sqlite:///")) as con:
            rows = con.execute(query).fetchall()
    else:
        import psycopg

        plain, _, options = config.url.replace("postgresql+psycopg://", "postgresql://").partition(
            "?"
        )
        kwargs: dict[str, Any] = {}
        if "options=" in options:
            kwargs["options"] = (
                options.split("options=", 1)[1].replace("%3D", "=").replace("%20", " ")
            )
        with psycopg.connect(plain, **kwargs) as con:
            rows = con.execute(query).fetchall()
    last: dict[int, int] = {}
    for sequence, details in rows:
        trial = int(json.loads(details)["trial"])
        last[trial] = max(last.get(trial, -1), int(sequence))
    return last


def _witnessed_size(config: AuditConfig) -> int:
    """The largest tree size a witness file for the recipient holds (0 if none)."""
    files = read_witness_files(config.witness_root / RECIPIENT)
    return max((f.witnessed.checkpoint.size for f in files if f.witnessed is not None), default=0)


def _unwitnessed(released: set[int], durable: dict[int, int], config: AuditConfig) -> int:
    """Released trials whose entries no witness file covers."""
    size = _witnessed_size(config)
    return sum(1 for t in released if t not in durable or durable[t] >= size)


def _disclosure(trial: int, rng: random.Random, log: AuditLog) -> list[AuditEvent]:
    people = {
        f"{rng.getrandbits(256):064x}": rng.sample(
            ["identity", "address", "citizenship"], rng.randint(1, 2)
        )
        for _ in range(rng.choice([1, 3, 40, 300]))
    }
    return Disclosure(
        actor="bench:faults",
        agreement="reference-2025-08",
        recipient=RECIPIENT,
        purpose="benefit-eligibility",
        routine_uses=("RU-31",),
        package_id=f"pkg-{trial:06d}",
        extra={"trial": trial},
    ).events(people)


def run(
    trials: int, seed: int, workdir: Path, url: str | None = None, every: int = 5
) -> dict[str, Any]:
    """Run the in-process trials; return the tally as a JSON-ready dict."""
    workdir.mkdir(parents=True, exist_ok=True)
    config = AuditConfig(
        url=url or f"sqlite:///{workdir / 'audit.sqlite'}",
        checkpoint_dir=workdir / "checkpoints",
        subject_key_file=workdir / "keys" / "subject.hmac",
        signing_key_file=workdir / "keys" / "checkpoint.key",
        checkpoint_every=every,
    )
    init_audit(config)
    log = open_audit(config)
    rng = random.Random(seed)
    tally = Tally()
    released: set[int] = set()
    started = time.perf_counter()
    for trial in range(trials):
        fault = rng.choice(FAULTS)
        tally.trials[fault] += 1
        events = _disclosure(trial, rng, log)
        sink = LostReceipt(log) if fault == "after_return" else log

        def release(trial: int = trial, fault: str = fault) -> None:
            if fault == "release_fails":
                raise InjectedFault("the outbox is full")
            released.add(trial)

        try:
            with armed(fault, rng, config):
                release_after_audit(sink, events, release)
            tally.released[fault] += 1
        except (AuditUnavailable, InjectedFault):
            tally.refused[fault] += 1
        durable = _durable_trials(config)
        if trial in released and trial not in durable:
            tally.released_without_entry[fault] += 1
        if trial in released and _unwitnessed({trial}, durable, config):
            tally.released_without_witness[fault] += 1
        if trial in durable and trial not in released:
            tally.entry_without_release[fault] += 1
        if not verify_audit(config, witness_dirs=[config.witness_root]).ok:
            tally.verify_failures[fault] += 1
    final = verify_audit(config, witness_dirs=[config.witness_root])
    return {
        "trials": trials,
        "seed": seed,
        "store": store.describe_url(config.url).split(":")[0],
        "seconds": round(time.perf_counter() - started, 2),
        "released_without_durable_entry": sum(tally.released_without_entry.values()),
        "released_without_witness": sum(tally.released_without_witness.values()),
        "durable_entry_without_release": sum(tally.entry_without_release.values()),
        "verification_failures": sum(tally.verify_failures.values()),
        "final_verify_ok": final.ok,
        "log_size": final.size,
        "by_fault": {
            fault: {
                "trials": tally.trials[fault],
                "released": tally.released[fault],
                "refused": tally.refused[fault],
                "released_without_entry": tally.released_without_entry[fault],
                "released_without_witness": tally.released_without_witness[fault],
                "entry_without_release": tally.entry_without_release[fault],
                "verify_failures": tally.verify_failures[fault],
            }
            for fault in FAULTS
        },
    }


# --- crash trials: a child process killed at a random moment --------------------------------

_CHILD = """
import sys
from pathlib import Path
sys.path.insert(0, {bench!r})
from audit_faults import child_main
child_main(Path({workdir!r}), {start})
"""


def child_main(workdir: Path, start: int) -> None:
    """Release disclosures in a loop, printing each trial number only after its release."""
    config = _crash_config(workdir)
    log = open_audit(config)
    rng = random.Random(start)
    trial = start
    while True:
        release_after_audit(log, _disclosure(trial, rng, log), lambda t=trial: print(t, flush=True))
        trial += 1


def _crash_config(workdir: Path) -> AuditConfig:
    return AuditConfig(
        url=f"sqlite:///{workdir / 'audit.sqlite'}",
        checkpoint_dir=workdir / "checkpoints",
        subject_key_file=workdir / "keys" / "subject.hmac",
        signing_key_file=workdir / "keys" / "checkpoint.key",
        checkpoint_every=5,
    )


def run_crashes(count: int, seed: int, workdir: Path) -> dict[str, Any]:
    """SIGKILL a releasing child ``count`` times; every trial it printed must be durable."""
    workdir.mkdir(parents=True, exist_ok=True)
    config = _crash_config(workdir)
    init_audit(config)
    rng = random.Random(seed)
    bench_dir = str(Path(__file__).resolve().parent)
    released: set[int] = set()
    lost = unwitnessed = verify_failures = 0
    start = 0
    for _ in range(count):
        script = _CHILD.format(bench=bench_dir, workdir=str(workdir), start=start)
        child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None
        # Kill at a random moment of the release loop, however long the child took to start
        # (a loaded machine can take seconds to import): wait for its first release first.
        first = child.stdout.readline()
        time.sleep(rng.uniform(0.2, 1.5))
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate()
        printed = {int(line) for line in (first + out).split()}
        released |= printed
        durable = _durable_trials(config)
        lost += len(printed - set(durable))
        unwitnessed += _unwitnessed(printed, durable, config)
        if not verify_audit(config, witness_dirs=[config.witness_root]).ok:
            verify_failures += 1
        start = (
            max(set(durable) | released | {start}) + 1000
        )  # fresh trial numbers for the next child
    return {
        "crashes": count,
        "released": len(released),
        "released_without_durable_entry": lost,
        "released_without_witness": unwitnessed,
        "verification_failures": verify_failures,
    }


def _table(result: dict[str, Any]) -> str:
    head = (
        f"{'fault':<16}{'trials':>7}{'released':>10}{'refused':>9}"
        f"{'rel. w/o entry':>16}{'rel. w/o witness':>18}{'entry w/o rel.':>16}{'verify fail':>13}"
    )
    lines = [head, "-" * len(head)]
    for fault, row in result["by_fault"].items():
        lines.append(
            f"{fault:<16}{row['trials']:>7}{row['released']:>10}{row['refused']:>9}"
            f"{row['released_without_entry']:>16}{row['released_without_witness']:>18}"
            f"{row['entry_without_release']:>16}{row['verify_failures']:>13}"
        )
    lines.append("-" * len(head))
    lines.append(
        f"{result['trials']} trials on {result['store']} in {result['seconds']} s: "
        f"{result['released_without_durable_entry']} released without a durable entry, "
        f"{result['released_without_witness']} without a witnessed checkpoint, "
        f"{result['durable_entry_without_release']} entries without a release, "
        f"{result['verification_failures']} verification failures"
    )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--crash", type=int, default=0, help="also SIGKILL a child N times")
    parser.add_argument("--url", help="audit store URL (default: a fresh SQLite file)")
    parser.add_argument("--workdir", type=Path, help="folder for the store and checkpoints")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.workdir or Path(tmp)
        result = run(args.trials, args.seed, workdir / "inproc", args.url)
        print(_table(result))
        if args.crash:
            result["crash"] = run_crashes(args.crash, args.seed, workdir / "crash")
            crash = result["crash"]
            print(
                f"{crash['crashes']} SIGKILLs of a releasing process: "
                f"{crash['released']} releases, "
                f"{crash['released_without_durable_entry']} without a durable entry, "
                f"{crash['released_without_witness']} without a witnessed checkpoint, "
                f"{crash['verification_failures']} verification failures"
            )
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    bad = result["released_without_durable_entry"] + result["verification_failures"]
    bad += result["released_without_witness"]
    bad += result.get("crash", {}).get("released_without_durable_entry", 0)
    bad += result.get("crash", {}).get("released_without_witness", 0)
    bad += result.get("crash", {}).get("verification_failures", 0)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
