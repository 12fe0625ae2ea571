"""The request file and its truth: consistent, every discrepancy kind present and applied."""

from __future__ import annotations

import collections
import datetime as dt
import re
import unicodedata
from typing import Any

import pytest
from tests.synth.conftest import World

from matchgate.synth.dates import REFERENCE_DATE
from matchgate.synth.discrepancies import ABSENT_KINDS, KINDS, VOCABULARY

ADDRESS = ("address_line", "city", "state", "zip")
NAME_KINDS = {
    "typo",
    "nickname",
    "compound_surname_dropped",
    "compound_surname_reordered",
    "maiden_name",
    "transliteration",
    "diacritics_punct",
}


@pytest.fixture(scope="module", params=["test_tables", "package_tables"])
def world(request: pytest.FixtureRequest) -> World:
    """Every request test runs on the small test tables and on the packaged tables."""
    name = "world" if request.param == "test_tables" else "package_world"
    found: World = request.getfixturevalue(name)
    return found


def _kinds(case: str) -> list[str]:
    return case.split("+")


def _present(world: World) -> list[tuple[dict[str, str], dict[str, Any], list[str]]]:
    """(request, master person, case kinds) of every present row."""
    out = []
    for t in world.truth:
        if t["person_id"]:
            out.append(
                (
                    world.request_by_id[t["request_id"]],
                    world.by_id[t["person_id"]],
                    _kinds(t["case"]),
                )
            )
    return out


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in text if c.isalnum()).upper()


def test_truth_covers_every_request_once(world: World) -> None:
    ids = [r["request_id"] for r in world.requests]
    assert len(ids) == len(set(ids))
    assert [t["request_id"] for t in world.truth] == ids


def test_present_rows_name_master_people_and_absent_rows_do_not(world: World) -> None:
    master_ssns = {p["ssn"] for p in world.master}
    absent = 0
    for t in world.truth:
        case = _kinds(t["case"])
        assert set(case) <= VOCABULARY, t["case"]
        request = world.request_by_id[t["request_id"]]
        if t["person_id"]:
            assert t["person_id"] in world.by_id
            assert not case[0].startswith("absent")
            continue
        absent += 1
        assert case[0] in ABSENT_KINDS
        if case[0] == "absent_borrowed_ssn":
            assert request["ssn"] in master_ssns
        elif request["ssn"]:
            assert request["ssn"] not in master_ssns
    assert absent == round(0.15 * len(world.truth))


def test_present_people_are_requested_once(world: World) -> None:
    ids = [t["person_id"] for t in world.truth if t["person_id"]]
    assert len(ids) == len(set(ids))


def test_every_kind_reaches_two_percent(world: World) -> None:
    counts = collections.Counter(k for t in world.truth for k in _kinds(t["case"]))
    n = len(world.truth)
    for kind in (*KINDS, *ABSENT_KINDS, "twin", "parent_child", "name_only"):
        assert counts[kind] / n >= 0.02, (kind, counts[kind])
    assert 0.2 <= counts["clean"] / n <= 0.3
    multi = sum(1 for t in world.truth if len([k for k in _kinds(t["case"]) if k in KINDS]) >= 2)
    assert multi / n > 0.05


def test_rows_are_shuffled(world: World) -> None:
    first = [_kinds(t["case"])[0] for t in world.truth[:200]]
    assert any(k.startswith("absent") for k in first)
    assert any(not k.startswith("absent") for k in first)


def test_name_only_tag_marks_rows_without_ssn_dob_or_a_number(world: World) -> None:
    for t in world.truth:
        r = world.request_by_id[t["request_id"]]
        bare = not (r["ssn"] or r["dob"] or r["a_number"])
        assert ("name_only" in _kinds(t["case"])) == bare


def test_clean_rows_agree_with_the_master(world: World) -> None:
    for request, person, kinds in _present(world):
        if kinds not in (["clean"], ["twin"], ["parent_child"]):
            continue
        assert request["ssn"] == person["ssn"]
        assert request["dob"] == person["dob"]
        assert request["first_name"].upper() == person["first_name"].upper()
        assert request["last_name"].upper() == person["last_name"].upper()
        assert [request[f].upper() for f in ADDRESS] == [person[f].upper() for f in ADDRESS]
        if request["middle_name"]:
            assert person["middle_name"].upper().startswith(request["middle_name"].upper())


SPELLING = {"typo", "diacritics_punct"}


def _check(kind: str, kinds: list[str], r: dict[str, str], p: dict[str, Any], world: World) -> None:
    first, last = r["first_name"].upper(), r["last_name"].upper()
    if "name_order_swap" in kinds and kind != "name_order_swap":
        first, last = last, first
    if kind in NAME_KINDS and SPELLING - {kind} & set(kinds):
        return  # a second spelling change on top: checked alone elsewhere
    if kind == "compound_surname_dropped":
        parts = re.split(r"[ -]", p["last_name"].upper())
        assert len(parts) >= 2
        assert last != p["last_name"].upper()
        assert set(re.split(r"[ -]", last)) < set(parts)
    elif kind == "compound_surname_reordered":
        assert re.search(r"[ -]", p["last_name"])
        assert last != p["last_name"].upper()
        assert sorted(re.split(r"[ -]", last)) == sorted(re.split(r"[ -]", p["last_name"].upper()))
    elif kind == "maiden_name":
        earlier = [n.upper() for n in p["other_names"].split("|") if n]
        assert any(n.endswith(" " + last) for n in earlier)
    elif kind == "nickname":
        assert first != p["first_name"].upper()
    elif kind == "transliteration":
        assert (first, last) != (p["first_name"].upper(), p["last_name"].upper())
    elif kind == "name_order_swap":
        assert _fold(first) != _fold(p["first_name"])
    elif kind == "dob_day_month_swap":
        assert r["dob"] == f"{p['dob'][:4]}-{p['dob'][8:10]}-{p['dob'][5:7]}"
        assert r["dob"] != p["dob"]
    elif kind == "dob_year_error":
        assert r["dob"][:4] != p["dob"][:4]
        assert r["dob"][4:] == p["dob"][4:] or p["dob"][5:] == "02-29"
    elif kind == "dob_jan1_placeholder":
        assert r["dob"] == p["dob"][:4] + "-01-01" != p["dob"]
    elif kind == "dob_missing":
        assert r["dob"] == ""
    elif kind == "ssn_transposition":
        assert r["ssn"] != p["ssn"]
        assert sorted(r["ssn"]) == sorted(p["ssn"])
        diff = [i for i in range(9) if r["ssn"][i] != p["ssn"][i]]
        assert len(diff) == 2
        assert diff[1] == diff[0] + 1
    elif kind == "ssn_digit_error":
        assert sum(a != b for a, b in zip(r["ssn"], p["ssn"], strict=True)) == 1
    elif kind == "ssn_missing":
        assert r["ssn"] == ""
        assert r["a_number"] == ""
    elif kind == "a_number_only":
        assert r["ssn"] == ""
        assert p["a_number"]
        assert int(r["a_number"].lstrip("A")) == int(p["a_number"].lstrip("A"))
    elif kind == "address_missing":
        assert all(r[f] == "" for f in ADDRESS)
    elif kind == "old_address":
        assert r["address_line"].upper() != p["address_line"].upper()
        history = {h["address_line"].upper() for h in world.rows_of("addresses", p["person_id"])}
        assert r["address_line"].upper() in history


def test_each_kind_is_applied_as_described(world: World) -> None:
    seen: set[str] = set()
    for request, person, kinds in _present(world):
        for kind in kinds:
            if kind in KINDS:
                _check(kind, kinds, request, person, world)
                seen.add(kind)
    assert seen == set(KINDS)


def test_diacritics_and_punctuation_change_only_those(world: World) -> None:
    for request, person, kinds in _present(world):
        if kinds != ["diacritics_punct"]:
            continue
        fields = ("first_name", "middle_name", "last_name")
        got = [request[f].upper() for f in fields]
        want = [person[f].upper() for f in fields]
        assert [_fold(g) for g in got] == [
            _fold(w)[: len(_fold(g))] for g, w in zip(got, want, strict=True)
        ]
        assert got != want


def test_lookalike_tags_name_people_with_a_look_alike_in_the_master(world: World) -> None:
    for _request, person, kinds in _present(world):
        for tag in ("twin", "parent_child"):
            if tag not in kinds:
                continue
            links = [
                world.by_id[r["relative_person_id"]]
                for r in world.rows_of("relatives", person["person_id"])
                if r["relative_person_id"]
            ]
            if tag == "twin":
                assert any(o["dob"] == person["dob"] for o in links)
            else:
                assert any(abs(int(o["dob"][:4]) - int(person["dob"][:4])) >= 17 for o in links)


def test_absent_lookalikes_share_surname_and_birth_date_with_a_master_person(
    world: World,
) -> None:
    by_name_dob = collections.defaultdict(list)
    for p in world.master:
        by_name_dob[(p["last_name"].upper(), p["dob"])].append(p)
    rows = [t for t in world.truth if t["case"].startswith("absent_lookalike")]
    assert rows
    for t in rows:
        r = world.request_by_id[t["request_id"]]
        twins = by_name_dob[(r["last_name"].upper(), r["dob"])]
        assert twins
        assert all(p["first_name"].upper() != r["first_name"].upper() for p in twins)
        assert any(_fold(p["first_name"])[:1] == _fold(r["first_name"])[:1] for p in twins)


def test_east_asian_names_are_swapped_more_often(world: World) -> None:
    swapped = collections.Counter(
        t["origin"] in {"chinese", "korean", "vietnamese"}
        for t in world.truth
        if "name_order_swap" in _kinds(t["case"])
    )
    assert swapped[True] > swapped[False]


def test_request_fields_are_well_formed(world: World) -> None:
    for r in world.requests:
        assert r["first_name"]
        assert r["last_name"]
        if r["dob"]:
            assert dt.date.fromisoformat(r["dob"]) <= dt.date.fromisoformat(REFERENCE_DATE)
        if r["ssn"]:
            assert re.fullmatch(r"\d{9}", r["ssn"])
        if r["a_number"]:
            assert re.fullmatch(r"A?\d{8,9}", r["a_number"])
    cases = collections.Counter(
        "upper" if r["last_name"].isupper() else "lower" if r["last_name"].islower() else "mixed"
        for r in world.requests
    )
    assert min(cases.values()) > 0.02 * len(world.requests)


def test_missing_ssn_and_dob_also_occur_alone(world: World) -> None:
    for kind in ("ssn_missing", "dob_missing"):
        alone = [t for t in world.truth if kind in t["case"] and "name_only" not in t["case"]]
        assert len(alone) / len(world.truth) >= 0.02, kind
