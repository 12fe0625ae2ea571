"""Cross-field rules: the CMPPA section, markings, month arithmetic, partial coverage warnings."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from tests.governance.documents import DELETE, SAVE, document, edit, parse, rejection

from matchgate.governance import AgreementCode, coverage_gaps, coverage_warnings
from matchgate.governance.fields import add_months


def save_with(**program: Any) -> dict[str, Any]:
    doc = document(SAVE)
    for key, value in program.items():
        doc = edit(doc, f"computer_matching.matching_program.{key}", value)
    return doc


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2025, 5, 1), 18, date(2026, 11, 1)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),
        (date(2026, 3, 31), -3, date(2025, 12, 31)),
        (date(2026, 1, 5), -3, date(2025, 10, 5)),
    ],
)
def test_add_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_initial_term_is_at_most_18_months() -> None:
    assert rejection(save_with(initial_term_months=19)).code == AgreementCode.VALUE_RANGE
    shorter = parse(edit(save_with(initial_term_months=12), "expires", "2027-01-05"))
    program = shorter.computer_matching.matching_program
    assert program is not None
    assert program.end == date(2027, 1, 5)


def test_agreement_cannot_outlast_the_matching_program() -> None:
    error = rejection(save_with(initial_term_months=12))  # expires 2027-07-05 > 2027-01-05
    assert (error.field, error.code) == ("expires", AgreementCode.OUTSIDE_MATCHING_TERM)


def test_agreement_cannot_start_before_the_matching_program() -> None:
    error = rejection(edit(document(SAVE), "effective", "2026-01-04"))
    assert (error.field, error.code) == ("effective", AgreementCode.OUTSIDE_MATCHING_TERM)


def test_renewal_extends_the_term_by_at_most_12_months() -> None:
    renewal = {"approved": "2027-05-20", "months": 12, "compliance_certified": True}
    doc = edit(save_with(renewal=renewal), "expires", "2028-07-05")
    program = parse(doc).computer_matching.matching_program
    assert program is not None
    assert (program.initial_end, program.end) == (date(2027, 7, 5), date(2028, 7, 5))
    too_long = edit(save_with(renewal={**renewal, "months": 13}), "expires", "2028-07-05")
    error = rejection(too_long)
    assert error.field == "computer_matching.matching_program.renewal.months"
    assert error.code == AgreementCode.VALUE_RANGE


@pytest.mark.parametrize(
    ("approved", "ok"),
    [
        ("2027-04-04", False),  # more than 3 months before the initial term ends
        ("2027-04-05", True),
        ("2027-07-04", True),
        ("2027-07-05", False),  # the day the initial term has ended
    ],
)
def test_renewal_is_approved_in_the_3_months_before_the_term_ends(approved: str, ok: bool) -> None:
    renewal = {"approved": approved, "months": 6, "compliance_certified": True}
    doc = save_with(renewal=renewal)
    if ok:
        parse(doc)
    else:
        error = rejection(doc)
        assert error.code == AgreementCode.CMPPA_RENEWAL_WINDOW
        assert error.field == "computer_matching.matching_program.renewal.approved"


def test_renewal_needs_the_parties_certification() -> None:
    renewal = {"approved": "2027-05-20", "months": 6, "compliance_certified": False}
    error = rejection(save_with(renewal=renewal))
    assert error.code == AgreementCode.VALUE_NOT_PERMITTED


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"start": "2025-12-20"}, "start", "CMPPA_WAITING_PERIOD"),  # 29 days after OMB
        ({"sent_to_congress": "2025-11-09"}, "sent_to_congress", "DATE_ORDER"),
        ({"sent_to_omb": "2025-11-09"}, "sent_to_omb", "DATE_ORDER"),
        ({"dib_approved": DELETE}, "dib_approved", "FIELD_MISSING"),
    ],
)
def test_matching_program_dates(changes: dict[str, Any], field: str, code: str) -> None:
    error = rejection(save_with(**changes))
    assert error.field == f"computer_matching.matching_program.{field}"
    assert error.code == AgreementCode[code]


def test_waiting_period_counts_from_the_later_transmittal() -> None:
    # OMB received it on 2025-11-21: the program may start on 2025-12-21, not a day earlier.
    doc = edit(save_with(start="2025-12-21"), "effective", "2025-12-21")
    parse(edit(doc, "expires", "2027-06-21"))


def test_exactly_one_of_matching_program_and_exemption() -> None:
    doc = document(SAVE)
    doc["computer_matching"]["exemption"] = {"basis": "not a matching program"}
    assert rejection(doc).code == AgreementCode.CMPPA_CHOICE


@pytest.mark.parametrize(
    ("marking", "ok"),
    [
        ("CUI", True),
        ("CUI//SP-PRVCY", True),
        ("CUI//PRVCY", True),
        ("CUI//SP-PRVCY/SP-TAX", True),
        ("CUI//SP-PRVCY//NOFORN", True),
        ("CUI//SP-PRVCY//FED ONLY", True),
        ("CUI//SP-PRVCY//REL TO USA, CAN", True),
        ("CUI//SP-PRVCY//FEDCON/DL ONLY", True),
        ("CUI//FED ONLY", True),
        ("CUI//SP-PRVCY//SECRET SQUIRREL", False),
        ("cui//sp-prvcy", False),
        ("CUI//", False),
        ("CUI/SP-PRVCY", False),
        ("CUI//SP-PRVCY/", False),
        ("CONFIDENTIAL//SP-PRVCY", False),
        ("CUI//SP PRVCY", False),
        (" CUI//SP-PRVCY", False),
    ],
)
def test_protective_marking_is_a_cui_banner(marking: str, ok: bool) -> None:
    doc = edit(document(), "protective_marking", marking)
    if ok:
        assert parse(doc).protective_marking == marking
    else:
        assert rejection(doc).code == AgreementCode.FIELD_FORMAT


def test_shipped_examples_have_no_coverage_gaps() -> None:
    assert coverage_warnings(parse(document())) == ()
    assert coverage_warnings(parse(document(SAVE))) == ()


def test_partial_coverage_is_accepted_with_a_warning() -> None:
    # Banking is covered only by RU-SYN-31; move its effective date into the agreement's term.
    doc = edit(document(), "routine_uses[1].effective", "2025-09-15")
    doc = edit(doc, "routine_uses[0].rescinded", "2025-09-15")
    agreement = parse(doc)
    assert coverage_gaps(agreement, "banking") == [(date(2025, 8, 1), date(2025, 9, 15))]
    assert coverage_gaps(agreement, "identity") == []  # RU-SYN-17 covers it until RU-SYN-31
    warnings = coverage_warnings(agreement)
    assert len(warnings) == 6  # the six categories only RU-SYN-31 covers
    assert any(w.startswith("banking ") and "2025-09-15" in w for w in warnings)


def test_gap_in_the_middle_and_at_the_end() -> None:
    doc = edit(document(), "routine_uses[0].rescinded", "2025-10-01")
    doc = edit(doc, "routine_uses[1].effective", "2026-01-01")
    doc = edit(doc, "routine_uses[1].rescinded", "2027-01-01")
    agreement = parse(doc)
    assert coverage_gaps(agreement, "identity") == [
        (date(2025, 10, 1), date(2026, 1, 1)),
        (date(2027, 1, 1), date(2027, 8, 1)),
    ]
