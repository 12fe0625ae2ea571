"""A request at the address a person lived at before: the master's ``addresses`` detail table
(beside the master file, data contract section 1) holds it, and the address level ``earlier``
finds it, in a one-shot run and against a loaded master alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import MASTER_COLUMNS, REQUEST_COLUMNS, Row, filler, read_output, write_csv
from matchgate.app.core import App
from matchgate.services.master.match import match_files
from matchgate.services.master.store import load_master
from matchgate.settings import Settings

ANJALI = {
    "person_id": "P-ANJALI",
    "ssn": "321-54-6666",
    "first_name": "Anjali",
    "last_name": "Raghunathan",
    "dob": "1979-03-14",
    "address_line": "88 Harbor View Rd",
    "zip": "98101",
}
"""Moved from Ohio to Seattle; no middle name to confirm her elsewhere."""
HISTORY = [
    {"person_id": "P-ANJALI", "address_line": "88 Harbor View Rd", "zip": "98101",
     "as_of": "2024-06-01", "source": "SSA"},
    {"person_id": "P-ANJALI", "address_line": "1204 Elm Street Apt 3", "zip": "43215",
     "as_of": "2016-02-01", "source": "SSA"},
]  # fmt: skip
DETAIL_COLUMNS = ("person_id", "address_line", "zip", "as_of", "source")


def ask(rid: str, **fields: str) -> Row:
    base = {k: ANJALI[k] for k in ("first_name", "last_name", "dob")}
    return {**base, "request_id": rid, **fields}


REQUESTS = [
    # her Ohio address, spelled as requesters do ("St", no unit comma): no SSN to tell
    ask("earlier", address_line="1204 ELM ST APT 3", zip="43215"),
    # an address she never had, in another ZIP code: a namesake elsewhere, or a move we do not
    # know of: for review, as before
    ask("elsewhere", address_line="9 Birch Ave", zip="60614"),
]


def _world(folder: Path, *, history: bool) -> Path:
    folder.mkdir()
    master = write_csv(folder / "master.csv", MASTER_COLUMNS, [ANJALI, *filler()])
    if history:
        write_csv(folder / "addresses.csv", DETAIL_COLUMNS, HISTORY)
    return master


@pytest.mark.parametrize("history", [True, False])
def test_an_earlier_address_confirms_names_and_birthday(tmp_path: Path, history: bool) -> None:
    master = _world(tmp_path / "master", history=history)
    requests = write_csv(tmp_path / "requests.csv", REQUEST_COLUMNS, REQUESTS)
    out = tmp_path / "out.csv"
    match_files(master, requests, out, settings=Settings(workspace=tmp_path / "ws"))
    rows = {row["request_id"]: row for row in read_output(out)}
    earlier = rows["earlier"]
    if history:
        assert (earlier["decision"], earlier["person_id"]) == ("match", "P-ANJALI")
        assert "agree with an earlier address" in earlier["reasons"]
    else:  # without the table, her old address is only another ZIP code
        assert earlier["decision"] == "possible", earlier["reasons"]
    assert rows["elsewhere"]["decision"] == "possible", rows["elsewhere"]["reasons"]


def test_a_loaded_master_keeps_the_earlier_addresses(tmp_path: Path) -> None:
    master = _world(tmp_path / "master", history=True)
    settings = Settings(workspace=tmp_path / "ws")
    load_master(App(settings), master)
    requests = write_csv(tmp_path / "requests.csv", REQUEST_COLUMNS, REQUESTS)
    out = tmp_path / "out.csv"
    match_files(None, requests, out, settings=settings)
    rows = {row["request_id"]: row for row in read_output(out)}
    assert (rows["earlier"]["decision"], rows["earlier"]["person_id"]) == ("match", "P-ANJALI")
