"""An existing store's ``submissions.message`` (and the error the
report repeats) is scrubbed of values by a migration; SQLite store files are owner-only."""

from __future__ import annotations

import datetime as dt
import json
import stat
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from matchgate.storage import migrate, schema

FIRST, LAST, SSN, DOB = "Quillon", "Vantragosa", "512348867", "1947-11-23"
PLANTED = (FIRST.lower(), LAST.lower(), SSN, DOB)
BAD = (
    "noheader.csv: the agreement does not allow the request column(s) 'r9', "
    f"'{FIRST.lower()}', '', '{LAST.lower()}', '{SSN}', '{DOB}'"
)
FINE = "the file has 50,001 records; the agreement allows 50,000 per file"
COLUMNS = (
    "job_id, agreement_id, agreement_version, purpose, dry_run, status, code, message, "
    "received_at, updated_at, month, source_name, size_bytes, sha256, active_digest, "
    "stored_path, format, records, duplicate_of, counts, report, package_id, package_sha256"
)


def _row(job: str, code: str, message: str | None) -> dict[str, object]:
    at = dt.datetime(2025, 9, 3, 12, tzinfo=dt.UTC)
    report = {} if message is None else {"error": {"code": code, "message": message}}
    return {
        "job_id": job, "agreement_id": "reference-2025-08", "agreement_version": 1,
        "purpose": "P", "dry_run": True, "status": "rejected", "code": code, "message": message,
        "received_at": at, "updated_at": at, "month": "2025-09", "source_name": "noheader.csv",
        "size_bytes": 99, "sha256": "ab" * 32, "active_digest": None, "stored_path": None,
        "format": "csv", "records": None, "duplicate_of": None, "counts": "{}",
        "report": json.dumps(report), "package_id": None, "package_sha256": None,
    }  # fmt: skip


def _rows(url: str) -> dict[str, dict[str, object]]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            found = connection.execute(text(f"SELECT {COLUMNS} FROM submissions"))
            return {row.job_id: dict(row._mapping) for row in found}
    finally:
        engine.dispose()


def test_the_upgrade_scrubs_stored_messages_and_keeps_everything_else(
    empty_store_url: str,
) -> None:
    url = empty_store_url
    migrate.upgrade(url, schema.AUDIT)
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            command.upgrade(migrate.config(connection, schema.OPERATIONAL), "operational_0001")
            names = [c.strip() for c in COLUMNS.split(",")]
            insert = text(
                f"INSERT INTO submissions ({COLUMNS}) VALUES ({', '.join(':' + n for n in names)})"
            )
            connection.execute(insert, _row("bad", "E_FIELD_NOT_ALLOWED", BAD))
            connection.execute(insert, _row("fine", "R_VOLUME_EXCEEDED", FINE))
            connection.execute(insert, _row("none", "E_FILE_EMPTY", None))
    finally:
        engine.dispose()
    before = _rows(url)
    migrate.upgrade(url, schema.OPERATIONAL)
    after = _rows(url)
    bad = after["bad"]
    assert isinstance(bad["message"], str)
    for value in PLANTED:
        assert value not in bad["message"].lower()
        assert value not in json.dumps(bad["report"]).lower()
    assert "E_FIELD_NOT_ALLOWED" in bad["message"]
    assert {k: v for k, v in bad.items() if k not in ("message", "report")} == {
        k: v for k, v in before["bad"].items() if k not in ("message", "report")
    }
    assert after["fine"] == before["fine"]
    assert after["none"] == before["none"]


def test_a_new_sqlite_store_is_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "ws" / "matchgate.sqlite"
    for branch in schema.BRANCHES:
        migrate.upgrade(f"sqlite:///{path}", branch)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for sibling in path.parent.iterdir():  # a journal left behind has the same mode
        assert stat.S_IMODE(sibling.stat().st_mode) & 0o077 == 0, sibling


def test_the_one_rule_keeps_value_free_messages_and_withholds_the_rest() -> None:
    from matchgate.storage.submissions import Submission, safe_message, withheld

    kept = {
        "R_VOLUME_EXCEEDED": FINE,
        "R_PURPOSE_NOT_AGREED": "purpose 'X' is not the agreement's purpose ('Y'), 2025-09-03",
        "E_SUBMISSION_DUPLICATE": (
            "the same file was already submitted under reference-2025-08 as job "
            "0123456789abcdef0123456789abcdef; it is not processed again"
        ),
        "E_REQUEST_ID_EMPTY": "r.csv, row 3, field 'request_id': request_id is empty",
        "E_FIELD_NOT_ALLOWED": "r.csv: column 1 is not a request field; city (column 9)",
        "E_FILE_TOO_LARGE": "r.csv: the file has 600,000,000 bytes; submissions are limited to 5",
    }
    for code, message in kept.items():
        assert safe_message(code, message) == message, code
    dropped = {
        "E_FIELD_NOT_ALLOWED": BAD,
        "E_FILE_MALFORMED": f"column '{LAST.lower()}' appears twice in the header (position 4)",
        "E_INPUT": f"r.csv: {FIRST} born {DOB}",
        "R_NO_ROUTINE_USE_IN_FORCE": f"nothing for 512-34-8867 or {SSN} or A{SSN[:8]}",
        "E_FILE_BINARY": "line 2\x00",
    }
    for code, message in dropped.items():
        assert safe_message(code, message) == withheld(code), code
        assert safe_message(code, withheld(code)) == withheld(code)  # the withheld text passes
    assert safe_message("E_X", None) is None
    row = Submission(code="E_FIELD_NOT_ALLOWED")
    row.message = BAD  # every write to the column passes the rule
    assert row.message == withheld("E_FIELD_NOT_ALLOWED")
