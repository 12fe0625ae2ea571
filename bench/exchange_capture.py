#!/usr/bin/env python3
"""Capture a scripted end-to-end exchange, normalized, to compare two versions of matchgate.

A refactoring that must not change behaviour needs "the same package contents and audit
entries for a scripted end-to-end exchange (compared before and after)". This script is that
instrument. It drives only the ``matchgate`` command line (subprocess), in a fresh temporary
workspace, through the exchange the README describes:

    audit init; users bootstrap; agencies add; users add; tokens issue; agreements add (the
    reference arrangement from examples/agreements/); keys generate (sender, recipient); synth
    (a small fixed-seed world); match and eval; submit (dry run, real run, a duplicate); the
    submissions list and show; open (the recipient's side); audit verify, checkpoint, tail,
    show, prove and check-proof; the accounting of disclosures of a few people; a withdrawal;
    an onward-use notice filed and denied, and a submission for that purpose refused; a refusal
    by role; a breach opened, reported and assessed; the data key status; retention run
    --dry-run (today and past the retention period), then a real retention run past it.

It then writes one JSON capture: every command's exit code and normalized stdout and stderr; the
opened package's files and the match output (normalized content, plus a SHA-256 of each file's
normalized text so that a byte-level change shows even where the parsed content is equal); the
breach report files; every audit entry read from the SQLite store (sequence, kind, actor, agency,
agreement, subjects, details); the rows of the ``submissions`` table; and the workspace's file
names.

Normalization: values that differ between two runs of the same code are replaced by placeholders,
numbered by first appearance (the same value always gets the same placeholder; the command
transcript, audit entries and submission rows are numbered first, in that order):

    <TMP>, <REPO>                the temporary folder and this checkout's root
    <TOKEN_SECRET_n>             the secret part of an API token (its id is a <HEX16_n>)
    <UUID_n>                     UUIDs (package ids)
    <HEX16_n>, <HEX32_n>, ...    random hex identifiers: job ids, token ids, key ids, the log id,
                                 notice and incident ids, the data key ring's id, and hashes over
                                 random keys or times (checkpoint roots, the sealed package's
                                 SHA-256)
    <SHA256:NAME>                the SHA-256 of a captured file whose bytes vary (it holds dates or
                                 ids): a manifest or report naming a file's digest then says which
                                 file; the file's own entry carries the SHA-256 of its normalized
                                 text, so a byte-level change still shows
    <B64_n>                      signatures (checkpoints) and other base64 blobs
    <DATETIME>                   timestamps of this run (dated from the day before yesterday on;
                                 the synthetic world is frozen in 2025, so its dates stay)
    <TODAY>, <TODAY+90d>, ...    calendar dates within a few days of today, or of today + 90 or +
                                 365 days (the day of a disclosure, the master snapshot's as-of
                                 day, token expiry, end of retention)
    <MONTH>                      this month as YYYY-MM (the submissions' month)
    <ELAPSED>, <SECS>, <N> min   durations, progress-bar clocks and the breach reporting clock
                                 (also the whole-second fields seconds_left and
                                 seconds_after_discovery)

Command output, audit entries and submission rows are normalized strictly: every hex run of 16
digits or more (8 or more with both a letter and a digit) is replaced unless it is known stable.
The captured files (the match output, the opened package, the breach report) hold synthetic data
that can look like anything (person ids are 16 hex digits), so there only the values already
replaced elsewhere, UUIDs, this run's times and dates, and the clocks are replaced.

Hex values that are the same in every run are kept, so a change in them shows: the SHA-256 of the
synthetic data, the agreement and the match output (and their 16- and 32-digit prefixes, as
printed), the audit subjects, and the subject key's id. For the subjects to be comparable the
script writes a fixed, synthetic audit subject HMAC key (``workspace/keys/audit-subject.hmac``,
owner-only) before ``audit init``, which keeps a key it finds; every other key (the checkpoint
signing key, the data key ring, the package keys) is made by matchgate as usual. The run sets
``MATCHGATE_TIMEZONE=UTC`` so that the agency's day is the UTC day, and ``COLUMNS=400`` so that
Rich does not wrap a line at a place that depends on a duration's length.

Usage:

    .venv/bin/python bench/exchange_capture.py OUT.json [--matchgate PATH] [--keep DIR]
        [--people 20000] [--requests 500] [--seed 7]
    .venv/bin/python bench/exchange_capture.py --compare A.json B.json   # exit 1 on difference

``--matchgate`` is the CLI to drive (default: this checkout's ``.venv/bin/matchgate``), so the
same script captures another checkout. Two runs of the same code give byte-identical captures; a
run that straddles midnight UTC is refused (run it again).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import difflib
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
FORMAT = "matchgate-exchange-capture/1"
AGREEMENT = "reference-2025-08"
# A fixed, synthetic audit subject key (64 hex digits): subjects then repeat from run to run.
SUBJECT_KEY = hashlib.sha256(b"matchgate exchange capture: synthetic subject key").hexdigest()
SSN_ENV = "CAPTURE_SSN"
# Dates this many days from today are written relative to it (token expiry and retention are
# 90 days; a day either side covers the end of a period counted inclusively).
RELATIVE_DAYS = {*range(-2, 3), *range(88, 93), *range(363, 368)}


# --------------------------------------------------------------------------------------------
# running the exchange


class Exchange:
    """The scripted exchange: a temporary root holding the workspace, keys, data and outputs."""

    def __init__(self, matchgate: str, root: Path) -> None:
        self.matchgate = matchgate
        self.root = root
        self.workspace = root / "ws"
        self.tokens: dict[str, str] = {}
        self.commands: list[dict[str, Any]] = []

    def run(
        self,
        name: str,
        *args: str | Path,
        user: str | None = None,
        ssn: str | None = None,
        expect: Iterable[int] = (0,),
    ) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MATCHGATE_")}
        env.update(
            MATCHGATE_WORKSPACE=str(self.workspace),
            MATCHGATE_TIMEZONE="UTC",
            COLUMNS="400",
            LINES="50",
            NO_COLOR="1",
            TERM="dumb",
            PYTHONHASHSEED="0",
        )
        env.pop(SSN_ENV, None)
        if user is not None:
            env["MATCHGATE_TOKEN"] = self.tokens[user]
        if ssn is not None:
            env[SSN_ENV] = ssn
        argv = [str(a) for a in args]
        started = time.monotonic()
        done = subprocess.run(
            [self.matchgate, *argv],
            cwd=self.root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        took = time.monotonic() - started
        print(f"  {took:5.1f} s  exit {done.returncode}  {name}", file=sys.stderr)
        self.commands.append(
            {
                "step": name,
                "argv": argv,
                "user": user,
                "exit": done.returncode,
                "stdout": [line.rstrip() for line in done.stdout.splitlines()],
                "stderr": [line.rstrip() for line in done.stderr.splitlines()],
            }
        )
        if done.returncode not in tuple(expect):
            sys.stderr.write(done.stdout + done.stderr)
            raise SystemExit(f"step {name!r} exited {done.returncode}, expected {tuple(expect)}")
        return done


def play(ex: Exchange, *, people: int, requests: int, seed: int, today: dt.date) -> dict[str, Any]:
    """Run every step; return what later steps found out (job, package, incident ids)."""
    keys = ex.workspace / "keys"
    keys.mkdir(parents=True, mode=0o700)
    subject_key = keys / "audit-subject.hmac"
    subject_key.write_text(SUBJECT_KEY + "\n")
    subject_key.chmod(0o600)

    # the host, its partner, users and tokens (docs/access.md, "Bootstrap")
    ex.run("audit init", "audit", "init")
    boot = ex.run(
        "users bootstrap", "users", "bootstrap", "--agency", "SSA",
        "--agency-name", "Social Security Administration (synthetic)", "--user", "admin",
    )  # fmt: skip
    ex.tokens["admin"] = boot.stdout.strip()
    ex.run(
        "agencies add", "agencies", "add", "DHS",
        "--name", "Department of Homeland Security (synthetic)", user="admin",
    )  # fmt: skip
    people_and_roles = [
        ("ssa-po", "SSA", "privacy_officer"),
        ("ssa-auditor", "SSA", "auditor"),
        ("dhs-submitter", "DHS", "submitter"),
        ("dhs-po", "DHS", "privacy_officer"),
    ]
    for user_id, agency, role in people_and_roles:
        ex.run(
            f"users add {user_id}", "users", "add", user_id, "--agency", agency, "--role", role,
            user="admin",
        )  # fmt: skip
        issued = ex.run(
            f"tokens issue {user_id}", "tokens", "issue", "--user", user_id, user="admin"
        )
        ex.tokens[user_id] = issued.stdout.strip()
    ex.run("users list", "users", "list", user="admin")
    ex.run("agencies list", "agencies", "list", user="admin")
    ex.run("tokens list", "tokens", "list", "--user", "dhs-submitter", user="admin")

    # the agreement and the package keys
    agreement = REPO / "examples" / "agreements" / f"{AGREEMENT}.yaml"
    ex.run("agreements add", "agreements", "add", agreement, user="ssa-po")
    ex.run("agreements list", "agreements", "list", user="ssa-po")
    ex.run("agreements show", "agreements", "show", AGREEMENT, user="dhs-submitter")
    # the host's signing key; DHS makes its own pair and the host registers its public key
    ex.run("host init", "host", "init")
    made = ex.run("keys generate dhs", "keys", "generate", "--out", "keys", "--name", "dhs")
    dhs_key_id = made.stdout.split("key id:")[1].split()[0]
    ex.run("keys id", "keys", "id", "ws/host/signing.pub", "keys/dhs.pub")
    ex.run(
        "agencies keys add", "agencies", "keys", "add", "DHS", "keys/dhs.pub",
        "--fingerprint", dhs_key_id, user="admin",
    )  # fmt: skip
    ex.run("agencies keys list", "agencies", "keys", "list", user="admin")

    # a small synthetic world, matched as an operator
    ex.run(
        "synth", "synth", "--people", people, "--requests", requests, "--seed", seed,
        "--out", "data",
    )  # fmt: skip
    ex.run(
        "match", "match", "--master", "data/master.parquet", "--requests", "data/requests.csv",
        "--output", "match/out.csv",
    )  # fmt: skip
    ex.run("eval", "eval", "--truth", "data/truth.csv", "--results", "match/out.csv", "--json")
    ex.run("master load", "master", "load", "data/master.parquet")

    # the governed submission
    submit = ["submit", "data/requests.csv", "--agreement", AGREEMENT, "--out", "outbox"]
    ex.run("submit --dry-run", *submit, "--dry-run", user="dhs-submitter")
    done = json.loads(ex.run("submit", *submit, "--json", user="dhs-submitter").stdout)
    job, package_id, package = done["job_id"], done["package_id"], done["package"]
    ex.run("submit duplicate", *submit, user="dhs-submitter", expect=(3,))
    ex.run("submissions list", "submissions", "list", user="dhs-submitter")
    ex.run("submissions show", "submissions", "show", job, user="dhs-submitter")
    ex.run("submissions show --json", "submissions", "show", job, "--json", user="ssa-po")

    # the recipient's side
    ex.run(
        "open", "open", package, "--key", "keys/dhs.key", "--trust", "ws/host/signing.pub",
        "--out", "opened",
    )  # fmt: skip

    # the audit log
    ex.run("audit verify", "audit", "verify")
    ex.run("audit tail", "audit", "tail", "-n", "8", user="ssa-po")
    ex.run("audit show", "audit", "show", "12", "--count", "6", user="ssa-auditor")
    ex.run("audit checkpoint", "audit", "checkpoint")
    ex.run("audit prove", "audit", "prove", "16", "--out", "proof-16.json", user="ssa-po")
    ex.run(
        "audit check-proof", "audit", "check-proof", "proof-16.json",
        "--trust", "ws/keys/audit-checkpoint.pub",
    )  # fmt: skip

    # the accounting of disclosures of a few people, and a withdrawal
    ssns = _people_to_account(ex.root)
    for n, ssn in enumerate(ssns, 1):
        ex.run(
            f"audit accounting #{n}", "audit", "accounting", "--ssn-env", SSN_ENV,
            user="ssa-po", ssn=ssn,
        )  # fmt: skip
    ex.run(
        "audit accounting --json #1", "audit", "accounting", "--ssn-env", SSN_ENV, "--json",
        user="ssa-auditor", ssn=ssns[0],
    )  # fmt: skip
    ex.run(
        "audit withdraw", "audit", "withdraw", "--ssn-env", SSN_ENV, "--reason", "wrong_match",
        "--package", package_id, user="ssa-po", ssn=ssns[0],
    )  # fmt: skip
    ex.run(
        "audit accounting --for-person #1", "audit", "accounting", "--ssn-env", SSN_ENV,
        "--for-person", user="ssa-po", ssn=ssns[0],
    )  # fmt: skip

    # an onward-use notice, denied, and a submission for that purpose refused
    filed = ex.run(
        "notices file", "notices", "file", "--agreement", AGREEMENT,
        "--purpose", "fraud-referral", "--description", "Refer suspected benefit fraud",
        user="dhs-po",
    )  # fmt: skip
    notice = filed.stdout.split()[1]
    ex.run("notices list", "notices", "list", user="dhs-po")
    ex.run(
        "notices decide", "notices", "decide", notice, "--deny", "--note", "not agreed",
        user="ssa-po",
    )  # fmt: skip
    ex.run("notices list --json", "notices", "list", "--json", user="ssa-po")
    ex.run(
        "submit for a denied purpose", *submit, "--purpose", "fraud-referral",
        user="dhs-submitter", expect=(3,),
    )  # fmt: skip

    # a refusal by role (recorded as access.denied)
    ex.run(
        "retention by a submitter", "retention", "run", "--dry-run", user="dhs-submitter",
        expect=(7,),
    )  # fmt: skip

    # a breach: opened on the package, reported, assessed
    opened = ex.run(
        "breach open", "breach", "open", "--category", "lost_package", "--package", package_id,
        "--summary", "capture: courier lost the disk", user="ssa-po",
    )  # fmt: skip
    incident = _incident_id(opened.stdout + opened.stderr)
    ex.run(
        "breach advance reported", "breach", "advance", incident, "--to", "reported",
        "--reference", "CISA-SYN-0001", user="ssa-po",
    )  # fmt: skip
    ex.run("breach report", "breach", "report", incident, "--out", "breach-report", user="ssa-po")
    ex.run("breach list", "breach", "list", user="ssa-auditor")
    ex.run("breach show --json", "breach", "show", incident, "--json", user="ssa-po")

    # data at rest, retention
    ex.run("keys data-status", "keys", "data-status")
    ex.run("retention run --dry-run", "retention", "run", "--dry-run", user="ssa-po")
    later = (today + dt.timedelta(days=91)).isoformat()
    ex.run(
        "retention run --dry-run --on +91d", "retention", "run", "--dry-run", "--on", later,
        user="ssa-po",
    )  # fmt: skip
    ex.run("retention run --on +91d", "retention", "run", "--on", later, user="admin")
    ex.run("submissions list --json", "submissions", "list", "--json", user="ssa-po")
    ex.run("audit verify --json", "audit", "verify", "--json")
    return {"job": job, "package_id": package_id, "notice": notice, "incident": incident}


def _people_to_account(root: Path) -> list[str]:
    """SSNs of three people the package disclosed (first, middle, last matched rows) and of one
    requested person it did not (the first no_match row that gives an SSN)."""
    rows = [json.loads(line) for line in (root / "opened" / "response.jsonl").open()]
    matched = [r for r in rows if r["decision"] == "match" and r.get("records", {}).get("identity")]
    picks = [matched[0], matched[len(matched) // 2], matched[-1]]
    ssns = [r["records"]["identity"][0]["value"]["ssn"] for r in picks]
    unmatched = {r["request_id"] for r in rows if r["decision"] == "no_match"}
    with (root / "data" / "requests.csv").open(newline="") as handle:
        for request in csv.DictReader(handle):
            if request["request_id"] in unmatched and len(_digits(request["ssn"])) == 9:
                ssns.append(request["ssn"])
                break
    return ssns


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def _incident_id(text: str) -> str:
    found = re.search(r"\b[0-9a-f]{32}\b", text)
    if found is None:
        raise SystemExit("breach open printed no incident id")
    return found.group(0)


# --------------------------------------------------------------------------------------------
# reading what the exchange left


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_file(path: Path, *, sort_rows: bool = False) -> dict[str, Any]:
    """A file as text lines, parsed where the format allows (CSV rows, JSON, JSON Lines)."""
    text = path.read_text(encoding="utf-8")
    item: dict[str, Any] = {"text": text}
    if path.suffix == ".csv":
        rows = list(csv.reader(io.StringIO(text)))
        header, body = (rows[0], rows[1:]) if rows else ([], [])
        item["csv"] = {"header": header, "rows": sorted(body) if sort_rows else body}
    elif path.suffix == ".json":
        item["json"] = json.loads(text)
    elif path.suffix == ".jsonl":
        item["jsonl"] = [json.loads(line) for line in text.splitlines() if line.strip()]
    else:
        item["lines"] = text.splitlines()
    if sort_rows:
        item["text"] = "".join(sorted(text.splitlines(keepends=True)))
    return item


def read_audit(database: Path) -> list[dict[str, Any]]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT sequence, kind, actor, agency, agreement, subjects, details "
            "FROM audit_entries ORDER BY sequence"
        ).fetchall()
    return [
        {
            "sequence": seq,
            "kind": kind,
            "actor": actor,
            "agency": agency,
            "agreement": agreement,
            "subjects": json.loads(subjects),
            "details": json.loads(details),
        }
        for seq, kind, actor, agency, agreement, subjects, details in rows
    ]


def read_submissions(database: Path) -> list[dict[str, Any]]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        db.row_factory = sqlite3.Row
        rows = db.execute("SELECT * FROM submissions ORDER BY received_at").fetchall()
    out = []
    for row in rows:
        record = dict(row)
        for key in ("counts", "report"):
            if isinstance(record.get(key), str):
                record[key] = json.loads(record[key])
        out.append(record)
    return out


def _store(workspace: Path) -> Path:
    """The workspace's SQLite store: the file that holds the audit entries."""
    for path in sorted(workspace.rglob("*")):
        if path.is_file() and path.suffix in {".sqlite", ".sqlite3", ".db"}:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
                tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
            if "audit_entries" in tables:
                return path
    raise SystemExit(f"no SQLite store with audit entries under {workspace}")


def collect(ex: Exchange, found: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
    root = ex.root
    files: dict[str, Any] = {"match/out.csv": read_file(root / "match" / "out.csv")}
    for path in sorted((root / "opened").rglob("*")):
        if path.is_file():
            files[f"opened/{path.relative_to(root / 'opened')}"] = read_file(path)
    for path in sorted((root / "breach-report").rglob("*")):
        if path.is_file():
            # the affected subjects' order is not meaningful
            name = f"breach-report/{path.relative_to(root / 'breach-report')}"
            files[name] = read_file(path, sort_rows=path.suffix == ".csv")
    for item in files.values():
        item["sha256"] = ""  # filled in after normalization (see normalize_capture)
    database = _store(ex.workspace)
    listing = sorted(
        str(p.relative_to(root)) + ("/" if p.is_dir() else "") for p in root.rglob("*")
    )
    return {
        "format": FORMAT,
        "scenario": options,
        "commands": ex.commands,
        "files": files,
        "audit_entries": read_audit(database),
        "submissions": read_submissions(database),
        "found": found,
        "tree": listing,
    }


# --------------------------------------------------------------------------------------------
# normalization

_DATETIME = re.compile(
    r"(?<!\d)(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)"
    r"(?:Z|[+-]\d{2}:?\d{2}|(?= ?UTC))?(?: ?UTC)?(?!\d)"
)
_DATE = re.compile(r"(?<![\d-])(\d{4}-\d{2}-\d{2})(?![\d])")
_TOKEN = re.compile(r"\bmgt_([0-9a-f]{16})_([A-Za-z0-9_-]{20,})")
_UUID = re.compile(r"(?<![0-9a-fA-F-])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_HEX = re.compile(r"(?<![0-9a-zA-Z_])[0-9a-f]{8,}(?![0-9a-zA-Z_])")
_B64 = re.compile(r"(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/]{40,}={0,2}(?![A-Za-z0-9+/=_-])")
_ELAPSED = re.compile(r"(?<![\d:])(?:\d+:\d{2}:\d{2}|-:--:--)(?![\d:])")
_SECONDS = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?= ?(?:s|ms|seconds?)\b)")
_RING = re.compile(r"(data key ring )([0-9a-f]{8})\b")
# a master snapshot id: its time, then 8 random hex digits (which may all be decimal digits)
_SNAPSHOT = re.compile(r"(?<!\d)(\d{8}T\d{6}Z-)([0-9a-f]{8})(?![0-9a-zA-Z_])")
_MINUTES = re.compile(r"(?<![\w.])\d+ min\b")
# clocks measured in whole seconds (the breach reporting clock)
CLOCK_KEYS = frozenset({"seconds_left", "seconds_after_discovery"})
_CLOCK = re.compile(rf'("(?:{"|".join(sorted(CLOCK_KEYS))})"\s*:\s*)-?\d+')
_COMPACT_DATETIME = re.compile(r"(?<!\d)(\d{8})T(\d{6})Z")


class Normalizer:
    """Replaces volatile values with placeholders, each value always with the same one.

    ``text`` is for what matchgate says about the exchange (command output, audit entries,
    submission rows): every random-looking identifier is replaced unless it is known stable.
    ``content`` is for the files of the exchange (the match output, the package, the breach
    report): synthetic data can look like anything, so only values already met in the first kind
    are replaced there, plus UUIDs, this run's times and dates relative to today.
    """

    def __init__(
        self, today: dt.date, literals: dict[str, str], stable: set[str], named: dict[str, str]
    ) -> None:
        self.today = today
        # longest first, so that a folder is replaced before its parent
        self.literals = sorted(literals.items(), key=lambda kv: -len(kv[0]))
        self.stable = stable
        self.named = named  # digests of captured files -> <SHA256:name>
        self.seen: dict[str, str] = {}
        self.counters: dict[str, int] = {}
        self._month = re.compile(rf"(?<![\d-]){re.escape(today.isoformat()[:7])}(?![\d-])")
        self._known: re.Pattern[str] | None = None

    def _placeholder(self, kind: str, value: str) -> str:
        if value in self.named:
            return self.named[value]
        if value not in self.seen:
            self.counters[kind] = self.counters.get(kind, 0) + 1
            self.seen[value] = f"<{kind}_{self.counters[kind]}>"
        return self.seen[value]

    def _relative(self, match: re.Match[str]) -> str:
        try:
            offset = (dt.date.fromisoformat(match.group(1)) - self.today).days
        except ValueError:
            return match.group(0)
        if offset not in RELATIVE_DAYS:
            return match.group(0)
        return "<TODAY>" if offset == 0 else f"<TODAY{offset:+d}d>"

    def _datetime(self, match: re.Match[str]) -> str:
        day = match.group(1)
        try:
            when = dt.date.fromisoformat(day if "-" in day else f"{day[:4]}-{day[4:6]}-{day[6:]}")
        except ValueError:
            return match.group(0)
        # this run's timestamps (and deadlines after them); synthetic data is years older
        return "<DATETIME>" if when >= self.today - dt.timedelta(days=2) else match.group(0)

    def _hex(self, match: re.Match[str]) -> str:
        value = match.group(0)
        if value in self.stable or value in self.named or len(value) > 64:
            return self.named.get(value, value)
        if len(value) < 16 and not (re.search(r"\d", value) and re.search(r"[a-f]", value)):
            return value
        return self._placeholder(f"HEX{len(value)}", value)

    def _b64(self, match: re.Match[str]) -> str:
        value = match.group(0)
        # a base64 blob mixes cases and digits; a long word or a path does not
        if not all(re.search(p, value) for p in (r"[A-Z]", r"[a-z]", r"\d")):
            return value
        return self._placeholder("B64", value)

    def _times(self, value: str) -> str:
        value = _DATETIME.sub(self._datetime, value)
        value = _COMPACT_DATETIME.sub(self._datetime, value)
        return _DATE.sub(self._relative, value)

    def text(self, value: str) -> str:
        for literal, placeholder in self.literals:
            value = value.replace(literal, placeholder)
        value = _TOKEN.sub(
            lambda m: (
                "mgt_"
                + self._placeholder("HEX16", m.group(1))
                + "_"
                + self._placeholder("TOKEN_SECRET", m.group(2))
            ),
            value,
        )
        value = _UUID.sub(lambda m: self._placeholder("UUID", m.group(0)), value)
        value = _RING.sub(lambda m: m.group(1) + self._placeholder("HEX8", m.group(2)), value)
        value = _SNAPSHOT.sub(lambda m: m.group(1) + self._placeholder("HEX8", m.group(2)), value)
        value = _HEX.sub(self._hex, value)
        value = _B64.sub(self._b64, value)
        value = self._times(value)
        value = self._month.sub("<MONTH>", value)
        value = _ELAPSED.sub("<ELAPSED>", value)
        value = _SECONDS.sub("<SECS>", value)
        return self._clocks(value)

    def _clocks(self, value: str) -> str:
        value = _MINUTES.sub("<N> min", value)
        return _CLOCK.sub(r"\1<N>", value)

    def content(self, value: str) -> str:
        for literal, placeholder in self.literals:
            value = value.replace(literal, placeholder)
        value = _UUID.sub(lambda m: self._placeholder("UUID", m.group(0)), value)
        if self._known is None:
            known = sorted((*self.seen, *self.named), key=len, reverse=True)
            alternation = "|".join(re.escape(k) for k in known) or "(?!)"
            self._known = re.compile(rf"(?<![0-9A-Za-z_])(?:{alternation})(?![0-9A-Za-z_])")
        value = self._known.sub(
            lambda m: self.named.get(m.group(0)) or self.seen[m.group(0)], value
        )
        return self._clocks(self._times(value))

    def walk(self, value: Any, text: Callable[[str], str]) -> Any:
        if isinstance(value, str):
            return text(value)
        if isinstance(value, list):
            return [self.walk(v, text) for v in value]
        if isinstance(value, dict):
            return {
                text(k): "<N>" if k in CLOCK_KEYS and isinstance(v, int) else self.walk(v, text)
                for k, v in value.items()
            }
        return value


def stable_values(
    root: Path, audit: list[dict[str, Any]], commands: list[dict[str, Any]]
) -> set[str]:
    """Hex values every run of the same code repeats: digests of the synthetic data, the agreement
    and the match output (and their 16- and 32-digit prefixes, as printed), the audit subjects
    (under the fixed subject key), and that key's id."""
    files = [REPO / "examples" / "agreements" / f"{AGREEMENT}.yaml", root / "match" / "out.csv"]
    files += sorted(p for p in (root / "data").rglob("*") if p.is_file())
    stable: set[str] = set()
    for path in files:
        digest = _sha256(path)
        stable |= {digest, digest[:16], digest[:32]}
    for entry in audit:
        stable |= set(entry["subjects"])
    for command in commands:
        for line in command["stdout"]:
            found = re.search(r"^subject key:.* id ([0-9a-f]{16})\b", line)
            if found:
                stable.add(found.group(1))
    return stable


def named_digests(root: Path, names: Iterable[str]) -> dict[str, str]:
    """The digest of each captured file that holds volatile values (the package's files, the
    breach report), as <SHA256:its name>: a manifest or report that names a file's digest then
    says which file, and the file's own entry says whether its (normalized) bytes agree."""
    named: dict[str, str] = {}
    for name in names:
        path = root / name
        if path.is_file():
            digest = _sha256(path)
            label = _COMPACT_DATETIME.sub("*", _HEX.sub("*", name))
            named[digest] = f"<SHA256:{label}>"
    return named


def normalize_capture(capture: dict[str, Any], norm: Normalizer) -> dict[str, Any]:
    out = dict(capture)
    for section in ("commands", "audit_entries", "submissions", "found", "tree"):
        out[section] = norm.walk(capture[section], norm.text)
    out["files"] = norm.walk(capture["files"], norm.content)
    for item in out["files"].values():
        item["sha256"] = hashlib.sha256(item["text"].encode("utf-8")).hexdigest()
        del item["text"]  # its parsed form is kept; the digest says whether the bytes agree
    return out


def dump(capture: dict[str, Any]) -> str:
    return json.dumps(capture, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------------------------
# comparing two captures


def _flatten(value: Any, path: str = "") -> Iterable[tuple[str, str]]:
    if isinstance(value, dict):
        for key in sorted(value):
            yield from _flatten(value[key], f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from _flatten(item, f"{path}[{n}]")
    else:
        yield path, json.dumps(value, ensure_ascii=False)


def compare(a_path: Path, b_path: Path, limit: int) -> int:
    a, b = (json.loads(p.read_text()) for p in (a_path, b_path))
    if dump(a) == dump(b):
        print(f"identical: {a_path} and {b_path}")
        return 0
    shown = 0
    for section in sorted(set(a) | set(b)):
        if a.get(section) == b.get(section):
            continue
        print(f"== {section} differs")
        if section == "commands":
            _compare_commands(a.get(section, []), b.get(section, []), limit)
            continue
        left = [f"{k} = {v}" for k, v in _flatten(a.get(section), section)]
        right = [f"{k} = {v}" for k, v in _flatten(b.get(section), section)]
        for line in difflib.unified_diff(left, right, str(a_path), str(b_path), n=1, lineterm=""):
            if shown >= limit:
                print(f"... (more differences; raise --limit, now {limit})")
                return 1
            print(line)
            shown += 1
    return 1


def _compare_commands(a: list[dict[str, Any]], b: list[dict[str, Any]], limit: int) -> None:
    names_a = [c["step"] for c in a]
    names_b = [c["step"] for c in b]
    if names_a != names_b:
        print("   steps differ:")
        for line in difflib.unified_diff(names_a, names_b, "before", "after", lineterm=""):
            print("   " + line)
    by_b = {c["step"]: c for c in b}
    shown = 0
    for left in a:
        right = by_b.get(left["step"])
        if right is None or left == right:
            continue
        print(f"-- step {left['step']!r}")
        for key in ("argv", "user", "exit"):
            if left[key] != right.get(key):
                print(f"   {key}: {left[key]!r} -> {right.get(key)!r}")
        for stream in ("stdout", "stderr"):
            diff = list(
                difflib.unified_diff(
                    left[stream], right.get(stream, []), "before", "after", n=1, lineterm=""
                )
            )
            if diff:
                print(f"   {stream}:")
                for line in diff[2:]:
                    print("   " + line)
                    shown += 1
                    if shown >= limit:
                        print(f"   ... (more; raise --limit, now {limit})")
                        return


# --------------------------------------------------------------------------------------------


def capture(args: argparse.Namespace) -> int:
    matchgate = shutil.which(args.matchgate) or args.matchgate
    if not Path(matchgate).exists():
        raise SystemExit(f"no matchgate CLI at {args.matchgate}")
    matchgate = str(Path(matchgate).absolute())
    today = dt.datetime.now(dt.UTC).date()
    started = time.monotonic()
    if args.keep:
        root = Path(args.keep).absolute()
        if root.exists() and any(root.iterdir()):
            raise SystemExit(f"{root} is not empty")
        root.mkdir(parents=True, exist_ok=True)
    else:
        root = Path(tempfile.mkdtemp(prefix="mg-capture-"))
    print(f"exchange in {root} with {matchgate}", file=sys.stderr)
    try:
        ex = Exchange(matchgate, root)
        options = {"people": args.people, "requests": args.requests, "seed": args.seed}
        found = play(ex, people=args.people, requests=args.requests, seed=args.seed, today=today)
        raw = collect(ex, found, options)
        if dt.datetime.now(dt.UTC).date() != today:
            raise SystemExit("the UTC day changed during the run; run it again")
        literals = {str(root): "<TMP>", str(root.resolve()): "<TMP>", str(REPO): "<REPO>"}
        stable = stable_values(root, raw["audit_entries"], raw["commands"])
        named = named_digests(root, raw["files"])
        result = normalize_capture(raw, Normalizer(today, literals, stable, named))
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    Path(args.out).write_text(dump(result), encoding="utf-8")
    print(f"wrote {args.out} in {time.monotonic() - started:.0f} s", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("out", nargs="?", help="where to write the capture (JSON)")
    parser.add_argument(
        "--matchgate",
        default=str(REPO / ".venv" / "bin" / "matchgate"),
        help="the matchgate CLI to drive (default: this checkout's .venv/bin/matchgate)",
    )
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", help="run in this (empty or new) folder and keep it")
    parser.add_argument(
        "--compare", nargs=2, metavar=("A", "B"), help="compare two captures; exit 1 if they differ"
    )
    parser.add_argument("--limit", type=int, default=200, help="most diff lines --compare shows")
    args = parser.parse_args(argv)
    if args.compare:
        return compare(Path(args.compare[0]), Path(args.compare[1]), args.limit)
    if not args.out:
        parser.error("give OUT.json, or --compare A B")
    return capture(args)


if __name__ == "__main__":
    sys.exit(main())
