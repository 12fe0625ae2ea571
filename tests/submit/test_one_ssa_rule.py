"""One SSA verification rule: the same claim gets the same code from the matcher's ``ssa_code``
(``match --format ssnvs``, submissions with the real matcher) and from the fallback a match
output without that column gets (the submission tests' stand-in, :class:`ScriptedMatcher`)."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow.parquet as pq
from tests.submit.helpers import ScriptedMatcher, ssnvs_record, write_ssnvs

from matchgate.domain.progress import NO_PROGRESS
from matchgate.intake.ssnvs import read_ssnvs
from matchgate.services.disclosure.ssnvs import People, verifications
from matchgate.services.master.match import match_files
from matchgate.settings import Settings

PEOPLE = [
    ("P1", "123456789", "Olive", "Tremont", "1961-04-12"),
    ("P2", "234567891", "William", "Hart", "1955-07-30"),
    ("P3", "345678912", "Min-jun", "Kim", "1991-11-03"),
    ("P4", "456789123", "Christopher", "Montgomery", "1970-01-15"),
    ("P5", "567891234", "Chidinma", "Okafor", "1984-03-17"),
    ("P6", "678912345", "Maria-José", "De La Cruz Garcia", "1975-03-09"),
    ("P7", "789123456", "Unknown", "Baptiste", "2001-05-05"),
]
CLAIMS = [
    # (record, the one rule's code)
    (ssnvs_record("234567891", "HART", "BILL", "", "07301955"), "5"),  # a nickname
    (ssnvs_record("345678912", "MINJUN", "KIM", "", "11031991"), "5"),  # names swapped
    (ssnvs_record("678912345", "DE LA CRUZ", "MARIA JOSE", "", ""), "5"),  # surname dropped
    (ssnvs_record("123456789", "TREMONTE", "OLIVE", "", "04121961"), "5"),  # close spelling
    (ssnvs_record("123456789", "TREMONT", "OLGA", "", ""), "5"),
    (ssnvs_record("456789123", "MONTGOMERY", "CHRISTOPHE", "", "01151970"), " "),  # cut at 10
    (ssnvs_record("678912345", "DE LA CRUZ GA", "MARIA-JOSE", "", "03091975"), " "),
    (ssnvs_record("567891234", "OKAFOR", "FNU", "", "03171984"), " "),  # placeholder: not compared
    (ssnvs_record("567891234", "OKAFOR", "FNU", "", "03171985"), "3"),
    (ssnvs_record("789123456", "BAPTISTE", "JEAN", "", "05052001"), " "),  # placeholder held
    (ssnvs_record("123456789", "TREMONT", "OLIVE", "", "04131961"), "3"),
    (ssnvs_record("987654320", "NOBODY", "ATALL", "", ""), "1"),
    (ssnvs_record("123456789", "LNU", "FNU", "", ""), "6"),  # no usable name
]


def _master(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["person_id", "ssn", "first_name", "last_name", "dob", "death_date"])
        for row in PEOPLE:
            writer.writerow([*row, ""])
    return path


def _people() -> People:
    rows = [
        {"person_id": p, "ssn": s, "first_name": f, "last_name": last, "dob": d, "death_date": ""}
        for p, s, f, last, d in PEOPLE
    ]
    return People(by_ssn={r["ssn"]: r for r in rows}, by_id={r["person_id"]: r for r in rows})


def test_same_claim_same_code_from_the_matcher_and_from_the_stand_in(tmp_path: Path) -> None:
    master = _master(tmp_path / "master.csv")
    source = write_ssnvs(tmp_path / "claims.txt", [record for record, _ in CLAIMS])
    records = read_ssnvs(source).records
    settings = Settings(workspace=tmp_path / "ws")

    real = tmp_path / "real.csv"
    match_files(master, source, real, settings=settings)
    with real.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    matched = {k: [r[k] for r in rows] for k in rows[0]}
    assert "ssa_code" in matched
    from_matcher = [a.code for a in verifications(records, matched, _people())]

    # The stand-in decides as the matcher did but writes no ssa_code: the fallback runs.
    stand_in = ScriptedMatcher({r["request_id"]: (r["decision"], r["person_id"]) for r in rows})
    scripted = tmp_path / "scripted.parquet"
    stand_in(master, source, scripted, settings=settings, progress=NO_PROGRESS)
    columns = pq.read_table(scripted).to_pydict()
    assert "ssa_code" not in columns
    from_stand_in = [a.code for a in verifications(records, columns, _people())]

    expected = [code for _, code in CLAIMS]
    assert from_matcher == expected
    assert from_stand_in == expected
