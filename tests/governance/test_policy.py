"""The policy functions on the shipped examples: worked cases a reviewer can check by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from tests.governance.documents import SAVE, document, edit, parse

from matchgate.governance import (
    Category,
    RefusalCode,
    disallowed_request_fields,
    disclosable_categories,
    governing_version,
    in_force,
    refusal_reasons,
    volume_exceeded,
)

REFERENCE_OUT = {
    "identity",
    "aliases",
    "address",
    "place_of_birth",
    "banking",
    "phones",
    "emails",
    "relatives",
    "ip_addresses",
}


def codes(reasons: tuple[object, ...]) -> set[str]:
    return {r.code.value for r in reasons}  # type: ignore[attr-defined]


def test_in_force_is_half_open() -> None:
    a = parse(document())  # 2025-08-01 to 2027-08-01
    assert not in_force(a, date(2025, 7, 31))
    assert in_force(a, date(2025, 8, 1))
    assert in_force(a, date(2027, 7, 31))
    assert not in_force(a, date(2027, 8, 1))


def test_reference_discloses_its_nine_categories_while_in_force() -> None:
    a = parse(document())
    assert disclosable_categories(a, date(2025, 9, 1)) == REFERENCE_OUT
    assert disclosable_categories(a, date(2025, 7, 31)) == frozenset()
    assert disclosable_categories(a, date(2027, 8, 1)) == frozenset()


@pytest.mark.parametrize("category", ["earnings", "appointments", "citizenship"])
def test_categories_outside_the_reference_are_refused_with_reasons(category: str) -> None:
    reasons = refusal_reasons(parse(document()), category, date(2025, 9, 1))
    assert codes(reasons) == {"R_CATEGORY_NOT_AGREED", "R_NO_ROUTINE_USE_IN_FORCE"}
    assert all(category in str(r) for r in reasons)


def test_refusals_name_the_dates() -> None:
    a = parse(document())
    early = refusal_reasons(a, "banking", date(2025, 7, 30))  # RU-SYN-31 is in force
    assert codes(early) == {"R_AGREEMENT_NOT_YET_EFFECTIVE"}
    assert "2025-08-01" in str(early[0])
    late = refusal_reasons(a, "banking", date(2027, 8, 1))
    assert codes(late) == {"R_AGREEMENT_EXPIRED"}
    assert "2027-08-01" in str(late[0])
    assert refusal_reasons(a, "banking", date(2027, 7, 31)) == ()


def test_routine_use_applies_from_its_effective_date() -> None:
    # The SORN is amended mid-term: RU-SYN-31 takes effect on 2025-09-15, RU-SYN-17 ends then.
    doc = edit(document(), "routine_uses[1].effective", "2025-09-15")
    a = parse(edit(doc, "routine_uses[0].rescinded", "2025-09-15"))
    before = disclosable_categories(a, date(2025, 9, 14))
    assert before == {"identity", "address", "place_of_birth"}
    assert disclosable_categories(a, date(2025, 9, 15)) == REFERENCE_OUT
    reasons = refusal_reasons(a, "banking", date(2025, 9, 14))
    assert codes(reasons) == {"R_NO_ROUTINE_USE_IN_FORCE"}
    assert "RU-SYN-31 takes effect on 2025-09-15" in str(reasons[0])


def test_rescinded_routine_use_stops_covering_on_its_rescission_date() -> None:
    a = parse(edit(document(), "routine_uses[1].rescinded", "2026-03-01"))
    assert Category.BANKING in disclosable_categories(a, date(2026, 2, 28))
    assert Category.BANKING not in disclosable_categories(a, date(2026, 3, 1))
    reasons = refusal_reasons(a, "banking", date(2026, 3, 1))
    assert "RU-SYN-31 was rescinded on 2026-03-01" in str(reasons[0])


def test_routine_use_for_another_recipient_or_purpose_does_not_cover() -> None:
    doc = edit(document(), "routine_uses[1].purposes", ["locate-and-verify-identity", "other"])
    doc = edit(doc, "routine_uses", [*doc["routine_uses"], _earnings_use("DOJ", "x")])
    doc = edit(doc, "allowed_response_categories", [*REFERENCE_OUT, "earnings"])
    doc["routine_uses"].append(_earnings_use("DHS", "locate-and-verify-identity", "2026-01-01"))
    a = parse(doc)
    assert Category.EARNINGS not in disclosable_categories(a, date(2025, 12, 31))
    assert Category.EARNINGS in disclosable_categories(a, date(2026, 1, 1))


def _earnings_use(recipient: str, purpose: str, effective: str = "2025-01-01") -> dict[str, object]:
    return {
        "id": f"RU-E-{recipient}-{effective}",
        "description": "earnings",
        "citation": "synthetic",
        "effective": effective,
        "recipients": [recipient],
        "purposes": [purpose],
        "categories": ["earnings"],
    }


def test_another_purpose_is_refused_until_onward_use_lands() -> None:
    a = parse(document())
    day = date(2025, 9, 1)
    assert disclosable_categories(a, day, purpose="locate-and-verify-identity") == REFERENCE_OUT
    assert disclosable_categories(a, day, purpose="other-use") == frozenset()
    assert codes(refusal_reasons(a, "identity", day, purpose="other-use")) == {
        "R_PURPOSE_NOT_AGREED",
        "R_NO_ROUTINE_USE_IN_FORCE",
    }


def test_unknown_category_is_refused_as_unknown() -> None:
    reasons = refusal_reasons(parse(document()), "credit_score", date(2025, 9, 1))
    assert codes(reasons) == {"R_CATEGORY_UNKNOWN"}


def test_save_discloses_citizenship_only() -> None:
    a = parse(document(SAVE))
    assert disclosable_categories(a, date(2026, 6, 1)) == {"citizenship"}
    assert codes(refusal_reasons(a, "identity", date(2026, 6, 1))) == {
        "R_CATEGORY_NOT_AGREED",
        "R_NO_ROUTINE_USE_IN_FORCE",
    }


def test_disallowed_request_fields() -> None:
    save = parse(document(SAVE))
    columns = ["request_id", "First_Name ", "last_name", "ssn", "a_number", "zip", "notes", "ZIP"]
    assert disallowed_request_fields(save, columns) == ["a_number", "zip", "notes"]
    assert disallowed_request_fields(parse(document()), columns) == ["notes"]
    assert disallowed_request_fields(save, []) == []


@pytest.mark.parametrize(
    ("records", "files", "exceeded"),
    [
        (0, 0, False),
        (50_000, 0, False),
        (50_001, 0, True),
        (1, 1, True),
        (60_000, 3, True),
    ],
)
def test_volume_caps_of_the_reference(records: int, files: int, exceeded: bool) -> None:
    refusal = volume_exceeded(parse(document()), records, files)
    assert (refusal is not None) == exceeded
    if refusal is not None:
        assert refusal.code == RefusalCode.VOLUME_EXCEEDED
        assert "consultation" in refusal.reason


def test_volume_reason_names_each_cap_exceeded() -> None:
    refusal = volume_exceeded(parse(document()), 60_000, 1)
    assert refusal is not None
    assert "60,000 records" in refusal.reason
    assert "1 files were already accepted" in refusal.reason


def test_volume_rejects_negative_counts() -> None:
    with pytest.raises(ValueError, match="negative"):
        volume_exceeded(parse(document()), -1, 0)


@dataclass(frozen=True)
class V:
    version: int
    effective: date
    expires: date


def test_governing_version_is_the_latest_that_has_taken_effect() -> None:
    v1 = V(1, date(2025, 1, 1), date(2026, 1, 1))
    v2 = V(2, date(2025, 7, 1), date(2025, 10, 1))  # a short amendment
    v3 = V(3, date(2026, 1, 1), date(2027, 1, 1))
    versions = [v3, v1, v2]
    assert governing_version(versions, date(2024, 12, 31)) is None
    assert governing_version(versions, date(2025, 6, 30)) == v1
    assert governing_version(versions, date(2025, 7, 1)) == v2
    assert governing_version(versions, date(2025, 10, 1)) is None  # v1 is not revived
    assert governing_version(versions, date(2026, 1, 1)) == v3
    assert governing_version(versions, date(2027, 1, 1)) is None
    assert governing_version([], date(2025, 1, 1)) is None
