"""Build the minimized response to a submission: one JSON record per request row, in order.

Format ``matchgate-response/1`` (documented in docs/submissions.md):

* ``match``: ``request_id``, ``decision``, ``score``, ``reasons`` and ``records``: for each
  category the caller says may be disclosed that day, a list of items ``{"value": {...},
  "as_of": "YYYY-MM-DD" or null, "source": "..."}``; the value holds only the category's fields
  (:data:`CATEGORY_FIELDS`), and only those that are not empty;
* ``possible``: ``request_id``, ``decision`` and ``withheld`` (pending review); nothing else;
* ``no_match``: ``request_id``, ``decision`` and ``note``;
* every row may carry ``error_code`` and ``warning_codes`` about the request itself.

This stage knows nothing of agreements: the caller passes the disclosable categories as plain
strings (decided by governance), and this module adds nothing outside them. Values come from the
master row (identity, aliases, place of birth, citizenship; the address when no address table is
given) with the master snapshot's date as ``as_of``, and from the detail tables with their own.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RESPONSE_FORMAT = "matchgate-response/1"
RESPONSE_FILE = "response.jsonl"
SUMMARY_FILE = "disclosure.json"
RETURN_FILE = "return.txt"
MASTER_SOURCE = "master record"
WITHHELD = "pending review by the disclosing agency"
NO_MATCH_NOTE = "no confident match in the master file"
ALIAS_SEPARATOR = "|"

CATEGORY_FIELDS: dict[str, tuple[str, ...]] = {
    "identity": (
        "ssn",
        "first_name",
        "middle_name",
        "last_name",
        "dob",
        "sex",
        "a_number",
        "death_date",
    ),
    "aliases": ("name",),
    "address": ("address_line", "city", "state", "zip"),
    "place_of_birth": ("birth_city", "birth_state", "birth_country"),
    "banking": ("routing_number", "account_number", "account_type"),
    "phones": ("phone",),
    "emails": ("email",),
    "relatives": ("relationship", "first_name", "last_name"),
    "ip_addresses": ("ip", "seen_at"),
    "citizenship": ("citizenship",),
    "earnings": ("tax_year", "employer_ein", "employer_name", "wages"),
    "appointments": ("office_code", "office_city", "office_state", "starts_at", "service"),
}
"""Every record category (data contract, sections 1 and 5) and the fields a value of it holds.
A relative's ``relative_person_id`` is the disclosing agency's internal key: never disclosed."""

CATEGORY_TABLES: dict[str, str] = {
    "address": "addresses",
    "banking": "bank_accounts",
    "phones": "phones",
    "emails": "emails",
    "relatives": "relatives",
    "ip_addresses": "ip_addresses",
    "earnings": "earnings",
    "appointments": "appointments",
}
"""The detail table each category's values come from (address: from the master row without it)."""

Row = Mapping[str, str]


@dataclass(frozen=True)
class Answer:
    """The match decision for one request row, as the response reports it."""

    request_id: str
    decision: str
    score: float
    reasons: str
    person_id: str = ""
    error_code: str = ""
    warning_codes: tuple[str, ...] = ()


def _value(row: Row, category: str) -> dict[str, str]:
    return {f: str(row[f]) for f in CATEGORY_FIELDS[category] if row.get(f)}


def _item(value: dict[str, str], as_of: str | None, source: str) -> dict[str, Any]:
    return {"value": value, "as_of": as_of or None, "source": source}


def category_items(
    category: str,
    master: Row,
    details: Mapping[str, Sequence[Row]],
    *,
    snapshot_date: str,
) -> list[dict[str, Any]]:
    """The items of one category for one person. ``details`` maps a detail table name to that
    person's rows; a table absent from it was not available (not that the person has none)."""
    if category not in CATEGORY_FIELDS:
        raise ValueError(f"unknown category {category!r}")
    table = CATEGORY_TABLES.get(category)
    if table is not None and table in details:
        items = [
            _item(_value(row, category), row.get("as_of"), row.get("source") or table)
            for row in details[table]
        ]
        return [item for item in items if item["value"]]
    if category == "aliases":
        names = [n.strip() for n in master.get("other_names", "").split(ALIAS_SEPARATOR)]
        return [_item({"name": n}, snapshot_date, MASTER_SOURCE) for n in names if n]
    if category == "citizenship":
        value = _value(master, category)
        as_of = master.get("citizenship_as_of") or None
        return [_item(value, as_of, MASTER_SOURCE)] if value else []
    if table is not None and category != "address":
        return []
    value = _value(master, category)
    return [_item(value, snapshot_date, MASTER_SOURCE)] if value else []


def response_record(
    answer: Answer,
    *,
    disclosable: Collection[str],
    master: Row | None = None,
    details: Mapping[str, Sequence[Row]] | None = None,
    snapshot_date: str = "",
) -> dict[str, Any]:
    """The response record for one request row (see the module docstring)."""
    record: dict[str, Any] = {"request_id": answer.request_id, "decision": answer.decision}
    if answer.decision == "match":
        if master is None:
            raise ValueError("a match needs the person's master row")
        record["score"] = answer.score
        record["reasons"] = answer.reasons
        record["records"] = {
            category: category_items(category, master, details or {}, snapshot_date=snapshot_date)
            for category in CATEGORY_FIELDS
            if category in disclosable
        }
    elif answer.decision == "possible":
        record["withheld"] = WITHHELD
    else:
        record["note"] = NO_MATCH_NOTE
    if answer.error_code:
        record["error_code"] = answer.error_code
    if answer.warning_codes:
        record["warning_codes"] = list(answer.warning_codes)
    return record


def write_jsonl(records: Iterable[Mapping[str, Any]], path: Path) -> int:
    """Write one compact JSON object per line (UTF-8); the number written."""
    count = 0
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
            count += 1
    return count


@dataclass(frozen=True)
class DisclosureSummary:
    """What was disclosed and refused, and why: the package's ``disclosure.json``."""

    job_id: str
    agreement_id: str
    agreement_version: int
    disclosed_on: str
    disclosing: str
    recipient: str
    purpose: str
    marking: str
    disclosed: Mapping[str, Sequence[str]]
    """Category -> ids of the routine uses relied on."""
    refused: Mapping[str, Sequence[tuple[str, str]]]
    """Category -> (refusal code, reason), for every category not disclosed."""
    counts: Mapping[str, int]
    files: Sequence[str]
    notes: Sequence[str] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "format": RESPONSE_FORMAT,
            "marking": self.marking,
            "job_id": self.job_id,
            "agreement": {"id": self.agreement_id, "version": self.agreement_version},
            "disclosed_on": self.disclosed_on,
            "disclosing": self.disclosing,
            "recipient": self.recipient,
            "purpose": self.purpose,
            "categories": {
                "disclosed": {
                    category: {
                        "fields": list(CATEGORY_FIELDS[category]),
                        "routine_uses": list(self.disclosed[category]),
                    }
                    for category in CATEGORY_FIELDS
                    if category in self.disclosed
                },
                "refused": {
                    category: [{"code": code, "reason": reason} for code, reason in reasons]
                    for category, reasons in self.refused.items()
                },
            },
            "counts": dict(self.counts),
            "withheld_pending_review": self.counts.get("possible", 0),
            "files": list(self.files),
            "notes": list(self.notes),
        }

    def write(self, path: Path) -> None:
        path.write_text(
            json.dumps(self.to_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
