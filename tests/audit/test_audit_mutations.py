"""Acceptance (issue 6): tamper with real audit logs every way; ``verify`` catches every one.

Each trial builds a real log (SQLite file store, real appends and checkpoints), checks that the
untouched log verifies, applies one random mutation (modify a field, delete, reorder, insert,
truncate, rewrite with re-hashing, replace or damage a checkpoint, the index, the head, and cut
off any suffix holding a released disclosure, covering up with the host's own checkpoint file and
witness folder), and checks that verification against the recipients' fetched witness copies
fails and points at (or before) the first bad entry. 200 trials run in
the default suite, 1,000 under ``-m slow``, and a smaller set against PostgreSQL.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.audit.tampering import (
    BuiltLog,
    Mutation,
    build_log,
    drop_triggers,
    forget_beyond,
    make_config,
    mutate,
    read_entries,
    rewrite_consistently,
)

from matchgate.app.audit import init_audit, open_audit
from matchgate.audit import Checkpoint, Problem, VerifyReport
from matchgate.services.oversight.audit_queries import verify_audit


def _other_log(root: Path, built: BuiltLog) -> Checkpoint:
    """A validly signed checkpoint of a different log, signed with the same key."""
    config = make_config(
        root,
        f"sqlite:///{root / 'other.sqlite'}",
        every=2,
        signing_key=built.config.signing_key_file,
    )
    init_audit(config)
    return open_audit(config).checkpoint()


def _check_detected(report: VerifyReport, mutation: Mutation) -> None:
    assert not report.ok, f"{mutation.name} went undetected"
    if mutation.first_bad is None:
        return
    assert report.first_bad is not None, (mutation, report.findings)
    assert report.first_bad <= mutation.first_bad, (mutation, report.findings)
    if mutation.exact:
        pointed = {f.sequence for f in report.findings}
        assert mutation.first_bad in pointed, (mutation, report.findings)


def run_trials(tmp: Path, url_for: Callable[[Path], str], trials: int, seed: int) -> Counter[str]:
    """Run ``trials`` build-verify-mutate-verify rounds; return how many of each mutation."""
    seen: Counter[str] = Counter()
    for trial in range(trials):
        rng = random.Random(seed * 1_000_003 + trial)
        root = tmp / f"t{trial}"
        url = url_for(root)
        built = build_log(rng, root, url)
        clean = verify_audit(built.config, witness_dirs=[built.partners])
        assert clean.ok, clean.findings
        assert clean.size == built.size
        mutation = mutate(rng, built, lambda root=root, built=built: _other_log(root / "o", built))
        seen[mutation.name] += 1
        _check_detected(verify_audit(built.config, witness_dirs=[built.partners]), mutation)
    return seen


def _sqlite(root: Path) -> str:
    root.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{root / 'audit.sqlite'}"


def test_200_random_mutations_are_all_detected(tmp_path: Path) -> None:
    seen = run_trials(tmp_path, _sqlite, 200, seed=6)
    assert sum(seen.values()) == 200
    # Every family of mutation came up.
    families = {name.split("_")[0] for name in seen}
    assert families >= {
        "modify",
        "delete",
        "reorder",
        "insert",
        "truncate",
        "rewrite",
        "checkpoint",
        "index",
        "head",
    }, seen
    assert seen["truncate_suffix"] > 0, seen


def test_a_truncated_suffix_passes_without_the_witness_and_fails_with_it(tmp_path: Path) -> None:
    """The suffix case on its own: the host's files alone cannot tell; the recipient's can."""
    for trial in range(40):
        rng = random.Random(4242 + trial)
        root = tmp_path / f"t{trial}"
        built = build_log(rng, root, _sqlite(root), entries=16)
        if not built.released:
            continue
        keep = max(built.released)  # cut off the last released disclosure and what follows
        drop_triggers(built.config.url)
        rewrite_consistently(built.config.url, read_entries(built.config.url)[:keep], keep)
        forget_beyond(built.config, keep)
        assert verify_audit(built.config).ok  # the cover-up holds against the host's own files
        report = verify_audit(built.config, witness_dirs=[built.partners])
        assert Problem.WITNESS in {f.code for f in report.findings}
        assert report.first_bad is not None
        assert report.first_bad <= keep
        return
    pytest.fail("no log with a released disclosure was built")


@pytest.mark.slow
def test_1000_random_mutations_are_all_detected(tmp_path: Path) -> None:
    seen = run_trials(tmp_path, _sqlite, 1000, seed=1006)
    assert sum(seen.values()) == 1000
    checkpoint_kinds = {name for name in seen if name.startswith("checkpoint_")}
    assert len(checkpoint_kinds) == 8, seen


@pytest.mark.postgres
def test_mutations_on_postgres(store_url: str, tmp_path: Path) -> None:
    if not store_url.startswith("postgresql"):
        pytest.skip("this variant is for PostgreSQL; SQLite runs the 200 and 1,000 trials")
    # One schema per test: each trial builds its log in it, so drop the tables between trials.
    from sqlalchemy import text

    from matchgate.storage import audit as store

    def fresh(root: Path) -> str:
        root.mkdir(parents=True, exist_ok=True)
        with store.audit_engine(store_url, write=True).begin() as con:
            for table in ("audit_subjects", "audit_head", "audit_checkpoints", "audit_entries"):
                con.execute(text(f"DROP TABLE IF EXISTS {table} CASCADE"))
            # The audit store is gone: init starts it again from the first migration.
            con.execute(text("DELETE FROM alembic_version WHERE version_num LIKE 'audit%'"))
        return store_url

    seen = run_trials(tmp_path, fresh, 30, seed=77)
    assert sum(seen.values()) == 30


def test_an_untouched_log_verifies_and_its_uncovered_tail_is_bounded(tmp_path: Path) -> None:
    built = build_log(random.Random(3), tmp_path, _sqlite(tmp_path), entries=11)
    report = verify_audit(built.config)
    assert report.ok
    assert report.size == 11
    assert 0 <= report.uncovered <= built.config.checkpoint_every
