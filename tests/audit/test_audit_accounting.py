"""The accounting of disclosures from entries: lines, exemptions, corrections, retention."""

from __future__ import annotations

import datetime as dt

import pytest

from matchgate.audit import (
    AuditEvent,
    ChainHead,
    Disclosure,
    Entry,
    RetentionRefused,
    build_accounting,
    check_event,
    check_purge,
    earliest_purge_cutoff,
    kinds,
    plan_withdrawal,
    render_text,
    withdrawal_event,
)
from matchgate.domain.events import WithdrawalAcknowledged, WithdrawalNotified

ME, OTHER = "1" * 64, "2" * 64
T0 = dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC)


def _log(events: list[AuditEvent]) -> list[Entry]:
    head = ChainHead(log_id="0" * 32)
    return [head.append(check_event(e), T0 + dt.timedelta(days=i)) for i, e in enumerate(events)]


def _to(recipient: str, package: str, **kw: object) -> Disclosure:
    return Disclosure(
        actor="svc:disclose",
        agreement="reference-2025-08",
        recipient=recipient,
        purpose="benefit-eligibility",
        routine_uses=("RU-31",),
        package_id=package,
        agreement_version=2,
        recipient_name=f"{recipient} agency",
        purpose_text="eligibility for a benefit",
        legal_authority="42 U.S.C. 1306(a)",
        **kw,  # type: ignore[arg-type]
    )


def test_each_disclosure_naming_the_person_is_one_line() -> None:
    entries = _log(
        [
            _to("DHS-USCIS", "p1").event(["identity", "address"], [ME, OTHER]),
            AuditEvent(kind="match.run", actor="svc", subjects=(ME,), details={"rows": 3}),
            _to("VA", "p2").event(["identity"], [OTHER]),
            Disclosure(
                actor="svc:verify",
                agreement="save-verification",
                recipient="DHS-USCIS",
                purpose="status-check",
                routine_uses=("RU-12", "RU-7"),
                answer_id="ans-9",
            ).event(["citizenship"], [ME]),
        ]
    )
    accounting = build_accounting(entries, [ME])
    assert [(x.sequence, x.recipient, x.reference, x.categories) for x in accounting.lines] == [
        (0, "DHS-USCIS", "p1", ("address", "identity")),
        (3, "DHS-USCIS", "ans-9", ("citizenship",)),
    ]
    first = accounting.lines[0]
    assert first.date == dt.date(2025, 3, 1)
    assert (first.agreement, first.agreement_version, first.routine_uses) == (
        "reference-2025-08",
        2,
        ("RU-31",),
    )
    assert accounting.lines[1].kind == kinds.VERIFICATION_ANSWERED
    assert accounting.lines[1].routine_uses == ("RU-12", "RU-7")
    assert accounting.recipients() == ("DHS-USCIS",)


def test_law_enforcement_lines_are_withheld_from_the_person_without_a_trace() -> None:
    entries = _log(
        [
            _to("DHS-USCIS", "p1").event(["identity"], [ME]),
            _to("FBI", "p2", law_enforcement=True).event(["identity", "address"], [ME]),
            _to("VA", "p3", exempt_basis="5 U.S.C. 552a(k)(2)").event(["identity"], [ME]),
        ]
    )
    agency = build_accounting(entries, [ME])
    assert [x.exempt for x in agency.lines] == [False, True, True]
    person = agency.for_person()
    assert [x.recipient for x in person.lines] == ["DHS-USCIS"]
    shown = str(person.to_json(generated_at="2025-04-01T00:00:00.000000Z"))
    shown += render_text(person, generated_at="2025-04-01T00:00:00.000000Z", title="Your record")
    for hidden in ("FBI", "p2", "552a(k)", "552a(b)(7)", "withheld"):
        assert hidden not in shown
    assert "FBI" in render_text(agency, generated_at="2025-04-01T00:00:00.000000Z", title="Agency")


def test_a_withdrawal_marks_the_lines_and_lists_every_earlier_recipient() -> None:
    events = [
        _to("DHS-USCIS", "p1").event(["identity"], [ME]),
        _to("FBI", "p2", law_enforcement=True).event(["identity"], [ME]),
        _to("VA", "p3").event(["identity"], [ME]),
    ]
    before = build_accounting(_log(events), [ME])
    withdraws, notify = plan_withdrawal(before, "p3")
    assert withdraws == (2,)
    assert notify == ("DHS-USCIS", "FBI", "VA")  # 552a(c)(4): every recipient of the record
    assert plan_withdrawal(before, None)[0] == (0, 1, 2)
    assert plan_withdrawal(before, "nope")[0] == ()

    events.append(
        withdrawal_event(
            actor="po:lee",
            subject=ME,
            reason="wrong_match",
            withdraws=withdraws,
            notify=notify,
            package_id="p3",
        )
    )
    after = build_accounting(_log(events), [ME])
    assert after.lines[2].withdrawn_by == (3,)
    assert after.corrections[0].notify == ("DHS-USCIS", "FBI", "VA")
    person = after.for_person()
    assert person.corrections[0].notify == ("DHS-USCIS", "VA")  # the exempt recipient stays hidden
    text = render_text(person, generated_at="2025-04-01T00:00:00.000000Z", title="Your record")
    assert (
        "CORRECTED 2025-03-04: withdrawn (wrong match); DHS-USCIS not yet notified;"
        " VA not yet notified" in text
    )
    exported = person.to_json(generated_at="2025-04-01T00:00:00.000000Z")
    assert exported["disclosures"][1]["status"] == "withdrawn"
    assert exported["corrections"][0]["recipients_to_notify"] == ["DHS-USCIS", "VA"]
    assert [r["notified"] for r in exported["corrections"][0]["recipients"]] == [None, None]


def _notified(notice: str, recipient: str, withdrawal: int) -> AuditEvent:
    return WithdrawalNotified(
        actor="po:lee",
        agency=recipient,
        subjects=(ME,),
        notice_id=notice,
        withdrawal_entry=withdrawal,
        recipient=recipient,
        references="p1",
    ).audit_event()


def test_the_accounting_shows_per_recipient_notified_and_acknowledged_from_the_log() -> None:
    events = [
        _to("DHS-USCIS", "p1").event(["identity"], [ME]),
        _to("VA", "p3").event(["identity"], [ME]),
        withdrawal_event(
            actor="po:lee",
            subject=ME,
            reason="wrong_match",
            withdraws=(1,),
            notify=("DHS-USCIS", "VA"),
            package_id="p3",
        ),
        _notified("n1", "DHS-USCIS", 2),  # day 3: 2025-03-04
        _notified("n2", "VA", 2),  # day 4
        WithdrawalAcknowledged(
            actor="va-po",
            agency="VA",
            subjects=(ME,),
            notice_id="n2",
            withdrawal_entry=2,
            recipient="VA",
        ).audit_event(),  # day 5: 2025-03-06
        WithdrawalAcknowledged(  # a second acknowledgement does not move the first
            actor="va-other",
            agency="VA",
            subjects=(ME,),
            notice_id="n2",
            withdrawal_entry=2,
            recipient="VA",
        ).audit_event(),
    ]
    accounting = build_accounting(_log(events), [ME])
    text = render_text(accounting, generated_at="2025-04-01T00:00:00.000000Z", title="Agency")
    assert (
        "DHS-USCIS notified 2025-03-04, not yet acknowledged; "
        "VA notified 2025-03-05, acknowledged 2025-03-06 by va-po" in text
    )
    exported = accounting.to_json(generated_at="2025-04-01T00:00:00.000000Z")
    assert exported["corrections"][0]["recipients"] == [
        {
            "agency": "DHS-USCIS",
            "notice": "n1",
            "notified": "2025-03-04",
            "acknowledged": None,
            "acknowledged_by": None,
        },
        {
            "agency": "VA",
            "notice": "n2",
            "notified": "2025-03-05",
            "acknowledged": "2025-03-06",
            "acknowledged_by": "va-po",
        },
    ]
    # entries about someone else do not count for this person
    other = build_accounting(_log([*events[:3], _notified("n1", "DHS-USCIS", 2)]), ["ff" * 32])
    assert other.corrections == ()


def test_a_correction_of_only_withheld_lines_is_not_shown_to_the_person() -> None:
    events = [
        _to("DHS-USCIS", "p1").event(["identity"], [ME]),
        _to("FBI", "p2", law_enforcement=True).event(["identity"], [ME]),
        withdrawal_event(
            actor="po:lee", subject=ME, reason="wrong_match", withdraws=[1], notify=["FBI"]
        ),
    ]
    assert build_accounting(_log(events), [ME]).for_person().corrections == ()


def test_a_failed_release_is_shown_as_such() -> None:
    entries = _log(
        [
            _to("VA", "p1").event(["identity"], [ME]),
            AuditEvent(
                kind=kinds.RELEASE_FAILED,
                actor="svc",
                subjects=(ME,),
                details={"entry": 0, "error": "OSError"},
            ),
        ]
    )
    line = build_accounting(entries, [ME]).lines[0]
    assert not line.released
    assert "release failed" in render_text(
        build_accounting(entries, [ME]), generated_at="2025-04-01T00:00:00.000000Z", title="t"
    )


def test_nobody_else_is_in_my_accounting() -> None:
    entries = _log([_to("VA", "p1").event(["identity"], [OTHER])])
    assert build_accounting(entries, [ME]).lines == ()
    assert "No disclosures" in render_text(
        build_accounting(entries, [ME]), generated_at="2025-04-01T00:00:00.000000Z", title="t"
    )


@pytest.mark.parametrize(
    ("today", "limit"),
    [(dt.date(2030, 6, 15), dt.date(2025, 6, 15)), (dt.date(2028, 2, 29), dt.date(2023, 2, 28))],
)
def test_retention_refuses_a_purge_of_entries_younger_than_five_years(
    today: dt.date, limit: dt.date
) -> None:
    assert earliest_purge_cutoff(today) == limit
    check_purge(limit, today)
    check_purge(limit - dt.timedelta(days=400), today)
    with pytest.raises(RetentionRefused, match="5 years"):
        check_purge(limit + dt.timedelta(days=1), today)
