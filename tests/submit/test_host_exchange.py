"""The host's inputs to a submission: its loaded master, its signing key, the recipients'
registered keys; and held files released or refused after consultation.

Reproductions of the two-party exchange: a package under the SAVE agreement (recipient
DHS-USCIS) could be sealed to DHS's key; the master could be any file the requester named.
Now the package opens only with the agreement recipient's registered key, and the master is the
host's loaded snapshot, named in the job, the manifest and the audit entries.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from tests.submit.conftest import Env
from tests.submit.helpers import (
    DAY,
    REQUESTS,
    SAVE,
    MemorySink,
    ScriptedMatcher,
    agreement_variant,
    ssnvs_record,
    subject,
    write_ssnvs,
)

from matchgate.app.core import App
from matchgate.disclosure import E_PACKAGE_KEY, PackageError, key_id, load_public_key
from matchgate.domain.errors import AccessDenied, ConfigurationError, InputError
from matchgate.domain.lifecycle import SubmissionStatus
from matchgate.services.administration.recipient_keys import (
    add_recipient_key,
    list_recipient_keys,
    revoke_recipient_key,
)
from matchgate.services.disclosure.packages import make_keys, open_package_file
from matchgate.services.submission.consult import refuse_held, release_held
from matchgate.services.submission.records import SubmissionNotFound, get_submission
from matchgate.storage import recipient_keys as key_store
from matchgate.storage.db import session, store_url


def _requests(env: Env, text: str = REQUESTS, name: str = "requests.csv") -> Path:
    path = env.tmp / name
    path.write_text(text, encoding="utf-8")
    return path


def _open(env: Env, package: Path, key: Path, name: str) -> object:
    return open_package_file(package, key, [env.keys.sender_pub], env.tmp / f"opened-{name}")


# -- reproduction 1: the recipient is bound to the agreement --------------------------------------


def test_a_package_opens_only_with_the_agreement_recipients_registered_key(env: Env) -> None:
    uscis = env.accounts.user("uscis-submitter", "DHS-USCIS", "submitter")
    env.add(SAVE)
    source = write_ssnvs(
        env.tmp / "save.txt", [ssnvs_record("123456789", "TREMONT", "OLIVE", "", "04121961")]
    )
    result = env.submit(source, "save-verification", on=dt.date(2026, 2, 2), caller=uscis)
    assert result.status is SubmissionStatus.DISCLOSED, result
    assert result.package is not None
    uscis_key = key_id(load_public_key(env.keys.uscis_pub))
    assert result.recipient_key_id == uscis_key
    with pytest.raises(PackageError) as refused:  # DHS's key cannot open a USCIS package
        _open(env, result.package, env.keys.recipient, "dhs")
    assert refused.value.code == E_PACKAGE_KEY
    opened = _open(env, result.package, env.keys.uscis, "uscis")
    manifest = opened.manifest  # type: ignore[attr-defined]
    assert manifest.recipient_key_id == uscis_key
    disclosed = [e for e in env.sink.events if e.kind in ("disclosure.made", "package.released")]
    assert disclosed
    assert {e.details["recipient_key_id"] for e in disclosed} == {uscis_key}
    stored = get_submission(App(env.settings), result.job_id, caller=env.po)
    assert stored.recipient_key_id == uscis_key


# -- reproduction 2: the master is the host's loaded snapshot -------------------------------------


def test_the_master_is_the_loaded_snapshot_named_in_the_job_and_the_manifest(env: Env) -> None:
    matcher = ScriptedMatcher({"R1": ("match", "P1")})
    calls: list[tuple[Path | None, str | None]] = []

    def recording(master: Path | None, requests: Path, output: Path, **kw: object) -> object:
        calls.append((master, kw.get("snapshot")))  # type: ignore[arg-type]
        return matcher(master, requests, output, **kw)  # type: ignore[arg-type]

    result = env.submit(_requests(env), matcher=recording)
    assert result.status is SubmissionStatus.DISCLOSED, result
    assert calls == [(None, env.snapshot)]  # no file: the loaded snapshot, by id
    assert result.master_snapshot_id == env.snapshot
    stored = get_submission(App(env.settings), result.job_id, caller=env.submitter)
    assert stored.master_snapshot_id == env.snapshot
    assert result.package is not None
    opened = _open(env, result.package, env.keys.recipient, "dhs")
    assert opened.manifest.master_snapshot_id == env.snapshot  # type: ignore[attr-defined]
    (released,) = [e for e in env.sink.events if e.kind == "package.released"]
    assert released.details["master_snapshot"] == env.snapshot


def test_a_later_snapshot_is_what_the_next_submission_uses(env: Env) -> None:
    from tests.submit.helpers import write_master

    from matchgate.services.master.store import load_master

    loaded = load_master(App(env.settings), write_master(env.tmp / "newer")).snapshot.id
    assert loaded != env.snapshot
    result = env.submit(_requests(env), matcher=ScriptedMatcher({"R1": ("match", "P1")}))
    assert result.master_snapshot_id == loaded


# -- the key register ------------------------------------------------------------------------------


def test_a_key_whose_id_is_not_the_confirmed_fingerprint_is_refused(env: Env) -> None:
    made = make_keys(env.tmp / "k", "other")
    sink = MemorySink()
    wrong = key_id(load_public_key(env.keys.recipient_pub))
    with pytest.raises(InputError, match="does not equal the fingerprint"):
        add_recipient_key(
            App(env.settings, audit=sink), "DHS", made.public_key, wrong, caller=env.accounts.admin
        )
    with pytest.raises(InputError, match="32 hex digits"):
        add_recipient_key(
            App(env.settings, audit=sink), "DHS", made.public_key, "abc", caller=env.accounts.admin
        )
    assert sink.events == []
    listed = list_recipient_keys(App(env.settings), "DHS", caller=env.accounts.admin)
    assert [k.key_id for k in listed] == [wrong]  # only the key registered by the fixture


def test_rotation_retires_the_old_key_and_seals_to_the_new(env: Env) -> None:
    old = key_id(load_public_key(env.keys.recipient_pub))
    made = make_keys(env.tmp / "k", "dhs-2026")
    sink = MemorySink()
    added = add_recipient_key(
        App(env.settings, audit=sink),
        "DHS",
        made.public_key,
        made.key_id.upper(),
        caller=env.accounts.admin,
    )
    assert (added.key_id, added.status) == (made.key_id, "current")
    admin = env.accounts.admin
    listed = {k.key_id: k.status for k in list_recipient_keys(App(env.settings), caller=admin)}
    assert listed[old] == "retired"
    assert listed[made.key_id] == "current"
    (event,) = sink.events
    assert (event.kind, event.agency) == ("recipient_key.registered", "DHS")
    assert event.details == {"key_id": made.key_id, "retired": old}
    result = env.submit(_requests(env), matcher=ScriptedMatcher({"R1": ("match", "P1")}))
    assert result.recipient_key_id == made.key_id
    assert result.package is not None
    with pytest.raises(PackageError):
        _open(env, result.package, env.keys.recipient, "old")
    _open(env, result.package, made.private_key, "new")
    with pytest.raises(InputError, match="already registered"):
        add_recipient_key(
            App(env.settings, audit=sink),
            "DHS",
            made.public_key,
            made.key_id,
            caller=env.accounts.admin,
        )


def test_a_revoked_key_is_never_sealed_to_and_the_submission_is_refused_unrecorded(
    env: Env,
) -> None:
    dhs = key_id(load_public_key(env.keys.recipient_pub))
    sink = MemorySink()
    revoked = revoke_recipient_key(App(env.settings, audit=sink), dhs, caller=env.accounts.admin)
    assert revoked.status == "revoked"
    assert [(e.kind, e.details) for e in sink.events] == [
        ("recipient_key.revoked", {"key_id": dhs})
    ]
    with pytest.raises(ConfigurationError, match="no current key"):
        env.submit(_requests(env), matcher=ScriptedMatcher())
    assert env.sink.events == []  # nothing recorded: not even the receipt
    assert not (env.settings.workspace / "submissions").exists()
    with pytest.raises(InputError, match="already revoked"):
        revoke_recipient_key(App(env.settings, audit=sink), dhs, caller=env.accounts.admin)


def test_another_agency_cannot_register_list_or_revoke_keys_and_is_audited(env: Env) -> None:
    dhs_admin = env.accounts.user("dhs-admin", "DHS", "administrator")
    dhs_auditor = env.accounts.user("dhs-auditor", "DHS", "auditor")
    uscis_admin = env.accounts.user("uscis-admin", "DHS-USCIS", "administrator", "auditor")
    dhs = key_id(load_public_key(env.keys.recipient_pub))
    uscis = key_id(load_public_key(env.keys.uscis_pub))
    sink = MemorySink()
    with pytest.raises(AccessDenied):
        add_recipient_key(
            App(env.settings, audit=sink), "DHS", env.keys.uscis_pub, uscis, caller=dhs_admin
        )
    with pytest.raises(InputError, match="no registered key"):  # another's: as if none
        revoke_recipient_key(App(env.settings, audit=sink), dhs, caller=uscis_admin)
    with pytest.raises(AccessDenied):  # its own agency's, but not the host's administrator
        revoke_recipient_key(App(env.settings, audit=sink), dhs, caller=dhs_admin)
    assert [e.details["reason"] for e in sink.events] == ["wrong_side", "not_party", "wrong_side"]
    assert all(e.kind == "access.denied" for e in sink.events)
    assert [k.key_id for k in list_recipient_keys(App(env.settings), caller=dhs_auditor)] == [dhs]
    assert [k.key_id for k in list_recipient_keys(App(env.settings), caller=uscis_admin)] == [uscis]
    with pytest.raises(AccessDenied):
        list_recipient_keys(App(env.settings), caller=env.submitter)
    with session(store_url(env.settings)) as s:
        current = key_store.current_key(s, "DHS")
        assert current is not None
        assert current.status == "current"


# -- held files ------------------------------------------------------------------------------------


def _held(env: Env, agreement: str = "capped") -> str:
    env.add(agreement_variant(env.tmp / "agreements", agreement, max_records_per_file=3))
    held = env.submit(_requests(env), agreement, matcher=ScriptedMatcher())
    assert held.status is SubmissionStatus.NEEDS_CONSULTATION
    return held.job_id


def test_a_dry_run_over_the_cap_says_the_real_run_would_be_held(env: Env) -> None:
    env.add(agreement_variant(env.tmp / "agreements", "capped", max_records_per_file=3))
    dry = env.submit(_requests(env), "capped", dry_run=True, matcher=ScriptedMatcher())
    assert dry.status is SubmissionStatus.VALIDATED
    assert dry.code == "R_VOLUME_EXCEEDED"
    assert dry.message is not None
    assert "would be held for consultation" in dry.message
    assert dry.report["would_hold"]["code"] == "R_VOLUME_EXCEEDED"
    stored = get_submission(App(env.settings), dry.job_id, caller=env.submitter)
    assert stored.status == "validated"
    assert stored.message == dry.message
    under = env.submit(_requests(env), dry_run=True, matcher=ScriptedMatcher())
    assert (under.code, under.message) == (None, None)


def test_release_under_a_later_agreement_version_is_not_a_duplicate(env: Env) -> None:
    job = _held(env)
    later = agreement_variant(
        env.tmp / "agreements-v2", "capped", max_records_per_file=10, version=2
    )
    env.add(later)
    sink = MemorySink()
    with pytest.raises(InputError, match="not the one in force"):
        release_held(
            App(env.settings, audit=sink), job, "agreed", caller=env.po, subject=subject,
            agreement_version=1, on=DAY, out_dir=env.out,
        )  # fmt: skip
    assert sink.events == []
    result = release_held(
        App(env.settings, audit=sink), job,
        "Cap raised to 10 per file in version 2, agreed by phone",
        caller=env.po, subject=subject, agreement_version=2, on=DAY,
        out_dir=env.out, matcher=ScriptedMatcher({"R1": ("match", "P1")}),
    )  # fmt: skip
    assert result.status is SubmissionStatus.DISCLOSED, result
    assert (result.job_id, result.agreement_version) == (job, 2)
    assert result.package is not None
    assert sink.kinds()[:2] == ["submission.consulted", "submission.accepted"]
    consulted = sink.events[0]
    assert consulted.details["outcome"] == "released"
    assert consulted.details["agreement_version"] == 2
    assert "phone" not in str(consulted.details)  # the text is stored, the log holds its hash
    stored = get_submission(App(env.settings), job, caller=env.recipient_po)
    assert stored.status == "disclosed"
    assert stored.consultation is not None
    assert stored.consultation["record"].startswith("Cap raised")
    assert (stored.consultation["by"], stored.consultation["agreement_version"]) == ("ssa-po", 2)
    with pytest.raises(InputError, match="not held"):
        release_held(App(env.settings, audit=sink), job, "again", caller=env.po, subject=subject)


def test_refusal_ends_a_held_submission_and_frees_its_file(env: Env) -> None:
    job = _held(env)
    sink = MemorySink()
    with pytest.raises(InputError, match="identifier"):
        refuse_held(App(env.settings, audit=sink), job, "about 123-45-6789", caller=env.po)
    with pytest.raises(InputError, match="at most"):
        refuse_held(App(env.settings, audit=sink), job, "x" * 2001, caller=env.po)
    refuse_held(App(env.settings, audit=sink), job, "Not within the agreed volume", caller=env.po)
    assert [(e.kind, e.details["outcome"]) for e in sink.events] == [
        ("submission.consulted", "refused")
    ]
    stored = get_submission(App(env.settings), job, caller=env.submitter)
    assert (stored.status, stored.code) == ("rejected", "E_HELD_REFUSED")
    assert stored.consultation is not None
    assert stored.consultation["outcome"] == "refused"
    with pytest.raises(InputError, match="not held"):
        refuse_held(App(env.settings, audit=sink), job, "again", caller=env.po)
    again = env.submit(_requests(env), "capped", matcher=ScriptedMatcher())  # digest freed
    assert again.status is SubmissionStatus.NEEDS_CONSULTATION


def test_only_the_disclosing_privacy_officer_decides_a_held_file_and_refusals_are_audited(
    env: Env,
) -> None:
    job = _held(env)
    reviewer = env.accounts.user("ssa-reviewer", "SSA", "reviewer")
    irs_po = env.accounts.user("irs-po", "IRS", "privacy_officer")
    sink = MemorySink()
    for caller in (env.submitter, env.recipient_po, reviewer):
        with pytest.raises(AccessDenied):
            refuse_held(App(env.settings, audit=sink), job, "no", caller=caller)
    with pytest.raises(SubmissionNotFound):
        release_held(App(env.settings, audit=sink), job, "ok", caller=irs_po, subject=subject)
    reasons = [(e.kind, e.details["reason"]) for e in sink.events]
    assert reasons == [
        ("access.denied", "no_role"),
        ("access.denied", "wrong_side"),
        ("access.denied", "no_role"),
        ("access.denied", "not_party"),
    ]
    stored = get_submission(App(env.settings), job, caller=env.po)
    assert stored.status == "needs_consultation"
    assert stored.consultation is None
