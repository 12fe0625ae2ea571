"""Property: whatever the agreement, its routine-use history, the day, the onward-use notices, the
request file and the matcher's answers, no response holds a field outside what the agreement
allows that day.

Each example writes an agreement as YAML, files and decides notices, submits a generated request
file (CSV, JSON Lines or fixed width) through ``submit_file`` with a matcher double that answers
anything (right or wrong people), and opens the package with ``matchgate open``. The expectation
is computed here from the agreement's YAML text (parsed with plain ``yaml.safe_load``, not with
matchgate's model or policy) and from the data contract's own field lists, written out below:

* the response may hold a category only if, that day, the agreement is in force, the purpose is
  its own or one whose notice was approved, the category is listed, and a routine use in force
  names the recipient, the purpose and the category;
* each value holds only that category's fields; and no master value of any other category
  appears anywhere in the decrypted files.

The default run keeps to about twenty seconds; ``-m slow`` runs thousands of examples.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import event as note
from hypothesis import strategies as st
from tests.accounts import Accounts
from tests.submit.conftest import Keys
from tests.submit.helpers import (
    MASTER,
    MemorySink,
    ScriptedMatcher,
    install_host_key,
    install_master,
    settings_for,
    ssnvs_record,
    subject,
    write_master,
    write_ssnvs,
)
from typer.testing import CliRunner

from matchgate.app.core import App
from matchgate.cli.main import app
from matchgate.services.administration.agreements import add_agreement
from matchgate.services.disclosure.notices import decide_notice, file_notice
from matchgate.services.submission.submit import SubmitOptions, submit_file
from matchgate.settings import Settings

# --- the data contract, read independently ---------------------------------------------------

CONTRACT_FIELDS: dict[str, set[str]] = {
    "identity": {"ssn", "first_name", "middle_name", "last_name", "dob", "sex", "a_number"}
    | {"death_date"},
    "aliases": {"name"},
    "address": {"address_line", "city", "state", "zip"},
    "place_of_birth": {"birth_city", "birth_state", "birth_country"},
    "banking": {"routing_number", "account_number", "account_type"},
    "phones": {"phone"},
    "emails": {"email"},
    "relatives": {"relationship", "first_name", "last_name"},
    "ip_addresses": {"ip", "seen_at"},
    "citizenship": {"citizenship"},
    "earnings": {"tax_year", "employer_ein", "employer_name", "wages"},
    "appointments": {"office_code", "office_city", "office_state", "starts_at", "service"},
}
CATEGORIES = sorted(CONTRACT_FIELDS)
MARKERS: dict[str, tuple[str, ...]] = {
    "identity": ("234567891", "345678912", "1961-04-12", "1939-02-01", "A01234567"),
    "aliases": ("Olive Marie Hart",),
    "address": ("8 Old Rd", "Peoria", "9 Ocean Ave", "7 Pine Rd"),
    "place_of_birth": ("Boston", "Dublin", "San Juan"),
    "banking": ("000123456789", "011000015"),
    "phones": ("217-555-0101",),
    "emails": ("olive@example.org",),
    "relatives": ("Ada",),
    "ip_addresses": ("203.0.113.7",),
    "citizenship": ("US_CITIZEN", "LAWFUL_ALIEN_WORK_AUTHORIZED"),
    "earnings": ("Acme Corp", "51234.00"),
    "appointments": ("Replacement card", "QZ12"),  # no hex digit string (job ids) holds it
}
"""Master values that belong to one category only: none may appear unless it is allowed."""
RECORD_KEYS = {"request_id", "decision", "score", "reasons", "records", "withheld", "note"}
RECORD_KEYS |= {"error_code", "warning_codes"}
REQUEST_FIELDS = ["first_name", "middle_name", "last_name", "ssn", "a_number", "dob"]
REQUEST_FIELDS += ["address_line", "city", "state", "zip"]
RECIPIENT = "DHS"
PURPOSE = "locate-and-verify-identity"
OTHER_PURPOSES = ["fraud-referral", "program-audit"]
PEOPLE = [line.split(",") for line in MASTER.strip().splitlines()[1:]]
HEADER = MASTER.split("\n", 1)[0].split(",")


def _day(text: Any) -> dt.date:
    return text if isinstance(text, dt.date) else dt.date.fromisoformat(str(text))


def allowed_that_day(
    document: dict[str, Any], day: dt.date, purpose: str, approved: set[str]
) -> set[str]:
    """The categories the agreement text allows on ``day`` for ``purpose`` (independent reading)."""
    if not (_day(document["effective"]) <= day < _day(document["expires"])):
        return set()
    own = document["purpose"]["code"]
    if purpose != own and purpose not in approved:
        return set()
    recipient = document["parties"]["recipient"]["code"]
    allowed = set()
    for category in document["allowed_response_categories"]:
        for use in document["routine_uses"]:
            started = _day(use["effective"]) <= day
            ended = use.get("rescinded") is not None and day >= _day(use["rescinded"])
            if (
                started
                and not ended
                and recipient in use["recipients"]
                and purpose in use["purposes"]
                and category in use["categories"]
            ):
                allowed.add(category)
    return allowed


# --- generators --------------------------------------------------------------------------------

BASE = dt.date(2025, 1, 1)
days = st.integers(min_value=-400, max_value=1500).map(lambda n: BASE + dt.timedelta(days=n))


@st.composite
def routine_use(draw: st.DrawFn, index: int, *, base: bool, near: dt.date = BASE) -> dict[str, Any]:
    """A routine use; ``near``: most take effect within a year around that day (a term start)."""
    around = st.integers(-365, 365).map(lambda n: near + dt.timedelta(days=n))
    effective = draw(st.one_of(around, around, days))
    use: dict[str, Any] = {
        "id": f"RU-{index}",
        "description": "synthetic routine use",
        "citation": f"99 FR {index} (synthetic)",
        "effective": effective.isoformat(),
    }
    if draw(st.booleans()):
        rescinded = effective + dt.timedelta(days=draw(st.integers(1, 900)))
        use["rescinded"] = rescinded.isoformat()
    if base:
        use["recipients"] = [RECIPIENT]
        use["purposes"] = [PURPOSE]
    else:
        use["recipients"] = draw(
            st.lists(st.sampled_from([RECIPIENT, "DOJ"]), min_size=1, max_size=2, unique=True)
        )
        use["purposes"] = draw(
            st.lists(
                st.sampled_from([PURPOSE, *OTHER_PURPOSES]), min_size=1, max_size=3, unique=True
            )
        )
    use["categories"] = draw(
        st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=12, unique=True)
    )
    return use


def _overlaps(use: dict[str, Any], start: dt.date, end: dt.date) -> bool:
    rescinded = use.get("rescinded")
    return _day(use["effective"]) < end and (rescinded is None or start < _day(rescinded))


@st.composite
def agreements(draw: st.DrawFn) -> dict[str, Any]:
    effective = draw(days)
    expires = effective + dt.timedelta(days=draw(st.integers(30, 1000)))
    uses = [draw(routine_use(0, base=True, near=effective))]
    more = range(1, draw(st.integers(0, 3)) + 1)
    uses += [draw(routine_use(i, base=False, near=effective)) for i in more]
    coverable = sorted(
        {
            c
            for u in uses
            if RECIPIENT in u["recipients"]
            and PURPOSE in u["purposes"]
            and _overlaps(u, effective, expires)
            for c in u["categories"]
        }
    )
    if not coverable:  # make the base use reach into the term
        uses[0]["effective"] = effective.isoformat()
        uses[0].pop("rescinded", None)
        coverable = sorted(uses[0]["categories"])
    allowed = draw(
        st.lists(st.sampled_from(coverable), min_size=1, max_size=len(coverable), unique=True)
    )
    names = draw(st.sampled_from([["first_name", "last_name"], ["last_name"], ["first_name"]]))
    extra = draw(st.lists(st.sampled_from(REQUEST_FIELDS), max_size=10, unique=True))
    return {
        "id": "prop",
        "version": 1,
        "title": "Generated agreement (synthetic)",
        "parties": {
            "disclosing": {"code": "SSA", "name": "Disclosing agency"},
            "recipient": {"code": RECIPIENT, "name": "Recipient agency"},
        },
        "legal_authorities": ["42 U.S.C. 1306(a)"],
        "system_of_records": {"name": "Synthetic system", "sorn_citation": "99 FR 1 (synthetic)"},
        "routine_uses": uses,
        "purpose": {"code": PURPOSE, "statement": "Locate and verify (synthetic)."},
        "channels": draw(st.sampled_from([["file"]] * 5 + [["single", "file"], ["single"]])),
        "allowed_request_fields": sorted({*names, *extra}),
        "allowed_response_categories": allowed,
        "max_records_per_file": draw(st.sampled_from([2, 1000])),
        "max_files_per_month": 5,
        "fee": {"amount": 0, "currency": "USD"},
        "retention": {"days": 30, "purge": ["request_files"]},
        "effective": effective.isoformat(),
        "expires": expires.isoformat(),
        "protective_marking": draw(st.sampled_from(["CUI//SP-PRVCY", "CUI//SP-PRVCY//NOFORN"])),
        "computer_matching": {"exemption": {"basis": "Not a matching program (synthetic)."}},
    }


@st.composite
def request_files(draw: st.DrawFn, allowed_fields: list[str]) -> tuple[str, list[dict[str, str]]]:
    fmt = draw(st.sampled_from(["csv", "jsonl", "ssnvs"]))
    pool = allowed_fields if draw(st.integers(0, 9)) else REQUEST_FIELDS
    columns = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=len(pool), unique=True))
    if not {"first_name", "last_name"} & set(columns):
        columns.append("last_name")
    rows = []
    for index in range(draw(st.integers(1, 5))):
        person = dict(zip(HEADER, draw(st.sampled_from(PEOPLE)), strict=True))
        row = {"request_id": f"Q{index}"}
        for column in columns:
            row[column] = person.get(column, "") if draw(st.integers(0, 4)) else ""
        rows.append(row)
    return fmt, rows


def write_requests(folder: Path, fmt: str, rows: list[dict[str, str]]) -> Path:
    if fmt == "ssnvs":
        records = []
        for row in rows:
            dob = row.get("dob", "")
            records.append(
                ssnvs_record(
                    row.get("ssn", "").replace("-", ""),
                    row.get("last_name", "").upper().replace("É", "E")[:13],
                    row.get("first_name", "").upper().replace("É", "E")[:10],
                    row.get("middle_name", "").upper()[:7],
                    f"{dob[5:7]}{dob[8:10]}{dob[0:4]}" if dob else "",
                )
            )
        return write_ssnvs(folder / "requests.txt", records)
    if fmt == "jsonl":
        path = folder / "requests.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        return path
    path = folder / "requests.csv"
    names = list(rows[0])
    lines = [",".join(names)] + [",".join(r[n] for n in names) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- the property ------------------------------------------------------------------------------

_ids = itertools.count()
runner = CliRunner()


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    document = draw(agreements())
    purpose = draw(st.sampled_from([PURPOSE, PURPOSE, *OTHER_PURPOSES]))
    notice = draw(st.sampled_from([None, "pending", "approved", "denied"]))
    fmt, rows = draw(request_files(document["allowed_request_fields"]))
    answers = {
        row["request_id"]: (
            draw(st.sampled_from(["match", "match", "possible", "no_match"])),
            draw(st.sampled_from(["P1", "P2", "P3", "P4", "P5"])),
        )
        for row in rows
    }
    if fmt == "ssnvs":  # a fixed-width record's request_id is its line number
        answers = {str(i + 1): a for i, a in enumerate(answers.values())}
    start, end = _day(document["effective"]), _day(document["expires"])
    inside = st.integers(-30, (end - start).days + 30).map(lambda n: start + dt.timedelta(days=n))
    return {
        "document": document,
        "day": draw(st.one_of(inside, inside, inside, days)),
        "purpose": purpose,
        "notice": notice,
        "format": fmt,
        "rows": rows,
        "answers": answers,
    }


class World:
    """One workspace for all examples of a run; each example has its own agreement id."""

    def __init__(self, root: Path, keys: Keys, master: Path) -> None:
        self.root = root
        self.keys = keys
        self.master = master
        self.settings: Settings = settings_for(root)
        accounts = Accounts(self.settings)
        self.po = accounts.user("ssa-po", "SSA", "privacy_officer")
        self.recipient_po = accounts.user("r-po", RECIPIENT, "privacy_officer")
        self.submitter = accounts.user("r-submitter", RECIPIENT, "submitter")
        install_master(self.settings, master)
        install_host_key(self.settings, keys.sender, keys.sender_pub)
        accounts.register_key(RECIPIENT, keys.recipient_pub)


def check(world: World, scenario: dict[str, Any]) -> None:
    n = next(_ids)
    document = dict(scenario["document"], id=f"prop-{n}")
    folder = world.root / f"x{n}"
    folder.mkdir()
    path = folder / "agreement.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    add_agreement(App(world.settings), path, caller=world.po)
    text = yaml.safe_load(path.read_text(encoding="utf-8"))  # the independent reading's source
    sink = MemorySink()
    approved: set[str] = set()
    purpose = scenario["purpose"]
    if purpose != PURPOSE and scenario["notice"] is not None:
        notice = file_notice(
            App(world.settings, audit=sink),
            text["id"],
            purpose,
            "proposed use",
            caller=world.recipient_po,
        )
        if scenario["notice"] != "pending":
            approve = scenario["notice"] == "approved"
            decide_notice(
                App(world.settings, audit=sink), notice.id, approve=approve, caller=world.po
            )
            if approve:
                approved.add(purpose)
    requests = write_requests(folder, scenario["format"], scenario["rows"])
    day = scenario["day"]
    options = SubmitOptions(
        out_dir=folder / "outbox",
        purpose=None if purpose == PURPOSE else purpose,
        on=day,
    )
    result = submit_file(
        App(world.settings, audit=sink),
        requests,
        text["id"],
        caller=world.submitter,
        options=options,
        subject=subject,
        matcher=ScriptedMatcher(scenario["answers"]),
    )
    allowed = allowed_that_day(text, day, purpose, approved)
    note(f"{result.status.value} {result.code or ''}".strip())
    note(f"{scenario['format']}, {len(allowed)} categories allowed")
    if not allowed or "file" not in text["channels"]:
        assert result.package is None, (result.status, result.code)
        assert result.status.value == "rejected"
        return
    if result.package is None:  # refused for the file or its volume, never for the policy
        assert result.code is not None
        assert result.code.startswith("E_") or result.code == "R_VOLUME_EXCEEDED", result.code
        return
    opened = folder / "opened"
    done = runner.invoke(
        app,
        ["open", str(result.package), "--key", str(world.keys.recipient),
         "--trust", str(world.keys.sender_pub), "--out", str(opened)],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert text["protective_marking"] in done.stdout
    response = (opened / "response.jsonl").read_text(encoding="utf-8")
    for line in response.splitlines():
        record = json.loads(line)
        assert set(record) <= RECORD_KEYS
        if record["decision"] != "match":
            assert "records" not in record
            assert "score" not in record
            continue
        assert set(record["records"]) <= allowed, (set(record["records"]), allowed)
        for category, items in record["records"].items():
            for item in items:
                assert set(item) == {"value", "as_of", "source"}
                assert set(item["value"]) <= CONTRACT_FIELDS[category]
    files = {p.name: p.read_text(encoding="utf-8") for p in opened.iterdir() if p.is_file()}
    if "identity" not in allowed:
        assert "return.txt" not in files
    everything = "\n".join(v for k, v in files.items() if k != "manifest.json")
    for category, markers in MARKERS.items():
        if category not in allowed:
            for marker in markers:
                assert marker not in everything, (category, marker)
    for event in sink.events:
        if event.kind == "disclosure.made":
            assert set(str(event.details["categories"]).split(",")) <= allowed


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, keys: Keys) -> World:
    root = tmp_path_factory.mktemp("property")
    return World(root, keys, write_master(root / "master"))


FAST = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@FAST
@given(scenario=scenarios())
def test_no_response_holds_a_field_outside_what_is_allowed_that_day(
    world: World, scenario: dict[str, Any]
) -> None:
    check(world, scenario)


@pytest.mark.slow
@settings(
    max_examples=3000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(scenario=scenarios())
def test_no_response_holds_a_field_outside_what_is_allowed_that_day_thousands(
    world: World, scenario: dict[str, Any]
) -> None:
    check(world, scenario)


def test_the_independent_reading_agrees_with_the_reference_example() -> None:
    """A fixed point for the reading itself: the reference arrangement on 2025-09-03."""
    text = yaml.safe_load(
        (Path(__file__).parents[2] / "examples/agreements/reference-2025-08.yaml").read_text()
    )
    assert allowed_that_day(text, dt.date(2025, 9, 3), PURPOSE, set()) == {
        "identity", "aliases", "address", "place_of_birth", "banking", "phones", "emails",
        "relatives", "ip_addresses",
    }  # fmt: skip
    assert len(allowed_that_day(text, dt.date(2025, 8, 1), PURPOSE, set())) == 9
    assert allowed_that_day(text, dt.date(2025, 7, 31), PURPOSE, set()) == set()
    assert allowed_that_day(text, dt.date(2027, 8, 1), PURPOSE, set()) == set()
    assert (
        allowed_that_day(text, dt.date(2025, 9, 3), "fraud-referral", {"fraud-referral"}) == set()
    )
