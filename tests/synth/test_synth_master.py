"""The master file and its detail tables look like the population the matcher serves."""

from __future__ import annotations

import collections
import datetime as dt
import re
import unicodedata
from typing import Any

import numpy as np
import pytest
from tests.synth.conftest import World
from tests.synth.fixture_tables import SURNAMES

from matchgate.synth.dates import REFERENCE_DATE
from matchgate.synth.finance import aba_check_digit
from matchgate.synth.ids import valid_ssn
from matchgate.synth.population import generate_people
from matchgate.synth.sampling import rng_for
from matchgate.synth.tables import ORIGIN_MIX, ORIGINS, RefTables

CITIZENSHIP = {
    "US_CITIZEN",
    "LAWFUL_ALIEN_WORK_AUTHORIZED",
    "LAWFUL_ALIEN_NOT_WORK_AUTHORIZED",
    "OTHER",
    "",
}


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def test_ssns_are_valid_and_unique(world: World) -> None:
    ssns = [p["ssn"] for p in world.master]
    assert all(valid_ssn(s) for s in ssns)
    assert len(set(ssns)) == len(ssns)


def test_person_ids_are_unique_hex(world: World) -> None:
    ids = [p["person_id"] for p in world.master]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[0-9a-f]{16}", i) for i in ids)


def test_fields_are_well_formed(world: World) -> None:
    today = _date(REFERENCE_DATE)
    for p in world.master:
        assert p["sex"] in {"M", "F", "U"}
        assert p["citizenship"] in CITIZENSHIP
        born = _date(p["dob"])
        assert born <= today
        if p["death_date"]:
            assert born <= _date(p["death_date"]) <= today
        if p["citizenship_as_of"]:
            assert _date(p["citizenship_as_of"]) <= today
        if p["a_number"]:
            assert re.fullmatch(r"A?\d{8,9}", p["a_number"]), p["a_number"]
        assert re.fullmatch(r"\d{5}", p["zip"])
        assert p["first_name"]
        assert p["last_name"]
        assert p["address_line"]


def test_population_shape(world: World) -> None:
    n = len(world.master)
    dead = sum(1 for p in world.master if p["death_date"]) / n
    assert 0.1 < dead < 0.45
    citizens = sum(1 for p in world.master if p["citizenship"] == "US_CITIZEN") / n
    assert 0.8 < citizens < 0.97
    aliens = [p for p in world.master if p["citizenship"].startswith("LAWFUL_ALIEN")]
    assert aliens
    assert all(p["birth_country"] != "US" for p in aliens)
    assert sum(1 for p in aliens if p["a_number"]) / len(aliens) > 0.9
    naturalized = [
        p for p in world.master if p["citizenship"] == "US_CITIZEN" and p["birth_country"] != "US"
    ]
    assert len(naturalized) > 100
    assert sum(1 for p in naturalized if p["a_number"]) / len(naturalized) > 0.9
    born_here = [p for p in world.master if p["birth_country"] == "US"]
    assert sum(1 for p in born_here if p["a_number"]) == 0
    assert all(len(p["birth_state"]) == 2 for p in born_here)
    middle = sum(1 for p in world.master if p["middle_name"]) / n
    assert 0.4 < middle < 0.9
    upper = sum(1 for p in world.master if p["last_name"].isupper()) / n
    assert 0.08 < upper < 0.4


def test_married_women_keep_their_earlier_names(world: World) -> None:
    married = [p for p in world.master if p["other_names"]]
    assert len(married) > 0.1 * len(world.master)
    for p in married:
        assert p["sex"] in {"F", "U"}
        for earlier in p["other_names"].split("|"):
            assert earlier.startswith(p["first_name"])
            assert earlier != f"{p['first_name']} {p['middle_name']}".strip()
    assert any("|" in p["other_names"] for p in married)


def test_suffixes_on_some_men(world: World) -> None:
    suffixed = [p for p in world.master if re.search(r" (Jr|Sr|II|III)$", p["last_name"], re.I)]
    assert suffixed
    assert all(p["sex"] in {"M", "U"} for p in suffixed)


def test_hispanic_compound_surnames(world: World) -> None:
    hispanic = set(SURNAMES["hispanic"])
    compound = [
        p
        for p in world.master
        if re.split(r"[ -]", p["last_name"].title())[0] in {h.title() for h in hispanic}
        and len(re.split(r"[ -]", p["last_name"])) >= 2
        and "De La" not in p["last_name"].title()
    ]
    assert len(compound) > 0.05 * len(world.master)
    assert any("-" in p["last_name"] for p in compound)


def test_vietnamese_names_keep_diacritics(world: World) -> None:
    viet = {s.upper() for s in SURNAMES["vietnamese"]}
    names = [p["last_name"] for p in world.master if p["last_name"].upper() in viet]
    assert any(not n.isascii() for n in names)


def test_origin_mix_and_rare_surnames(tables: RefTables) -> None:
    n = 30_000
    index = np.arange(n)
    people = generate_people(
        tables, 1, rng_for(1, 99), index, ssn_slots=index, a_number_slots=index
    )
    origin = people.column("_origin").to_numpy()
    counts = np.bincount(origin, minlength=len(ORIGINS)) / n
    for i, name in enumerate(ORIGINS):
        assert counts[i] == pytest.approx(ORIGIN_MIX[name], abs=0.015), name
    surname = people.column("_surname1").to_pylist()
    for i, name in enumerate(ORIGINS):
        mine = [s for s, o in zip(surname, origin, strict=True) if o == i]
        known = {s.upper() for s in SURNAMES[name]}
        rare = sum(1 for s in mine if s.upper() not in known) / len(mine)
        if tables.syllable_start.has(name):
            assert 0.15 < rare < 0.35, name
        else:
            assert rare == 0, name
    common = collections.Counter(s.upper() for s in surname).most_common(1)[0][0]
    assert common in {"SMITH", "JOHNSON"}


def _relatives_in_master(world: World, p: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in world.rows_of("relatives", p["person_id"]) if r["relative_person_id"]]


def test_relatives_in_the_master_are_recorded_both_ways(world: World) -> None:
    links = [r for r in world.details["relatives"] if r["relative_person_id"]]
    assert len(links) > 0.04 * len(world.master)
    pairs = {(r["person_id"], r["relative_person_id"]) for r in links}
    inverse = {"PARENT": "CHILD", "CHILD": "PARENT", "SPOUSE": "SPOUSE", "SIBLING": "SIBLING"}
    for r in links:
        assert (r["relative_person_id"], r["person_id"]) in pairs
        other = world.by_id[r["relative_person_id"]]
        assert other["first_name"] == r["first_name"]
        assert other["last_name"] == r["last_name"]
        back = [
            x
            for x in world.rows_of("relatives", other["person_id"])
            if x["relative_person_id"] == r["person_id"]
        ]
        assert back[0]["relationship"] == inverse[r["relationship"]]


def test_twins_share_birth_date_surname_and_address(world: World) -> None:
    twins = 0
    for r in world.details["relatives"]:
        if r["relationship"] != "SIBLING" or not r["relative_person_id"]:
            continue
        a, b = world.by_id[r["person_id"]], world.by_id[r["relative_person_id"]]
        if a["dob"] != b["dob"]:
            continue
        twins += 1  # records are typed at different times: compare regardless of case
        assert a["last_name"].upper() == b["last_name"].upper()
        assert a["first_name"].upper() != b["first_name"].upper()
        assert [a[f].upper() for f in ("address_line", "city", "zip")] == [
            b[f].upper() for f in ("address_line", "city", "zip")
        ]
    assert twins > 0.01 * len(world.master)


def test_fathers_and_sons_sometimes_share_a_first_name(world: World) -> None:
    juniors = 0
    for r in world.details["relatives"]:
        if r["relationship"] != "PARENT" or not r["relative_person_id"]:
            continue
        child, parent = world.by_id[r["person_id"]], world.by_id[r["relative_person_id"]]
        assert child["address_line"].upper() == parent["address_line"].upper()
        assert _date(parent["dob"]) < _date(child["dob"])
        same_first = child["first_name"].upper() == parent["first_name"].upper()
        juniors += same_first and child["last_name"].upper().endswith(" JR")
    assert juniors > 10


def test_detail_rows_belong_to_master_people(world: World) -> None:
    today = _date(REFERENCE_DATE)
    for name, rows in world.details.items():
        for row in rows[:5_000]:
            person = world.by_id[row["person_id"]]
            as_of = _date(row["as_of"])
            assert as_of <= today, name
            assert _date(person["dob"]) <= as_of, name
            if person["death_date"] and name != "earnings":
                assert as_of <= _date(person["death_date"]), name
            assert row["source"], name


def test_address_history_ends_with_the_master_address(world: World) -> None:
    for p in world.master[:3_000]:
        history = world.rows_of("addresses", p["person_id"])
        assert 1 <= len(history) <= 4
        newest = max(r["as_of"] for r in history)
        latest = [(r["address_line"], r["zip"]) for r in history if r["as_of"] == newest]
        assert (p["address_line"], p["zip"]) in latest


def test_detail_values_are_well_formed(world: World) -> None:
    for row in world.details["bank_accounts"]:
        routing = row["routing_number"]
        assert re.fullmatch(r"\d{9}", routing)
        assert aba_check_digit(np.array([int(routing[:8])]))[0] == int(routing[8])
        assert row["account_type"] in {"CHECKING", "SAVINGS"}
        assert re.fullmatch(r"\d{8,12}", row["account_number"])
    for row in world.details["earnings"]:
        assert re.fullmatch(r"\d{2}-\d{7}", row["employer_ein"])
        assert float(row["wages"]) > 0
        assert row["employer_name"]
    for row in world.details["phones"]:
        assert re.fullmatch(r"[2-9]\d{2}-[2-9]\d{2}-\d{4}", row["phone"])
    for row in world.details["emails"]:
        assert re.fullmatch(r"[a-z0-9._]+@[a-z.]+", row["email"]), row["email"]
    for row in world.details["ip_addresses"]:
        assert all(0 <= int(o) <= 255 for o in row["ip"].split("."))
        dt.datetime.fromisoformat(row["seen_at"])
    for row in world.details["appointments"]:
        start = dt.datetime.fromisoformat(row["starts_at"])
        assert start.weekday() < 5


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    return re.sub(r"[^a-z]", "", text.lower())


def test_emails_are_derived_from_names(world: World) -> None:
    sample = world.details["emails"][:2_000]
    for row in sample:
        person = world.by_id[row["person_id"]]
        local = row["email"].split("@")[0]
        surname = _fold(re.sub(r" (Jr|Sr|II|III)$", "", person["last_name"], flags=re.I))
        assert surname in local or _fold(person["first_name"]) in local, row["email"]
    assert len({r["email"] for r in sample}) > 1_500
