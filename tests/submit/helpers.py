"""Hand-made data for the submission tests: a small master with detail tables, fixed-width
records built position by position, audit sinks, and a quick matcher double. All synthetic."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from matchgate.app.core import App
from matchgate.domain.audit import AuditEvent, AuditReceipt, AuditUnavailable
from matchgate.domain.progress import Progress
from matchgate.settings import Settings

REFERENCE = Path(__file__).parents[2] / "examples" / "agreements" / "reference-2025-08.yaml"
SAVE = Path(__file__).parents[2] / "examples" / "agreements" / "save-verification.yaml"
DAY = dt.date(2025, 9, 3)
"""A day the reference arrangement is in force (RU-SYN-31 took effect on 2025-07-28)."""

MASTER = (
    "person_id,ssn,first_name,middle_name,last_name,other_names,dob,sex,birth_city,birth_state,"
    "birth_country,citizenship,citizenship_as_of,a_number,death_date,address_line,city,state,zip\n"
    "P1,123-45-6789,Olive,Marie,Tremont,Olive Marie Hart,1961-04-12,F,Boston,MA,US,US_CITIZEN,"
    "1961-05-01,,,1 Main St,Springfield,IL,62701\n"
    "P2,234-56-7891,Maria-José,,De La Cruz Garcia,,1975-03-09,F,San Juan,PR,US,US_CITIZEN,"
    "1975-04-01,,,9 Ocean Ave,Miami,FL,33101\n"
    "P3,345-67-8912,Sean,Patrick,O'Malley,,1939-02-01,M,Dublin,,IE,LAWFUL_ALIEN_WORK_AUTHORIZED,"
    "2001-01-01,A01234567,2020-05-05,5 Elm St,Chicago,IL,60601\n"
    "P4,456-78-9123,Christopher,,Montgomery,,1970-01-15,M,Denver,CO,US,US_CITIZEN,1970-02-01,,,"
    "7 Pine Rd,Denver,CO,80201\n"
    "P5,567-89-1234,Jane,Q,Doe,,1990-06-06,F,Austin,TX,US,US_CITIZEN,1990-07-01,,,3 Oak Ln,"
    "Austin,TX,73301\n"
)
"""Five SSN holders: a compound surname, a deceased holder, a long first name."""

DETAILS = {
    "addresses": (
        "person_id,address_line,city,state,zip,as_of,source\n"
        "P1,1 Main St,Springfield,IL,62701,2024-01-02,change of address\n"
        "P1,8 Old Rd,Peoria,IL,61602,2010-05-06,SS-5 application\n"
        "P3,5 Elm St,Chicago,IL,60601,2015-03-04,IRS W-2\n"
    ),
    "phones": "person_id,phone,as_of,source\nP1,217-555-0101,2023-03-03,online account\n",
    "emails": "person_id,email,as_of,source\nP1,olive@example.org,2022-02-02,online account\n",
    "bank_accounts": (
        "person_id,routing_number,account_number,account_type,as_of,source\n"
        "P1,011000015,000123456789,CHECKING,2021-01-01,bank enrollment\n"
    ),
    "relatives": (
        "person_id,relative_person_id,relationship,first_name,last_name,as_of,source\n"
        "P1,P9,CHILD,Ada,Tremont,2000-01-01,SS-5 application\n"
    ),
    "ip_addresses": (
        "person_id,ip,seen_at,as_of,source\nP1,203.0.113.7,2024-05-05T10:00:00Z,2024-05-05,"
        "online account\n"
    ),
    "earnings": (
        "person_id,tax_year,employer_ein,employer_name,wages,as_of,source\n"
        "P1,2023,12-3456789,Acme Corp,51234.00,2024-02-01,IRS W-2\n"
    ),
    "appointments": (
        "person_id,office_code,office_city,office_state,starts_at,service,as_of,source\n"
        "P1,QZ12,Springfield,IL,2025-10-01T09:00:00,Replacement card,2025-08-20,phone\n"
    ),
}

PERSONAL = ("123456789", "123-45-6789", "Tremont", "TREMONT", "1961-04-12", "000123456789")
"""Values that must never appear in an error message, a log line or an audit event."""

REQUESTS = (
    "request_id,first_name,middle_name,last_name,ssn,a_number,dob,address_line,city,state,zip\n"
    "R1,Olive,M,Tremont,123456789,,1961-04-12,,,,\n"
    "R2,Sean,,OMalley,345678912,,1939-02-01,,,,\n"
    "R3,Nobody,,Atall,,,1950-01-01,,,,\n"
    "R4,Jane,,Doe,567891234,,1990-06-06,,,,\n"
)


def write_master(folder: Path, *, details: bool = True, parquet: bool = False) -> Path:
    """The master (CSV, or Parquet) with its detail tables (CSV) beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    master = folder / "master.csv"
    master.write_text(MASTER, encoding="utf-8")
    if parquet:
        names = MASTER.split("\n", 1)[0].split(",")
        table = pacsv.read_csv(
            master,
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string())),
        )
        master.unlink()
        master = folder / "master.parquet"
        pq.write_table(table, master)
    if details:
        for name, text in DETAILS.items():
            (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return master


def ssnvs_record(
    ssn: str,
    last: str,
    first: str,
    middle: str = "",
    dob: str = "",
    *,
    gender: str = " ",
    control: str = "",
    requester: str = "ABCD",
    multiple: str = "000",
    mark: str = "TPV214",
) -> str:
    """A 130-character submission record, each field put at its contract position."""
    record = [" "] * 130

    def put(start: int, end: int, value: str) -> None:
        width = end - start + 1
        assert len(value) <= width, (value, width)
        record[start - 1 : end] = list(value.ljust(width))

    put(1, 9, ssn)
    put(10, 15, mark)
    put(16, 28, last)
    put(29, 38, first)
    put(39, 45, middle)
    put(46, 53, dob)
    put(54, 54, gender)
    put(90, 103, control)
    put(124, 127, requester)
    put(128, 130, multiple)
    return "".join(record)


def write_ssnvs(path: Path, records: Sequence[str], *, crlf: bool = False) -> Path:
    end = "\r\n" if crlf else "\n"
    path.write_bytes("".join(r + end for r in records).encode("ascii"))
    return path


def subject(ssn: str) -> str:
    """A stand-in for the audit log's keyed HMAC (64 hex digits)."""
    return hashlib.sha256(b"test-subject\x00" + ssn.encode()).hexdigest()


@dataclass
class MemorySink:
    """An audit sink in memory; ``fail_at`` makes the n-th append (from 1) and later ones fail."""

    events: list[AuditEvent] = field(default_factory=list)
    fail_at: int | None = None
    calls: int = 0

    def append(self, event: AuditEvent) -> AuditReceipt:
        self.calls += 1
        if self.fail_at is not None and self.calls >= self.fail_at:
            raise AuditUnavailable("test sink is down")
        self.events.append(event)
        return AuditReceipt(len(self.events), f"{len(self.events):064x}")

    def kinds(self) -> list[str]:
        return [e.kind for e in self.events]


def settings_for(tmp: Path, store_url: str | None = None) -> Settings:
    return Settings(workspace=tmp / "ws", database_url=store_url or "")


@dataclass
class ScriptedMatcher:
    """A matcher double: answers each request row from ``answers`` (request_id -> (decision,
    person_id)), default ``no_match``; writes the match output columns the services read. It
    writes no ``ssa_code``, so verification codes come from the fallback
    (:mod:`matchgate.master.verification`), which runs the one SSA name-verification rule the
    real matcher's ``ssa_code`` runs (``tests/submit/test_one_ssa_rule.py``)."""

    answers: dict[str, tuple[str, str]] = field(default_factory=dict)
    calls: int = 0

    def __call__(
        self,
        master: Path | None,
        requests: Path,
        output: Path,
        *,
        settings: Settings,
        progress: Progress,
        snapshot: str | None = None,
    ) -> object:
        from matchgate.intake.readers import read_text_table

        self.calls += 1
        ids = [v.strip() for v in read_text_table(requests).columns["request_id"]]
        decided = [self.answers.get(i, ("no_match", "")) for i in ids]
        pq.write_table(
            pa.table(
                {
                    "request_id": ids,
                    "decision": [d for d, _ in decided],
                    "person_id": [p for _, p in decided],
                    "score": [0.99 if d == "match" else 0.5 for d, _ in decided],
                    "reasons": ["scripted" for _ in decided],
                }
            ),
            output,
        )
        return None


def agreement_variant(
    folder: Path, agreement_id: str, source: Path = REFERENCE, **changes: object
) -> Path:
    """A copy of an example agreement with another id and some fields replaced (top level)."""
    import yaml

    document = yaml.safe_load(source.read_text(encoding="utf-8"))
    document["id"] = agreement_id
    document.update(changes)
    path = folder / f"{agreement_id}.yaml"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


_LOADED: dict[Path, Path] = {}


def install_master(settings: Settings, master: Path) -> str:
    """Make ``master`` the workspace's loaded master (``master load``, done once per master
    file in a session and copied); the snapshot id."""
    from matchgate.services.master.store import load_master

    template = _LOADED.get(master)
    if template is None:
        template = master.parent / f"loaded-{master.stem}"
        if not (template / "master" / "CURRENT").is_file():
            load_master(App(Settings(workspace=template)), master)
        _LOADED[master] = template
    shutil.copytree(template / "master", settings.workspace / "master", dirs_exist_ok=True)
    return (settings.workspace / "master" / "CURRENT").read_text(encoding="ascii").strip()


def install_host_key(settings: Settings, private: Path, public: Path) -> None:
    """Use an existing key pair as the host's signing key (what ``host init`` makes)."""
    from matchgate.services.disclosure.host import host_folder

    folder = host_folder(App(settings))
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    shutil.copyfile(private, folder / "signing.key")
    shutil.copyfile(public, folder / "signing.pub")
