"""``match --format ssnvs`` as a service: one return record per record, in order, with the codes
the contract asks for and the name tolerance it requires (truncation, removed spaces, hyphens
and apostrophes), on a hand-made master with the real matcher."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.submit.helpers import REQUESTS, ssnvs_record, write_master, write_ssnvs

from matchgate.app.core import App
from matchgate.disclosure.ssnvs import read_return_records
from matchgate.domain.errors import InputError
from matchgate.intake.ssnvs import read_ssnvs
from matchgate.services.disclosure.ssnvs import People, match_ssnvs_file, verifications
from matchgate.settings import Settings

CASES = [
    # (record, code, death indicator)
    (ssnvs_record("234567891", "DELACRUZGARCI", "MARIAJOSE", "", "03091975"), " ", "N"),
    (ssnvs_record("234567891", "DE LA CRUZ GA", "MARIA JOSE", "", ""), " ", "N"),
    (ssnvs_record("456789123", "MONTGOMERY", "CHRISTOPHE", "", "01151970"), " ", "N"),
    (ssnvs_record("345678912", "O'MALLEY", "SEAN", "", ""), " ", "Y"),
    (ssnvs_record("345678912", "OMALLEY", "SEAN", "PATRICK", "02011939"), " ", "Y"),
    (ssnvs_record("567891234", "DOE", "JANE", "Q", "06061990", gender="M"), " ", "N"),
    (ssnvs_record("567891234", "DOE", "JANE", "", "06071990"), "3", ""),
    (ssnvs_record("345678912", "SMITH", "JOHN", "", ""), "5", ""),
    (ssnvs_record("987654320", "NOBODY", "ATALL", "", "01011950"), "1", ""),
    (ssnvs_record("666123456", "TREMONT", "OLIVE", "", ""), "1", ""),
    (ssnvs_record("123456789", "", "", "", "04121961"), "6", ""),
    (ssnvs_record("123456789", "TREMONT", "OLIVE", "", "04121961", mark="TPV999"), "6", ""),
]


@pytest.fixture
def master(tmp_path: Path) -> Path:
    return write_master(tmp_path / "master", parquet=True)


def test_codes_positions_and_order(tmp_path: Path, master: Path) -> None:
    source = write_ssnvs(tmp_path / "monthly.txt", [r for r, _, _ in CASES], crlf=True)
    output = tmp_path / "return.txt"
    summary = match_ssnvs_file(App(Settings(workspace=tmp_path / "ws")), master, source, output)
    assert summary.records == len(CASES)
    assert summary.source == "matcher"
    back = list(read_return_records(output))
    assert [r.code for r in back] == [code for _, code, _ in CASES]
    assert [r.death_indicator for r in back] == [death for _, _, death in CASES]
    raw = output.read_bytes().split(b"\n")
    assert raw[-1] == b""
    for line, (record, code, _) in zip(raw, CASES, strict=False):
        assert len(line) == 130
        masked = code in (" ", "3", "6")
        assert line[:9] == (b"XXXXX" + record[5:9].encode() if masked else record[:9].encode())
        assert line[9:39] == record[15:45].encode()  # names echoed as submitted
        assert line[39:47] == record[45:53].encode()  # DOB echoed
        assert line[48:64].decode() == summary.confirmation
        assert line[97:98] == code.encode()
        assert line[98:101] == b"214"
        assert line[101:108] == record[123:130].encode()
    assert summary.codes == {" ": 6, "1": 2, "3": 1, "5": 1, "6": 2}


def test_a_file_that_is_not_fixed_width_is_refused(tmp_path: Path, master: Path) -> None:
    source = tmp_path / "requests.csv"
    source.write_text(REQUESTS)
    with pytest.raises(InputError) as caught:
        match_ssnvs_file(
            App(Settings(workspace=tmp_path / "ws")), master, source, tmp_path / "out.txt"
        )
    assert caught.value.code == "E_FILE_FORMAT"
    assert not (tmp_path / "out.txt").exists()


def test_malformed_fixed_width_file_writes_nothing(tmp_path: Path, master: Path) -> None:
    source = tmp_path / "bad.txt"
    record = CASES[0][0]
    source.write_bytes((record + "\n" + record[:-3] + "\n").encode())
    before = source.read_bytes()
    with pytest.raises(InputError) as caught:
        match_ssnvs_file(
            App(Settings(workspace=tmp_path / "ws")), master, source, tmp_path / "out.txt"
        )
    assert (caught.value.code, caught.value.row) == ("E_RECORD_LENGTH", 2)
    assert not (tmp_path / "out.txt").exists()
    assert source.read_bytes() == before


def test_codes_fall_back_without_the_matchers_column(tmp_path: Path) -> None:
    """A match output without ``ssa_code`` (e.g. from a matcher double) gets codes computed from
    its decisions and the master rows."""
    fixed = read_ssnvs(
        write_ssnvs(
            tmp_path / "r.txt",
            [
                ssnvs_record("123456789", "TREMONT", "OLIVE", "", "04121961"),
                ssnvs_record("123456789", "HART", "SEAN", "", ""),
            ],
        )
    )
    olive = {
        "person_id": "P1", "ssn": "123456789", "first_name": "Olive", "last_name": "Tremont",
        "dob": "1961-04-12", "death_date": "",
    }  # fmt: skip
    sean = {
        "person_id": "P3", "ssn": "345678912", "first_name": "Sean", "last_name": "Hart",
        "dob": "1939-02-01", "death_date": "2020-05-05",
    }  # fmt: skip
    people = People(by_ssn={"123456789": olive}, by_id={"P1": olive, "P3": sean})
    matches = {
        "request_id": ["1", "2"],
        "decision": ["match", "match"],
        "person_id": ["P1", "P3"],
    }
    answers = verifications(fixed.records, matches, people)
    assert [(a.code, a.located_ssn, a.death_indicator) for a in answers] == [
        (" ", "", "N"),
        ("*", "345678912", ""),
    ]
    with pytest.raises(ValueError, match="in order"):
        verifications(fixed.records, {**matches, "request_id": ["2", "1"]}, people)
