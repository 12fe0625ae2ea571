"""submit_file: the submission lifecycle on SQLite and PostgreSQL, caps, duplicates, refusals,
the stored original, and a package the recipient opens holding only what is allowed."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from tests.submit.conftest import Env, MakeEnv
from tests.submit.helpers import (
    DAY,
    PERSONAL,
    REQUESTS,
    SAVE,
    MemorySink,
    ScriptedMatcher,
    agreement_variant,
    ssnvs_record,
    write_ssnvs,
)

from matchgate.app.core import App
from matchgate.disclosure import key_id, load_public_key
from matchgate.disclosure.ssnvs import read_return_records
from matchgate.domain.audit import AuditUnavailable
from matchgate.domain.errors import ConfigurationError, InputError
from matchgate.domain.lifecycle import SubmissionStatus
from matchgate.services.administration.agreements import AgreementNotFound
from matchgate.services.administration.datakeys import open_data_keys
from matchgate.services.administration.recipient_keys import revoke_recipient_key
from matchgate.services.disclosure.packages import open_package_file
from matchgate.services.submission.records import get_submission, list_submissions
from matchgate.storage.atrest import open_stream


def requests_file(tmp: Path, text: str = REQUESTS, name: str = "requests.csv") -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


def opened(
    env: Env, package: Path, key: Path | None = None
) -> tuple[Any, dict[str, Any], list[dict[str, Any]]]:
    out = env.tmp / f"opened-{package.stem}"
    summary = open_package_file(package, key or env.keys.recipient, [env.keys.sender_pub], out)
    disclosure = json.loads((out / "disclosure.json").read_text())
    rows = [json.loads(line) for line in (out / "response.jsonl").read_text().splitlines()]
    return summary, disclosure, rows


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def stored_copy(env: Env, job_id: str) -> Path:
    (path,) = (env.settings.workspace / "submissions" / job_id).glob("request*")
    return path


def stored_sha256(env: Env, job_id: str) -> str:
    """SHA-256 of the stored original's plaintext (it is sealed at rest), streamed."""
    digest = hashlib.sha256()

    class _Hasher(io.RawIOBase):
        def write(self, data: Any) -> int:
            digest.update(data)
            return len(data)

    ring = open_data_keys(App(env.settings))
    open_stream(ring, stored_copy(env, job_id), _Hasher(), context=f"submission/{job_id}/request")
    return digest.hexdigest()


# -- the lifecycle --------------------------------------------------------------------------------


def test_disclosed_package_holds_only_what_the_agreement_allows(
    make_env: MakeEnv, store_url: str
) -> None:
    env = make_env(store_url)
    source = requests_file(env.tmp)
    result = env.submit(source)
    assert result.status is SubmissionStatus.DISCLOSED, result
    assert result.counts == {"match": 3, "possible": 0, "no_match": 1}
    assert result.package is not None
    assert env.packages() == [result.package]
    summary, disclosure, rows = opened(env, result.package)
    assert summary.header.marking == "CUI//SP-PRVCY"
    assert summary.manifest.job_id == result.job_id
    assert summary.manifest.agreement_id == "reference-2025-08"
    assert summary.manifest.counts == {"match": 3, "possible": 0, "no_match": 1}
    assert [f.name for f in summary.manifest.files] == ["response.jsonl", "disclosure.json"]
    assert [r["request_id"] for r in rows] == ["R1", "R2", "R3", "R4"]
    by_id = {r["request_id"]: r for r in rows}
    olive = by_id["R1"]["records"]
    assert olive["identity"][0]["value"]["ssn"] == "123456789"
    assert olive["banking"][0]["value"]["account_number"] == "000123456789"
    assert [a["as_of"] for a in olive["address"]] == ["2024-01-02", "2010-05-06"]
    assert "earnings" not in olive
    assert "appointments" not in olive
    assert "citizenship" not in olive
    assert by_id["R3"] == {
        "request_id": "R3",
        "decision": "no_match",
        "note": "no confident match in the master file",
    }
    refused = disclosure["categories"]["refused"]
    assert set(refused) == {"citizenship", "earnings", "appointments"}
    assert {r["code"] for r in refused["earnings"]} == {
        "R_CATEGORY_NOT_AGREED",
        "R_NO_ROUTINE_USE_IN_FORCE",
    }
    assert disclosure["categories"]["disclosed"]["banking"]["routine_uses"] == ["RU-SYN-31"]
    stored = get_submission(App(env.settings), result.job_id, caller=env.submitter)
    assert stored.status == "disclosed"
    assert stored.package_id == summary.header.package_id
    assert stored.sha256 == sha256(source)
    kinds = env.sink.kinds()
    assert kinds[:2] == ["submission.received", "submission.accepted"]
    assert kinds[-1] == "package.released"
    disclosed = [e for e in env.sink.events if e.kind == "disclosure.made"]
    assert sum(len(e.subjects) for e in disclosed) == 3
    assert all(e.details["package_id"] == summary.header.package_id for e in disclosed)


def test_dry_run_validates_without_matching_or_disclosing(env: Env) -> None:
    matcher = ScriptedMatcher()
    text = REQUESTS + "R5,,,,000123456,,1990-13-01,,,,\n"
    result = env.submit(requests_file(env.tmp, text), dry_run=True, matcher=matcher)
    assert result.status is SubmissionStatus.VALIDATED
    assert result.dry_run
    assert matcher.calls == 0
    assert env.packages() == []
    assert result.report["records"] == 5
    assert result.report["codes"] == {
        "E_NAME_MISSING": 1,
        "W_DOB_INVALID": 1,
        "W_SSN_INVALID": 1,
    }
    assert result.report["rows"] == [
        {
            "row": 5,
            "request_id": "R5",
            "codes": ["E_NAME_MISSING", "W_SSN_INVALID", "W_DOB_INVALID"],
        }
    ]
    assert env.sink.kinds() == ["submission.received", "submission.validated"]
    # a dry run neither holds the file's digest nor counts toward the month
    assert env.submit(requests_file(env.tmp, text)).status is SubmissionStatus.DISCLOSED


def test_the_same_file_twice_is_recognized_and_not_processed_again(
    make_env: MakeEnv, store_url: str
) -> None:
    env = make_env(store_url)
    matcher = ScriptedMatcher({"R1": ("match", "P1")})
    source = requests_file(env.tmp)
    first = env.submit(source, matcher=matcher)
    again = env.submit(source, matcher=matcher)
    assert first.status is SubmissionStatus.DISCLOSED
    assert (again.status, again.code) == (SubmissionStatus.REJECTED, "E_SUBMISSION_DUPLICATE")
    assert again.duplicate_of == first.job_id
    assert matcher.calls == 1
    assert len(env.packages()) == 1
    assert [s.status for s in list_submissions(App(env.settings), caller=env.submitter)] == [
        "rejected",
        "disclosed",
    ]


def test_over_the_record_cap_is_held_for_consultation(make_env: MakeEnv, store_url: str) -> None:
    env = make_env(store_url)
    env.add(agreement_variant(env.tmp / "agreements", "small-cap", max_records_per_file=3))
    matcher = ScriptedMatcher()
    source = requests_file(env.tmp)
    held = env.submit(source, "small-cap", matcher=matcher)
    assert (held.status, held.code) == (SubmissionStatus.NEEDS_CONSULTATION, "R_VOLUME_EXCEEDED")
    assert "4 records" in (held.message or "")
    assert matcher.calls == 0
    assert env.packages() == []
    assert "submission.held" in env.sink.kinds()
    # the held file is recognized if sent again
    assert env.submit(source, "small-cap", matcher=matcher).code == "E_SUBMISSION_DUPLICATE"


def test_files_per_month_cap(env: Env) -> None:
    matcher = ScriptedMatcher()
    assert env.submit(requests_file(env.tmp), matcher=matcher).status is SubmissionStatus.DISCLOSED
    other = requests_file(env.tmp, REQUESTS.replace("R4,", "R9,"), "other.csv")
    held = env.submit(other, matcher=matcher)
    assert (held.status, held.code) == (SubmissionStatus.NEEDS_CONSULTATION, "R_VOLUME_EXCEEDED")
    assert "per month" in (held.message or "")
    third = requests_file(env.tmp, REQUESTS.replace("R4,", "R8,"), "third.csv")
    next_month = env.submit(third, matcher=matcher, on=dt.date(2025, 10, 1))
    assert next_month.status is SubmissionStatus.DISCLOSED


def test_columns_the_agreement_does_not_allow(env: Env) -> None:
    env.add(
        agreement_variant(
            env.tmp / "a", "names-only", allowed_request_fields=["first_name", "last_name", "dob"]
        )
    )
    source = requests_file(env.tmp)
    result = env.submit(source, "names-only", matcher=ScriptedMatcher())
    assert (result.status, result.code) == (SubmissionStatus.REJECTED, "E_FIELD_NOT_ALLOWED")
    assert "ssn (column 5)" in (result.message or "")  # a contract name, with its position
    assert "requests.csv" in (result.message or "")
    assert str(env.settings.workspace) not in (result.message or "")
    # the digest is released: the same file is refused for the same reason, not as a duplicate
    again = env.submit(source, "names-only", matcher=ScriptedMatcher())
    assert again.code == "E_FIELD_NOT_ALLOWED"
    assert env.sink.kinds().count("submission.rejected") == 2


@pytest.mark.parametrize(
    ("day", "code"),
    [
        (dt.date(2025, 7, 31), "R_AGREEMENT_NOT_YET_EFFECTIVE"),
        (dt.date(2027, 8, 1), "R_AGREEMENT_EXPIRED"),
    ],
)
def test_agreement_not_in_force(env: Env, day: dt.date, code: str) -> None:
    result = env.submit(requests_file(env.tmp), on=day, matcher=ScriptedMatcher())
    assert (result.status, result.code) == (SubmissionStatus.REJECTED, code)
    assert result.agreement_version is None


def test_channel_not_agreed(env: Env) -> None:
    env.add(agreement_variant(env.tmp / "a", "single-only", channels=["single"]))
    result = env.submit(requests_file(env.tmp), "single-only", matcher=ScriptedMatcher())
    assert (result.status, result.code) == (SubmissionStatus.REJECTED, "E_CHANNEL_NOT_AGREED")


def test_errors_before_anything_is_recorded(env: Env) -> None:
    with pytest.raises(AgreementNotFound):
        env.submit(requests_file(env.tmp), "no-such-agreement")
    with pytest.raises(InputError) as caught:
        env.submit(env.tmp / "missing.csv")
    assert caught.value.code == "E_FILE_MISSING"
    current = env.settings.workspace / "master" / "CURRENT"
    current.rename(current.with_suffix(".off"))
    with pytest.raises(ConfigurationError, match="matchgate master load"):
        env.submit(requests_file(env.tmp))
    current.with_suffix(".off").rename(current)
    signing = env.settings.workspace / "host" / "signing.key"
    signing.rename(signing.with_suffix(".off"))
    with pytest.raises(ConfigurationError, match="matchgate host init"):
        env.submit(requests_file(env.tmp))
    signing.with_suffix(".off").rename(signing)
    dhs = key_id(load_public_key(env.keys.recipient_pub))
    revoke_recipient_key(App(env.settings, audit=MemorySink()), dhs, caller=env.accounts.admin)
    with pytest.raises(ConfigurationError, match="agencies keys add DHS"):
        env.submit(requests_file(env.tmp))
    assert list_submissions(App(env.settings), caller=env.submitter) == []
    # Only the unknown agreement is recorded, as a refusal of the caller (no submission).
    assert [(e.kind, e.details["reason"]) for e in env.sink.events] == [
        ("access.denied", "not_found")
    ]


# -- malformed files ------------------------------------------------------------------------------

RECORD = ssnvs_record("123456789", "TREMONT", "OLIVE", "", "04121961")


def _truncated(tmp: Path) -> Path:
    path = tmp / "truncated.txt"
    path.write_bytes(((RECORD + "\n") * 3).encode()[:-40])
    return path


def _wrong_widths(tmp: Path) -> Path:
    path = tmp / "widths.txt"
    path.write_bytes((RECORD + "\n" + RECORD[:50] + "  " + RECORD[50:] + "\n").encode())
    return path


def _garbage(tmp: Path) -> Path:
    path = tmp / "garbage.csv"
    path.write_bytes(hashlib.sha512(b"seed").digest() * 4096)
    return path


def _long_line(tmp: Path) -> Path:
    path = tmp / "long.csv"
    with path.open("wb") as handle:
        handle.write(b"request_id,last_name\nR1," + b"A" * (256 * 1024))
    return path


def _bad_csv(tmp: Path) -> Path:
    path = tmp / "quote.csv"
    path.write_text('request_id,last_name\nR1,"Tremont\n')
    return path


def _duplicate_ids(tmp: Path) -> Path:
    path = tmp / "dups.csv"
    path.write_text("request_id,last_name,ssn\nR1,Tremont,123456789\nR1,Doe,\n")
    return path


def _empty(tmp: Path) -> Path:
    path = tmp / "empty.csv"
    path.write_bytes(b"")
    return path


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (_truncated, "E_RECORD_LENGTH"),
        (_wrong_widths, "E_RECORD_LENGTH"),
        (_garbage, "E_FILE_BINARY"),
        (_long_line, "E_LINE_TOO_LONG"),
        (_bad_csv, "E_FILE_MALFORMED"),
        (_duplicate_ids, "E_REQUEST_ID_DUPLICATE"),
        (_empty, "E_FILE_EMPTY"),
    ],
)
def test_malformed_files_are_rejected_and_the_original_is_kept(
    env: Env, make: Any, code: str
) -> None:
    source = make(env.tmp)
    before = sha256(source)
    result = env.submit(source, matcher=ScriptedMatcher())
    assert (result.status, result.code) == (SubmissionStatus.REJECTED, code), result.message
    assert source.name in (result.message or "") or code == "E_FILE_EMPTY"
    assert "Traceback" not in (result.message or "")
    for value in PERSONAL:
        assert value not in (result.message or "")
    assert sha256(source) == before
    if code != "E_FILE_EMPTY":
        copy = stored_copy(env, result.job_id)
        assert copy.name.endswith(".mgr")
        assert stored_sha256(env, result.job_id) == before == result.sha256
        assert stat.S_IMODE(copy.stat().st_mode) == 0o400
    assert env.packages() == []
    stored = get_submission(App(env.settings), result.job_id, caller=env.submitter)
    assert stored.report["error"]["code"] == code
    assert env.sink.kinds()[-1] == "submission.rejected"


def test_a_gigabyte_of_one_line_is_refused_by_size_without_copying(env: Env) -> None:
    source = env.tmp / "huge.csv"
    with source.open("wb") as handle:
        handle.write(b"request_id,last_name\nR1,")
        handle.truncate(1 << 30)  # sparse: one line of 1 GiB
    result = env.submit(source, matcher=ScriptedMatcher())
    assert (result.status, result.code) == (SubmissionStatus.REJECTED, "E_FILE_TOO_LARGE")
    assert result.sha256 is None
    assert not (env.settings.workspace / "submissions" / result.job_id).exists()
    assert source.stat().st_size == 1 << 30


@pytest.mark.slow
def test_a_gigabyte_of_one_line_under_a_raised_limit_is_refused_by_line_length(env: Env) -> None:
    """With the size limit raised, a real 1 GB line of text (written lazily, in blocks) is copied
    and hashed, then refused by the streaming scan after its first 64 KiB; the stored copy is
    byte-identical and the file was never held in memory."""
    source = env.tmp / "huge.csv"
    block = b"A" * (8 << 20)
    with source.open("wb") as handle:
        handle.write(b"request_id,last_name\nR1,")
        while handle.tell() + len(block) <= 1_000_000_000:
            handle.write(block)
        handle.write(b"A" * (1_000_000_000 - handle.tell()))
    result = env.submit(source, matcher=ScriptedMatcher(), max_bytes=2 << 30)
    assert (result.status, result.code) == (SubmissionStatus.REJECTED, "E_LINE_TOO_LONG")
    assert "line 2" in (result.message or "")
    copy = stored_copy(env, result.job_id)
    assert copy.stat().st_size > 1_000_000_000  # sealed: header and a tag per chunk
    assert stored_sha256(env, result.job_id) == result.sha256 == sha256(source)


# -- audit ----------------------------------------------------------------------------------------


def test_nothing_is_released_when_the_audit_log_fails(env: Env) -> None:
    matcher = ScriptedMatcher({"R1": ("match", "P1"), "R2": ("match", "P3")})
    complete = MemorySink()
    assert env.submit(requests_file(env.tmp), matcher=matcher, sink=complete, on=DAY).package
    appends = complete.calls
    for index, fail_at in enumerate(range(1, appends + 1)):
        source = requests_file(env.tmp, REQUESTS.replace("R4,", f"Q{index},"), f"f{index}.csv")
        before = set(env.out.iterdir())
        with pytest.raises(AuditUnavailable):
            env.submit(
                source,
                matcher=matcher,
                sink=MemorySink(fail_at=fail_at),
                on=DAY + dt.timedelta(days=31 * (index + 1)),
            )
        assert set(env.out.iterdir()) == before, fail_at
    leftovers = list((env.settings.workspace / "submissions").glob("*/staging"))
    assert leftovers == []


def test_audit_events_hold_no_personal_values(env: Env) -> None:
    env.submit(requests_file(env.tmp))
    text = repr(env.sink.events)
    for value in PERSONAL:
        assert value not in text
    for event in env.sink.events:
        assert all(len(s) == 64 for s in event.subjects)


# -- fixed width ----------------------------------------------------------------------------------


def test_fixed_width_submission_gets_return_records(env: Env) -> None:
    records = [
        ssnvs_record("123456789", "TREMONT", "OLIVE", "M", "04121961", control="CTL-1"),
        ssnvs_record("123456789", "TREMONT", "OLIVE", "", "04131961", control="CTL-2"),
        ssnvs_record("345678912", "OMALLEY", "SEAN", "", "", control="CTL-3"),
        ssnvs_record("987654320", "NOBODY", "ATALL", "", "01011950", control="CTL-4"),
        ssnvs_record("234567891", "DE LA CRUZ GA", "MARIA JOSE", "", "03091975", control="CTL-5"),
    ]
    source = write_ssnvs(env.tmp / "monthly.txt", records)
    result = env.submit(source)
    assert result.status is SubmissionStatus.DISCLOSED, result
    assert result.format == "ssnvs"
    out = env.tmp / "opened"
    assert result.package is not None
    summary = open_package_file(result.package, env.keys.recipient, [env.keys.sender_pub], out)
    assert [f.name for f in summary.manifest.files] == [
        "response.jsonl",
        "return.txt",
        "disclosure.json",
    ]
    lines = (out / "return.txt").read_bytes().splitlines()
    assert all(len(line) == 130 for line in lines)
    back = list(read_return_records(out / "return.txt"))
    assert [r.user_control for r in back] == ["CTL-1", "CTL-2", "CTL-3", "CTL-4", "CTL-5"]
    assert [r.code for r in back] == [" ", "3", " ", "1", " "]
    assert [r.ssn for r in back] == [
        "XXXXX6789",
        "XXXXX6789",
        "XXXXX8912",
        "987654320",
        "XXXXX7891",
    ]
    assert [r.death_indicator for r in back] == ["N", "", "Y", "", "N"]
    assert {r.confirmation for r in back} == {result.job_id[:16].upper()}
    assert back[4].last_name == "DE LA CRUZ GA"
    rows = [json.loads(x) for x in (out / "response.jsonl").read_text().splitlines()]
    assert [r["request_id"] for r in rows] == ["1", "2", "3", "4", "5"]


def test_fixed_width_under_an_agreement_without_identity_has_no_return_file(env: Env) -> None:
    uscis = env.accounts.user("uscis-submitter", "DHS-USCIS", "submitter")
    env.add(SAVE)
    source = write_ssnvs(
        env.tmp / "save.txt", [ssnvs_record("123456789", "TREMONT", "OLIVE", "", "04121961")]
    )
    result = env.submit(source, "save-verification", on=dt.date(2026, 2, 2), caller=uscis)
    assert result.status is SubmissionStatus.DISCLOSED, result
    assert result.package is not None
    summary, disclosure, rows = opened(env, result.package, env.keys.uscis)
    assert [f.name for f in summary.manifest.files] == ["response.jsonl", "disclosure.json"]
    assert list(disclosure["categories"]["disclosed"]) == ["citizenship"]
    assert disclosure["notes"]
    assert rows[0]["records"] == {
        "citizenship": [
            {
                "value": {"citizenship": "US_CITIZEN"},
                "as_of": "1961-05-01",
                "source": "master record",
            }
        ]
    }
