"""Property tests: the policy functions agree with a brute-force reading of the agreement text.

Agreements are generated as plain documents (dicts of text, as a person would write them), read
through the real YAML path, and judged against an oracle that reads the document itself and
enumerates calendar days instead of comparing dates.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.governance.documents import document, parse

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

BASE = date(2025, 1, 1)
HORIZON = 900  # days after BASE that any generated date can reach
RECIPIENT, OTHER_RECIPIENT = "DHS", "DOJ"
PURPOSE, OTHER_PURPOSE = "locate-and-verify-identity", "other-use"
CATEGORIES = [c.value for c in Category]


def day(offset: int) -> date:
    return BASE + timedelta(days=offset)


@st.composite
def routine_use(draw: st.DrawFn, index: int, lo: int = 0, hi: int = HORIZON // 2) -> dict[str, Any]:
    start = draw(st.integers(lo, hi))
    use: dict[str, Any] = {
        "id": f"RU-{index}",
        "description": "generated",
        "citation": "generated (synthetic)",
        "effective": day(start).isoformat(),
        "recipients": draw(
            st.lists(
                st.sampled_from([RECIPIENT, OTHER_RECIPIENT]), min_size=1, max_size=2, unique=True
            )
        ),
        "purposes": draw(
            st.lists(st.sampled_from([PURPOSE, OTHER_PURPOSE]), min_size=1, max_size=2, unique=True)
        ),
        "categories": draw(
            st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=5, unique=True)
        ),
    }
    if draw(st.booleans()):
        use["rescinded"] = day(start + draw(st.integers(1, 300))).isoformat()
    return use


def _days(start: str, end: str | None) -> set[date]:
    """Every calendar day of ``[start, end)``, up to the horizon when there is no end."""
    first = date.fromisoformat(start)
    last = date.fromisoformat(end) if end else day(HORIZON + 400)
    return {first + timedelta(days=k) for k in range((last - first).days)}


class Reading:
    """The agreement text read by hand: a day set for the term and for each routine use."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.term = _days(doc["effective"], doc["expires"])
        recipient, purpose = doc["parties"]["recipient"]["code"], doc["purpose"]["code"]
        self.uses = [
            (_days(u["effective"], u.get("rescinded")), set(u["categories"]))
            for u in doc["routine_uses"]
            if recipient in u["recipients"] and purpose in u["purposes"]
        ]

    def disclosable(self, category: str, on: date) -> bool:
        """In force that day, listed by the agreement, and a routine use covering it that day."""
        return (
            on in self.term
            and category in self.doc["allowed_response_categories"]
            and any(on in days and category in covered for days, covered in self.uses)
        )


def _term_overlap(doc: dict[str, Any], use: dict[str, Any]) -> bool:
    term = _days(doc["effective"], doc["expires"])
    return bool(term & _days(use["effective"], use.get("rescinded")))


@st.composite
def agreements(draw: st.DrawFn) -> dict[str, Any]:
    """A valid agreement with a random routine-use history (valid: each allowed category is
    covered on some day of the term, which the generator ensures by adding a use if needed)."""
    doc = document()
    start = draw(st.integers(0, HORIZON // 2))
    length = draw(st.integers(1, 500))
    doc["effective"], doc["expires"] = day(start).isoformat(), day(start + length).isoformat()
    doc["computer_matching"] = {"exemption": {"basis": "generated"}}
    uses = [draw(routine_use(i)) for i in range(draw(st.integers(0, 5)))]
    allowed = draw(st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=12, unique=True))
    doc["routine_uses"] = uses
    doc["allowed_response_categories"] = allowed
    for category in allowed:
        if not any(
            RECIPIENT in u["recipients"]
            and PURPOSE in u["purposes"]
            and category in u["categories"]
            and _term_overlap(doc, u)
            for u in doc["routine_uses"]
        ):
            extra = draw(routine_use(len(doc["routine_uses"]), lo=start, hi=start + length - 1))
            extra["recipients"], extra["purposes"] = [RECIPIENT], [PURPOSE]
            extra["categories"] = sorted({*extra["categories"], category})
            doc["routine_uses"].append(extra)
    doc["max_records_per_file"] = draw(st.integers(1, 100_000))
    doc["max_files_per_month"] = draw(st.integers(1, 40))
    return doc


def interesting_days(doc: dict[str, Any]) -> list[date]:
    """Every boundary in the document, the day before it, and a few arbitrary days."""
    marks = [doc["effective"], doc["expires"]]
    for use in doc["routine_uses"]:
        marks += [use["effective"], use.get("rescinded") or use["effective"]]
    days = {date.fromisoformat(m) + timedelta(days=k) for m in marks for k in (-1, 0)}
    return sorted(days | {day(0), day(HORIZON)})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(agreements(), st.lists(st.integers(-30, HORIZON + 30), max_size=5))
def test_disclosable_iff_the_brute_force_reading_says_so(
    doc: dict[str, Any], extra_days: list[int]
) -> None:
    agreement = parse(doc)
    reading = Reading(doc)
    for on in interesting_days(doc) + [day(k) for k in extra_days]:
        expected = {c for c in CATEGORIES if reading.disclosable(c, on)}
        assert disclosable_categories(agreement, on) == expected, on
        assert in_force(agreement, on) == (on in reading.term)
        for category in CATEGORIES:
            reasons = refusal_reasons(agreement, category, on)
            assert (not reasons) == (category in expected), (category, on)
            codes = {r.code for r in reasons}
            listed = category in doc["allowed_response_categories"]
            assert (RefusalCode.CATEGORY_NOT_AGREED in codes) == (not listed)
            live = in_force(agreement, on)
            assert (
                RefusalCode.AGREEMENT_NOT_YET_EFFECTIVE in codes
                or RefusalCode.AGREEMENT_EXPIRED in codes
            ) == (not live)


@settings(max_examples=100, deadline=None)
@given(agreements(), st.integers(-30, HORIZON + 30))
def test_disclosable_is_within_the_agreement_and_empty_for_another_purpose(
    doc: dict[str, Any], offset: int
) -> None:
    agreement = parse(doc)
    on = day(offset)
    allowed = disclosable_categories(agreement, on)
    assert allowed <= set(agreement.allowed_response_categories)
    assert disclosable_categories(agreement, on, purpose=OTHER_PURPOSE) == frozenset()
    for category in CATEGORIES:
        codes = {r.code for r in refusal_reasons(agreement, category, on, purpose=OTHER_PURPOSE)}
        assert RefusalCode.PURPOSE_NOT_AGREED in codes


@settings(max_examples=100, deadline=None)
@given(agreements(), st.integers(0, 200_000), st.integers(0, 60))
def test_volume_exceeded_iff_a_cap_is_passed(doc: dict[str, Any], records: int, files: int) -> None:
    refusal = volume_exceeded(parse(doc), records, files)
    within = records <= doc["max_records_per_file"] and files + 1 <= doc["max_files_per_month"]
    assert (refusal is None) == within


REQUEST_COLUMNS = [
    "request_id", "first_name", "middle_name", "last_name", "ssn", "a_number", "dob",
    "address_line", "city", "state", "zip", "notes", "phone", "",
]  # fmt: skip


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.sampled_from(REQUEST_COLUMNS[1:11]), min_size=1, max_size=10, unique=True),
    st.lists(
        st.tuples(st.sampled_from(REQUEST_COLUMNS), st.sampled_from(["", " ", "upper"])),
        max_size=15,
    ),
)
def test_disallowed_request_fields_against_the_text(
    allowed: list[str], spelled: list[tuple[str, str]]
) -> None:
    if not {"first_name", "last_name"} & set(allowed):
        allowed = [*allowed, "last_name"]
    doc = {**document(), "allowed_request_fields": allowed}
    columns = [name.upper() if how == "upper" else name + how for name, how in spelled]
    refused = disallowed_request_fields(parse(doc), columns)
    expected: list[str] = []
    for column in columns:
        name = column.strip().lower()
        already = [c.strip().lower() for c in expected]
        if name != "request_id" and name not in allowed and name not in already:
            expected.append(column)
    assert refused == expected


@st.composite
def version_spans(draw: st.DrawFn) -> list[tuple[int, date, date]]:
    count = draw(st.integers(0, 5))
    spans = []
    for version in draw(st.lists(st.integers(1, 20), min_size=count, max_size=count, unique=True)):
        start = draw(st.integers(0, 400))
        spans.append((version, day(start), day(start + draw(st.integers(1, 400)))))
    return spans


@given(version_spans(), st.integers(-10, 820))
def test_governing_version_against_enumeration(
    spans: list[tuple[int, date, date]], offset: int
) -> None:
    """By hand: of the versions whose first day has come, the newest rules, if still in force."""
    from tests.governance.test_policy import V

    versions = [V(*span) for span in spans]
    on = day(offset)
    started = [v for v in versions if on in _days(v.effective.isoformat(), None)]
    newest = max(started, key=lambda v: v.version, default=None)
    expected = (
        newest
        if newest is not None
        and on in _days(newest.effective.isoformat(), newest.expires.isoformat())
        else None
    )
    assert governing_version(versions, on) == expected
