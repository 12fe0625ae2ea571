"""app.audit on SQLite and PostgreSQL: set-up, refusal to start, durable appends that fail
closed, checkpoints, proofs a partner can check, concurrency, withdrawals, retention."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from matchgate.app.audit import AuditConfig, AuditLog, init_audit, open_audit, trusted_keys
from matchgate.audit import (
    AuditEvent,
    AuditUnavailable,
    Disclosure,
    Problem,
    RetentionRefused,
    WithdrawalRefused,
    check_consistency,
    check_inclusion,
    kinds,
    parse_proof,
    read_checkpoints,
)
from matchgate.domain.errors import ConfigurationError, InputError
from matchgate.services.oversight.audit_queries import (
    accounting_for,
    prove_consistency,
    prove_inclusion,
    show_entries,
    tail_entries,
    verify_audit,
)
from matchgate.settings import Settings
from matchgate.storage import audit as store

SSN_A, SSN_B = "123-45-6789", "234-56-7890"


def _config(tmp_path: Path, url: str, every: int = 4) -> AuditConfig:
    return AuditConfig(
        url=url,
        checkpoint_dir=tmp_path / "checkpoints",
        subject_key_file=tmp_path / "keys" / "subject.hmac",
        signing_key_file=tmp_path / "keys" / "checkpoint.key",
        checkpoint_every=every,
    )


@pytest.fixture
def config(tmp_path: Path, store_url: str) -> AuditConfig:
    return _config(tmp_path, store_url)


@pytest.fixture
def log(config: AuditConfig) -> AuditLog:
    init_audit(config)
    return open_audit(config)


def _event(i: int = 0) -> AuditEvent:
    return AuditEvent(kind=kinds.MATCH_RUN, actor="svc:match", details={"rows": i})


def _disclosure(log: AuditLog, recipient: str, package: str, ssns: list[str], **kw: object):  # type: ignore[no-untyped-def]
    d = Disclosure(
        actor="svc:disclose",
        agreement="reference-2025-08",
        recipient=recipient,
        purpose="benefit-eligibility",
        routine_uses=("RU-31",),
        package_id=package,
        **kw,  # type: ignore[arg-type]
    )
    return d.event(["identity"], [log.subject_key(s) for s in ssns])


def test_init_is_idempotent_and_the_defaults_live_in_the_workspace(tmp_path: Path) -> None:
    from matchgate.app.audit import audit_config

    config = audit_config(Settings(workspace=tmp_path / "ws"), checkpoint_every=3)
    first = init_audit(config)
    assert (first.created_log, first.created_subject_key, first.created_signing_key) == (True,) * 3
    assert config.url == f"sqlite:///{tmp_path / 'ws' / 'matchgate.sqlite'}"
    assert config.checkpoint_file.is_relative_to(tmp_path / "ws")
    again = init_audit(config)
    assert (again.log_id, again.created_log, again.created_subject_key) == (
        first.log_id,
        False,
        False,
    )
    assert len(read_checkpoints(config.checkpoint_file).checkpoints) == 1  # the empty tree
    assert verify_audit(config).ok


def test_the_service_refuses_to_start_without_its_audit_store(config: AuditConfig) -> None:
    with pytest.raises(ConfigurationError, match="audit init"):
        open_audit(config)  # no keys yet
    init_audit(config)
    open_audit(config)
    unreachable = AuditConfig(
        url="postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2",
        checkpoint_dir=config.checkpoint_dir,
        subject_key_file=config.subject_key_file,
        signing_key_file=config.signing_key_file,
    )
    with pytest.raises(ConfigurationError, match="cannot be used") as caught:
        open_audit(unreachable)
    assert "nobody" in str(caught.value) or "***" in str(caught.value)
    empty = AuditConfig(
        url=f"sqlite:///{config.checkpoint_dir.parent / 'empty.sqlite'}",
        checkpoint_dir=config.checkpoint_dir,
        subject_key_file=config.subject_key_file,
        signing_key_file=config.signing_key_file,
    )
    with pytest.raises(ConfigurationError, match="run `matchgate db upgrade`"):
        open_audit(empty)
    shutil.rmtree(config.checkpoint_dir)
    with pytest.raises(ConfigurationError, match="checkpoint folder"):
        open_audit(config)


def test_an_append_is_durable_when_it_returns(log: AuditLog, config: AuditConfig) -> None:
    receipt = log.append(_event(7))
    # A separate connection, outside SQLAlchemy, sees the committed entry and its hash.
    if config.url.startswith("sqlite"):
        path = config.url.removeprefix("sqlite:///")
        with sqlite3.connect(path) as con:
            row = con.execute(
                "SELECT entry_hash FROM audit_entries WHERE sequence = ?", (receipt.sequence,)
            ).fetchone()
            assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert row == (receipt.entry_hash,)
        with store.audit_engine(config.url, write=True).connect() as c:
            assert c.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    else:
        import psycopg

        plain, _, query = config.url.replace("postgresql+psycopg://", "postgresql://").partition(
            "?"
        )
        schema = query.split("%3D")[-1]
        with psycopg.connect(plain) as con:
            row = con.execute(
                f'SELECT entry_hash FROM "{schema}".audit_entries WHERE sequence = %s',
                (receipt.sequence,),
            ).fetchone()
        assert row == (receipt.entry_hash,)


def test_entries_cannot_be_updated_or_deleted_through_the_store(
    log: AuditLog, config: AuditConfig
) -> None:
    log.append(_event())
    for statement in ("UPDATE audit_entries SET actor = 'x'", "DELETE FROM audit_entries"):
        with (
            pytest.raises(Exception, match="append-only"),
            store.audit_engine(config.url, write=True).begin() as con,
        ):
            con.execute(text(statement))
    assert verify_audit(config).ok


def test_checkpoints_fall_due_every_n_entries(log: AuditLog, config: AuditConfig) -> None:
    for i in range(10):
        log.append(_event(i))
    sizes = [cp.size for cp in read_checkpoints(config.checkpoint_file).checkpoints]
    assert sizes == [0, 4, 8]  # made before the append that would exceed the interval
    made = log.checkpoint()
    assert made.size == 10
    report = verify_audit(config)
    assert report.ok
    assert (report.covered, report.uncovered) == (10, 0)


def test_an_append_that_cannot_checkpoint_records_nothing(
    log: AuditLog, config: AuditConfig
) -> None:
    for i in range(4):
        log.append(_event(i))
    lines = config.checkpoint_file.read_text()
    config.checkpoint_file.unlink()
    config.checkpoint_file.mkdir()  # the checkpoint file cannot be written now (even by root)
    with pytest.raises(AuditUnavailable):
        log.append(_event(99))
    config.checkpoint_file.rmdir()
    config.checkpoint_file.write_text(lines)
    assert [v.sequence for v in tail_entries(config, 10)] == [0, 1, 2, 3]
    assert verify_audit(config).ok
    assert log.append(_event(5)).sequence == 4  # and it recovers once the folder is back


def test_a_store_that_fails_records_nothing_and_verification_still_passes(
    log: AuditLog, config: AuditConfig
) -> None:
    from sqlalchemy import event

    log.append(_event(0))
    engine = store.audit_engine(config.url, write=True)

    def fail_on_index(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        if "audit_subjects" in statement and statement.lstrip().upper().startswith("INSERT"):
            raise OSError("disk full")

    event.listen(engine, "before_cursor_execute", fail_on_index)
    try:
        with pytest.raises(AuditUnavailable, match="nothing may be released"):
            log.append(_disclosure(log, "VA", "p1", [SSN_A]))
    finally:
        event.remove(engine, "before_cursor_execute", fail_on_index)
    assert len(tail_entries(config, 10)) == 1  # the entry row went with the failed index row
    assert verify_audit(config).ok


def test_concurrent_appends_get_distinct_sequences_and_one_chain(
    log: AuditLog, config: AuditConfig
) -> None:
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            mine = open_audit(config)
            for i in range(12):
                mine.append(_event(n * 100 + i))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    views = show_entries(config, 0, 100)
    assert [v.sequence for v in views] == list(range(48))
    assert sorted(v.details["rows"] for v in views) == sorted(
        n * 100 + i for n in range(4) for i in range(12)
    )
    assert verify_audit(config).ok


def test_proofs_check_with_only_the_public_key(log: AuditLog, config: AuditConfig) -> None:
    for i in range(6):
        log.append(_event(i))
    old = log.checkpoint()
    for i in range(5):
        log.append(_event(10 + i))
    new = log.checkpoint()
    keys = trusted_keys([config.signing_public_key_file])
    proof = prove_inclusion(config, 3)
    assert proof.checkpoint.size == new.size
    document = parse_proof(json.loads(json.dumps(proof.to_json())))
    assert check_inclusion(document, keys, old.log_id) == []  # type: ignore[arg-type]
    assert '"seq":3' in proof.entry
    at_old = prove_inclusion(config, 3, size=old.size)
    assert at_old.checkpoint.size == old.size
    assert check_inclusion(at_old, keys) == []
    consistency = prove_consistency(config, old.size, new.size)
    assert check_consistency(consistency, keys) == []
    # What a partner would catch: a different entry, another position, a foreign key.
    tampered = parse_proof(
        {**proof.to_json(), "entry": proof.entry.replace('"rows":3', '"rows":4')}
    )
    assert check_inclusion(tampered, keys)  # type: ignore[arg-type]
    assert check_inclusion(proof, {})
    log.append(_event(99))
    with pytest.raises(InputError, match="no checkpoint covers entry 11"):
        prove_inclusion(config, 11)
    with pytest.raises(InputError, match="checkpointed sizes"):
        prove_consistency(config, 5, new.size)


def test_a_partners_copy_of_checkpoints_catches_a_rewrite(
    log: AuditLog, config: AuditConfig, tmp_path: Path
) -> None:
    for i in range(5):
        log.append(_event(i))
    handed_over = tmp_path / "partner.jsonl"
    handed_over.write_text(log.checkpoint().to_line() + "\n")
    assert verify_audit(config, checkpoint_files=[handed_over]).ok
    # The store's owner rewrites history and the local checkpoint file with it.
    with store.audit_engine(config.url, write=True).begin() as con:
        for table in ("audit_subjects", "audit_head", "audit_checkpoints", "audit_entries"):
            con.execute(text(f"DROP TABLE {table}"))
        con.execute(text("DELETE FROM alembic_version WHERE version_num LIKE 'audit%'"))
    config.checkpoint_file.unlink()
    init_audit(config)
    relog = open_audit(config)
    for i in range(5):
        relog.append(_event(i))
    relog.checkpoint()
    assert verify_audit(config).ok  # consistent with itself...
    report = verify_audit(config, checkpoint_files=[handed_over])
    assert not report.ok  # ...but not with what the partner holds
    assert Problem.OTHER_LOG in {f.code for f in report.findings}
    with pytest.raises(InputError, match="no such checkpoint file"):
        verify_audit(config, checkpoint_files=[tmp_path / "missing.jsonl"])


def test_init_will_not_start_a_new_log_beside_checkpoints_of_an_old_one(
    log: AuditLog, config: AuditConfig
) -> None:
    log.append(_event())
    log.checkpoint()
    with store.audit_engine(config.url, write=True).begin() as con:
        con.execute(text("DELETE FROM audit_head"))
    with pytest.raises(ConfigurationError, match="vouches for entries"):
        init_audit(config)


def test_accounting_withdrawal_and_notices(log: AuditLog, config: AuditConfig) -> None:
    log.append(_disclosure(log, "DHS-USCIS", "p1", [SSN_A, SSN_B]))
    log.append(_disclosure(log, "FBI", "p2", [SSN_A], law_enforcement=True))
    log.append(_disclosure(log, "VA", "p3", [SSN_B]))
    assert [x.reference for x in accounting_for(config, SSN_A).lines] == ["p1", "p2"]
    assert [x.reference for x in log.accounting("234567890").lines] == ["p1", "p3"]
    done = log.withdraw(SSN_A, "wrong_match", actor="po:lee", package_id="p1")
    assert (done.withdraws, done.notify) == ((0,), ("DHS-USCIS", "FBI"))
    mine = accounting_for(config, SSN_A)
    assert mine.lines[0].withdrawn_by == (done.sequence,)
    assert mine.for_person().corrections[0].notify == ("DHS-USCIS",)
    with pytest.raises(WithdrawalRefused):
        log.withdraw("345-67-8901", "record_corrected", actor="po:lee")
    with pytest.raises(WithdrawalRefused):
        log.withdraw(SSN_A, "wrong_match", actor="po:lee", package_id="p3")
    with pytest.raises(InputError, match="reason"):
        log.withdraw(SSN_A, "oops", actor="po:lee")
    assert verify_audit(config).ok


def test_retention_refuses_young_purges_and_verification_survives_an_old_one(
    config: AuditConfig,
) -> None:
    start = dt.datetime(2019, 1, 10, tzinfo=dt.UTC)
    now = [start]
    init_audit(config, clock=lambda: now[0])
    log = open_audit(config, clock=lambda: now[0])
    log.append(_disclosure(log, "VA", "old", [SSN_A, SSN_B]))
    now[0] = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
    log.append(_disclosure(log, "VA", "new", [SSN_A, SSN_B]))
    today = dt.date(2025, 6, 1)
    with pytest.raises(RetentionRefused):
        log.purge_accounting(
            before=dt.date(2021, 1, 1), today=today, still_held=lambda s: False, actor="po:lee"
        )
    held = log.subject_key(SSN_B)
    summary = log.purge_accounting(
        before=dt.date(2020, 1, 1), today=today, still_held=lambda s: s == held, actor="po:lee"
    )
    assert (summary.before_sequence, summary.subjects, summary.rows) == (1, 1, 1)
    assert [x.reference for x in accounting_for(config, SSN_A).lines] == ["new"]
    assert [x.reference for x in accounting_for(config, SSN_B).lines] == ["old", "new"]
    assert verify_audit(config).ok
    kinds_seen = [v.kind for v in tail_entries(config, 1)]
    assert kinds_seen == [kinds.ACCOUNTING_PURGED]
