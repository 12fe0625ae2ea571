"""The gate before the log: well-formed events only, and nothing that looks personal."""

from __future__ import annotations

import pytest

from matchgate.audit import (
    AuditEvent,
    AuditEventRejected,
    AuditUnavailable,
    Disclosure,
    NotCanonical,
    canonical_json,
    check_event,
    kinds,
    parse_canonical,
    withdrawal_event,
)

S1, S2 = "a" * 64, "b" * 64


def _disclosure(**changes: object) -> Disclosure:
    fields: dict[str, object] = {
        "actor": "svc:disclose",
        "agreement": "reference-2025-08",
        "recipient": "DHS-USCIS",
        "purpose": "benefit-eligibility",
        "routine_uses": ("RU-31",),
        "package_id": "pkg-1",
    }
    fields.update(changes)
    return Disclosure(**fields)  # type: ignore[arg-type]


def test_a_plain_event_is_normalized() -> None:
    record = check_event(
        AuditEvent(
            kind="match.run",
            actor="svc:match",
            subjects=(S2, S1, S2),
            details={"rows": 5, "b": None, "a": 0.25, "ok": True},
        )
    )
    assert record.subjects == (S1, S2)
    assert list(record.details) == ["a", "b", "ok", "rows"]


@pytest.mark.parametrize(
    "value",
    [
        "123-45-6789",
        "123456789",
        "ssn 123 45 6789 here",
        "A123456789",
        "a-1234567",
        "A12345678",
        "a9463907-1c2d-4e5f-8a9b-0c1d2e3f4a5b A12345678",  # a UUID beside an A-number
    ],
)
def test_strings_that_look_like_ssns_or_a_numbers_are_refused_without_quoting_them(
    value: str,
) -> None:
    for event in (
        AuditEvent(kind="match.run", actor="svc", details={"note": value}),
        AuditEvent(kind="match.run", actor=value.replace(" ", "_")),
    ):
        with pytest.raises(AuditEventRejected) as caught:
            check_event(event)
        assert value not in str(caught.value)
        assert isinstance(caught.value, AuditUnavailable)  # callers that catch one catch both


@pytest.mark.parametrize(
    "value",
    [
        "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
        "2025-03-01",
        "E_ROW_SSN_INVALID",
        "1234567890123",
        "pkg-12",
        "a9463907-1c2d-4e5f-8a9b-0c1d2e3f4a5b",  # a package id (UUID) that starts a, 7 digits
    ],
)
def test_identifiers_that_are_not_ssn_shaped_pass(value: str) -> None:
    check_event(AuditEvent(kind="match.run", actor="svc", details={"id": value}))


@pytest.mark.parametrize(
    ("event", "where"),
    [
        (AuditEvent(kind="Match", actor="svc"), "kind"),
        (AuditEvent(kind="match.run", actor=""), "actor"),
        (AuditEvent(kind="match.run", actor="has space"), "actor"),
        (AuditEvent(kind="match.run", actor="svc", subjects=("123456789",)), "subjects"),
        (AuditEvent(kind="match.run", actor="svc", subjects=("A" * 64,)), "subjects"),
        (AuditEvent(kind="match.run", actor="svc", details={"Bad Key": 1}), "details"),
        (AuditEvent(kind="match.run", actor="svc", details={"x": [1]}), "details['x']"),
        (AuditEvent(kind="match.run", actor="svc", details={"x": float("nan")}), "details['x']"),
        (AuditEvent(kind="match.run", actor="svc", details={"x": 2**70}), "details['x']"),
        (AuditEvent(kind="match.run", actor="svc", details={"x": "line\nbreak"}), "details['x']"),
        (AuditEvent(kind="match.run", actor="svc", details={"x": "é"}), "details['x']"),
    ],
)
def test_malformed_events_are_refused_naming_the_field(event: AuditEvent, where: str) -> None:
    with pytest.raises(AuditEventRejected) as caught:
        check_event(event)
    assert caught.value.where == where


def test_a_disclosure_event_carries_what_the_accounting_needs() -> None:
    event = _disclosure(law_enforcement=True).event(["identity", "address", "identity"], [S2, S1])
    assert event.kind == kinds.DISCLOSURE_MADE
    assert event.details["categories"] == "address,identity"
    assert event.details["exempt_basis"]
    record = check_event(event)
    assert record.subjects == (S1, S2)
    answer = _disclosure(package_id=None, answer_id="ans-1").event(["citizenship"], [S1])
    assert check_event(answer).kind == kinds.VERIFICATION_ANSWERED


@pytest.mark.parametrize(
    ("drop", "where"),
    [
        ("recipient", "details['recipient']"),
        ("categories", "details['categories']"),
        ("purpose", "details['purpose']"),
        ("routine_use", "details['routine_use']"),
        ("package_id", "details['package_id']"),
    ],
)
def test_a_disclosure_missing_an_accounting_field_is_refused(drop: str, where: str) -> None:
    event = _disclosure().event(["identity"], [S1])
    details = dict(event.details)
    del details[drop]
    bad = AuditEvent(
        event.kind, event.actor, event.agency, event.agreement, event.subjects, details
    )
    with pytest.raises(AuditEventRejected) as caught:
        check_event(bad)
    assert caught.value.where == where


def test_a_disclosure_needs_an_agreement_subjects_and_a_basis_for_exemption() -> None:
    event = _disclosure().event(["identity"], [S1])
    for bad in (
        AuditEvent(event.kind, event.actor, event.agency, None, event.subjects, event.details),
        AuditEvent(event.kind, event.actor, event.agency, event.agreement, (), event.details),
        AuditEvent(
            event.kind,
            event.actor,
            event.agency,
            event.agreement,
            event.subjects,
            {**event.details, "law_enforcement": True},
        ),
        AuditEvent(
            event.kind,
            event.actor,
            event.agency,
            event.agreement,
            event.subjects,
            {**event.details, "categories": "identity,address"},  # not sorted
        ),
    ):
        with pytest.raises(AuditEventRejected):
            check_event(bad)


def test_package_or_answer_not_both() -> None:
    with pytest.raises(ValueError, match="not both"):
        _disclosure(answer_id="a-1")
    with pytest.raises(ValueError, match="not both"):
        _disclosure(package_id=None)


def test_events_group_people_by_the_categories_they_received() -> None:
    events = _disclosure().events(
        {
            S1: ["identity", "address"],
            S2: ["identity"],
            "c" * 64: ["address", "identity"],
            "d" * 64: [],
        }
    )
    assert [(e.details["categories"], e.subjects) for e in events] == [
        ("address,identity", (S1, "c" * 64)),
        ("identity", (S2,)),
    ]


def test_withdrawal_and_release_failed_events_are_checked() -> None:
    good = withdrawal_event(
        actor="po:x", subject=S1, reason="wrong_match", withdraws=[3, 1], notify=["VA"]
    )
    assert check_event(good).details["withdraws"] == "1,3"
    with pytest.raises(AuditEventRejected):
        check_event(
            withdrawal_event(actor="po:x", subject=S1, reason="because", withdraws=[], notify=[])
        )
    with pytest.raises(AuditEventRejected):
        check_event(AuditEvent(kind=kinds.RELEASE_FAILED, actor="svc", details={"entry": "x"}))


def test_canonical_json_is_strict() -> None:
    assert (
        canonical_json({"b": 1, "a": [0.5, None, "\u00e9"]}) == '{"a":[0.5,null,"\\u00e9"],"b":1}'
    )
    assert parse_canonical('{"a":1}') == {"a": 1}
    for text in ['{"a": 1}', '{"b":1,"a":2}', '{"a":1,"a":1}', "{", '{"a":NaN}']:
        with pytest.raises(NotCanonical):
            parse_canonical(text)


def test_the_public_namespace_is_complete() -> None:
    import matchgate.audit as audit

    public = {name for name in vars(audit) if not name.startswith("_")} - {"annotations"}
    modules = {name for name in public if type(vars(audit)[name]).__name__ == "module"}
    assert set(audit.__all__) == public - (modules - {"kinds"})
    assert len(audit.__all__) == len(set(audit.__all__))
