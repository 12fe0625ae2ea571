"""Build real audit logs of random events, and tamper with them the ways an attacker would.

An attacker here has full write access to the audit store (they drop the append-only triggers
first) and to the checkpoint file, but not to the checkpoint signing key, except in the one
mutation that models a stolen key. Two kinds of attacker:

* naive: edits rows and leaves the hashes as they were;
* thorough: re-hashes every entry from the change onwards and rewrites the chain head and the
  accounting index to match, so the store is internally consistent.

A thorough rewrite is caught only where a signed checkpoint covers it: entries after the newest
checkpoint are protected by nothing signed yet (docs/audit.md says so). Each mutation therefore
picks its target where the documented guarantee applies, and says which entry is the first bad.

Most disclosures are released the way the service releases them (``release_after_audit``), so
each is witnessed for its recipient, and the recipients fetch their copies once the log is built
(``BuiltLog.partners``). The attacker can rewrite the host's checkpoint file and witness folder,
never a recipient's copy.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from matchgate.app.audit import AuditConfig, AuditLog, init_audit, open_audit
from matchgate.audit import (
    AuditEvent,
    Checkpoint,
    Disclosure,
    Entry,
    Frontier,
    canonical_json,
    chain_hash,
    entry_bytes,
    fetch_witness,
    format_time,
    kinds,
    leaf_hash,
    read_checkpoints,
    sign_checkpoint,
)
from matchgate.disclosure.keys import generate_keypair, key_id, load_private_key, load_public_key
from matchgate.storage import audit as store

AGENCIES = ["DHS-USCIS", "HHS-CMS", "DOL", "VA", "FBI"]
KINDS = [
    kinds.SUBMISSION_RECEIVED,
    kinds.SUBMISSION_REJECTED,
    kinds.MATCH_RUN,
    kinds.PACKAGE_DELIVERED,
    kinds.PACKAGE_OPENED,
    kinds.REVIEW_DECIDED,
    kinds.CASE_CHANGED,
    kinds.AGREEMENT_CHANGED,
]


class Clock:
    """A clock that moves a random few seconds per reading, from a fixed start."""

    def __init__(self, rng: random.Random, start: dt.datetime | None = None) -> None:
        self.rng = rng
        self.now = start or dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(
            seconds=self.rng.randint(1, 90), microseconds=self.rng.randint(0, 999_999)
        )
        return self.now


def random_subject(rng: random.Random) -> str:
    return f"{rng.getrandbits(256):064x}"


def random_event(rng: random.Random, subjects: list[str]) -> AuditEvent:
    """A random event: mostly operational kinds, some disclosures with subjects."""
    if rng.random() < 0.3:
        disclosure = Disclosure(
            actor=rng.choice(["svc:disclose", "svc:verify"]),
            agreement=rng.choice(["reference-2025-08", "save-verification"]),
            recipient=rng.choice(AGENCIES),
            purpose="benefit-eligibility",
            routine_uses=("RU-31",),
            package_id=f"pkg-{rng.getrandbits(64):016x}",
            law_enforcement=rng.random() < 0.1,
        )
        people = rng.sample(subjects, rng.randint(1, min(4, len(subjects))))
        categories = rng.sample(
            ["identity", "address", "citizenship", "earnings"], rng.randint(1, 3)
        )
        return disclosure.event(categories, people)
    details: dict[str, str | int | float | bool | None] = {
        "rows": rng.randint(0, 50_000),
        "job_id": f"{rng.getrandbits(64):016x}",
    }
    if rng.random() < 0.5:
        details["score"] = round(rng.random(), 4)
    if rng.random() < 0.3:
        details["note"] = rng.choice(["ok", "late file", "E_ROW_SSN_INVALID", None])
    return AuditEvent(
        kind=rng.choice(KINDS),
        actor=rng.choice(["svc:intake", "svc:match", "op:ana", "op:bo"]),
        agency=rng.choice([None, *AGENCIES]),
        agreement=rng.choice([None, "reference-2025-08"]),
        subjects=tuple(rng.sample(subjects, rng.randint(0, 2))),
        details=details,
    )


def make_config(
    root: Path, url: str, *, every: int, signing_key: Path | None = None
) -> AuditConfig:
    return AuditConfig(
        url=url,
        checkpoint_dir=root / "checkpoints",
        subject_key_file=root / "keys" / "subject.hmac",
        signing_key_file=signing_key or root / "keys" / "checkpoint.key",
        checkpoint_every=every,
    )


@dataclass
class BuiltLog:
    config: AuditConfig
    log: AuditLog
    size: int
    partners: Path
    """The recipients' fetched copies of their witness folders (one folder per agency)."""
    released: tuple[int, ...] = ()
    """Sequences of the disclosures released (and so witnessed)."""


def build_log(rng: random.Random, root: Path, url: str, *, entries: int | None = None) -> BuiltLog:
    """A log of random events with checkpoints every few entries and some on demand."""
    config = make_config(root, url, every=rng.randint(2, 8))
    clock = Clock(rng)
    init_audit(config, clock=clock)
    log = open_audit(config, clock=clock)
    subjects = [random_subject(rng) for _ in range(6)]
    count = entries if entries is not None else rng.randint(3, 24)
    released: list[int] = []
    for sequence in range(count):
        event = random_event(rng, subjects)
        if event.kind in kinds.DISCLOSING and rng.random() < 0.7:
            log.release_after_audit(event, lambda: None)  # checkpointed and witnessed
            released.append(sequence)
        else:
            log.append(event)
        if rng.random() < 0.1:
            log.checkpoint()
    if rng.random() < 0.5:
        log.checkpoint()  # half the logs end checkpointed, half with an uncovered tail
    partners = root / "partners"
    partners.mkdir(parents=True, exist_ok=True)
    keys = {key_id(public): public for public in [load_public_key(config.signing_public_key_file)]}
    for folder in sorted(config.witness_root.iterdir()):
        fetched = fetch_witness(folder, partners / folder.name, keys)
        assert fetched.ok, fetched.problems
    return BuiltLog(config, log, count, partners, tuple(released))


# --- reading and writing the store as an attacker -------------------------------------------


def drop_triggers(url: str) -> None:
    with store.audit_engine(url, write=True).begin() as con:
        if url.startswith("sqlite"):
            con.execute(text("DROP TRIGGER IF EXISTS audit_entries_no_update"))
            con.execute(text("DROP TRIGGER IF EXISTS audit_entries_no_delete"))
        else:
            con.execute(text("DROP TRIGGER IF EXISTS audit_entries_no_change ON audit_entries"))
            con.execute(text("DROP TRIGGER IF EXISTS audit_entries_no_truncate ON audit_entries"))


_COLUMNS = (
    "sequence, recorded_at, kind, actor, agency, agreement, subjects, details, "
    "prev_hash, entry_hash, leaf_hash"
)


def read_entries(url: str) -> list[Entry]:
    with store.audit_engine(url, write=False).connect() as con:
        rows = con.execute(text(f"SELECT {_COLUMNS} FROM audit_entries ORDER BY sequence"))
        return [Entry(*row) for row in rows]


def covered_size(config: AuditConfig) -> int:
    """The largest size a trusted checkpoint covers."""
    return max((cp.size for cp in read_checkpoints(config.checkpoint_file).checkpoints), default=0)


def write_entries(url: str, entries: list[Entry], *, from_sequence: int) -> None:
    """Replace every stored entry at or after ``from_sequence`` with ``entries[from_sequence:]``."""
    with store.audit_engine(url, write=True).begin() as con:
        con.execute(text("DELETE FROM audit_entries WHERE sequence >= :s"), {"s": from_sequence})
        for e in entries:
            if e.sequence >= from_sequence:
                con.execute(
                    text(
                        f"INSERT INTO audit_entries ({_COLUMNS}) VALUES (:sequence, :recorded_at, "
                        ":kind, :actor, :agency, :agreement, :subjects, :details, :prev_hash, "
                        ":entry_hash, :leaf_hash)"
                    ),
                    dataclasses.asdict(e),
                )


def rehash(entries: list[Entry], start: int) -> list[Entry]:
    """Renumber entries from ``start`` and recompute their links and hashes (a thorough forger)."""
    out = list(entries[:start])
    prev = out[-1].entry_hash if out else "0" * 64
    for index, old in enumerate(entries[start:], start=start):
        moved = dataclasses.replace(old, sequence=index, prev_hash=prev)
        content = entry_bytes(moved)
        prev = chain_hash(prev, content)
        out.append(dataclasses.replace(moved, entry_hash=prev, leaf_hash=leaf_hash(content).hex()))
    return out


def rewrite_consistently(url: str, entries: list[Entry], start: int) -> None:
    """Store a re-hashed history from ``start`` and make the head and index agree with it."""
    new = rehash(entries, start)
    write_entries(url, new, from_sequence=start)
    frontier = Frontier()
    frontier.extend(bytes.fromhex(e.leaf_hash) for e in new)
    assert frontier.hashes is not None
    with store.audit_engine(url, write=True).begin() as con:
        con.execute(
            text(
                "UPDATE audit_head SET size = :n, last_hash = :h, frontier = :f, checkpointed = 0"
            ),
            {
                "n": len(new),
                "h": new[-1].entry_hash if new else "0" * 64,
                "f": json.dumps([h.hex() for h in frontier.hashes]),
            },
        )
        con.execute(text("DELETE FROM audit_subjects WHERE sequence >= :s"), {"s": start})
        for e in new[start:]:
            for subject in json.loads(e.subjects):
                con.execute(
                    text("INSERT INTO audit_subjects (subject, sequence) VALUES (:s, :q)"),
                    {"s": subject, "q": e.sequence},
                )
        # A thorough forger also replaces the store's own checkpoint copies with nothing.
        con.execute(text("DELETE FROM audit_checkpoints"))


# --- the mutations ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Mutation:
    name: str
    first_bad: int | None
    """The first entry the verifier must point at (or at or before), when the mutation has one."""
    exact: bool = True


def _changed_details(rng: random.Random, e: Entry) -> str:
    details = json.loads(e.details)
    key = rng.choice(sorted(details)) if details else "rows"
    original = details.get(key)
    while True:
        value = rng.choice([rng.randint(0, 10**6), "changed", True, None, 0.5])
        if value != original or type(value) is not type(original):
            break
    details[key] = value
    return canonical_json(details)


def _modified(rng: random.Random, e: Entry) -> Entry:
    """One field of ``e`` changed to a different value of a plausible form."""
    field = rng.choice(
        [
            "recorded_at",
            "kind",
            "actor",
            "agency",
            "agreement",
            "subjects",
            "details",
            "prev_hash",
            "entry_hash",
            "leaf_hash",
        ]
    )
    if field == "recorded_at":
        when = dt.datetime.strptime(e.recorded_at, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)
        return dataclasses.replace(
            e, recorded_at=format_time(when + dt.timedelta(seconds=rng.randint(1, 10**6)))
        )
    if field == "kind":
        return dataclasses.replace(
            e, kind=rng.choice([k for k in sorted(kinds.KNOWN) if k != e.kind])
        )
    if field == "actor":
        return dataclasses.replace(e, actor=e.actor + "x")
    if field == "agency":
        return dataclasses.replace(
            e, agency=rng.choice([a for a in [None, *AGENCIES] if a != e.agency])
        )
    if field == "agreement":
        return dataclasses.replace(
            e, agreement="forged-agreement" if e.agreement else "reference-2025-08"
        )
    if field == "subjects":
        subjects = json.loads(e.subjects)
        if subjects and rng.random() < 0.5:
            subjects.pop(rng.randrange(len(subjects)))
        else:
            subjects = sorted({*subjects, random_subject(rng)})
        return dataclasses.replace(e, subjects=canonical_json(subjects))
    if field == "details":
        return dataclasses.replace(e, details=_changed_details(rng, e))
    flipped = f"{rng.getrandbits(256):064x}"
    return dataclasses.replace(e, **{field: flipped})


def mutate(rng: random.Random, built: BuiltLog, other: Callable[[], Checkpoint]) -> Mutation:
    """Apply one random mutation to the stored log or its checkpoints; say what verify must find.

    ``other`` returns a validly signed checkpoint of another log (same signing key).
    """
    url, config = built.config.url, built.config
    entries = read_entries(url)
    n = len(entries)
    covered = covered_size(config)
    drop_triggers(url)
    choices = ["modify", "delete", "reorder", "insert", "index", "head", *["checkpoint"] * 3]
    if covered > 0:
        choices += ["rewrite", "delete_rehash", "reorder_rehash", "insert_rehash", "truncate"]
    if built.released:
        choices += ["truncate_suffix"] * 2
    name = rng.choice(choices)

    if name == "modify":
        k = rng.randrange(n)
        entries[k] = _modified(rng, entries[k])
        write_entries(url, entries, from_sequence=k)
        return Mutation("modify", k)
    if name == "delete":
        # Deleting the very last entry is a truncation; past the newest checkpoint nothing can
        # tell it from a shorter log, so a plain delete targets an entry with a successor.
        k = rng.randrange(n - 1) if n > 1 else 0
        if n == 1 and covered < 1:
            return mutate(rng, built, other)
        with store.audit_engine(url, write=True).begin() as con:
            con.execute(text("DELETE FROM audit_entries WHERE sequence = :s"), {"s": k})
        return Mutation("delete", k)
    if name == "reorder":
        if n < 2:
            return mutate(rng, built, other)
        i, j = sorted(rng.sample(range(n), 2))
        entries[i], entries[j] = (
            dataclasses.replace(entries[j], sequence=i),
            dataclasses.replace(entries[i], sequence=j),
        )
        write_entries(url, entries, from_sequence=i)
        return Mutation("reorder", i)
    if name == "insert":
        # A well-formed entry added in the middle, hashed for its place; later ones unchanged.
        k = rng.randrange(n)
        forged = dataclasses.replace(
            entries[rng.randrange(n)], details=canonical_json({"forged": True})
        )
        shifted = (
            entries[:k]
            + [forged]
            + [dataclasses.replace(e, sequence=e.sequence + 1) for e in entries[k:]]
        )
        shifted = rehash(shifted[: k + 1], k) + shifted[k + 1 :]
        write_entries(url, shifted, from_sequence=k)
        return Mutation("insert", k + 1 if k + 1 < len(shifted) else k, exact=False)
    if name == "rewrite":
        k = rng.randrange(covered)
        entries[k] = dataclasses.replace(entries[k], details=_changed_details(rng, entries[k]))
        rewrite_consistently(url, entries, k)
        return Mutation("rewrite", k, exact=False)
    if name == "delete_rehash":
        k = rng.randrange(covered)
        rewrite_consistently(url, entries[:k] + entries[k + 1 :], k)
        return Mutation("delete_rehash", k, exact=False)
    if name == "reorder_rehash":
        if covered < 1 or n < 2:
            return mutate(rng, built, other)
        i = rng.randrange(min(covered, n - 1))
        j = rng.randrange(i + 1, n)
        entries[i], entries[j] = entries[j], entries[i]
        if entries[i].details == entries[j].details and entries[i].kind == entries[j].kind:
            entries[i] = dataclasses.replace(entries[i], actor=entries[i].actor + "y")
        rewrite_consistently(url, entries, i)
        return Mutation("reorder_rehash", i, exact=False)
    if name == "insert_rehash":
        k = rng.randrange(covered)
        forged = dataclasses.replace(
            entries[rng.randrange(n)], details=canonical_json({"forged": True})
        )
        rewrite_consistently(url, [*entries[:k], forged, *entries[k:]], k)
        return Mutation("insert_rehash", k, exact=False)
    if name == "truncate":
        keep = rng.randrange(covered)  # fewer entries than the newest checkpoint covers
        rewrite_consistently(url, entries[:keep], keep)
        return Mutation("truncate", keep, exact=False)
    if name == "truncate_suffix":
        # Any suffix holding a released disclosure, removed thoroughly: entries, index rows and
        # the store's checkpoints, the head rebuilt with the project's frontier, and the host's
        # checkpoint file and witness folder trimmed to the cut log. Only the recipients' copies
        # still remember.
        keep = rng.randrange(max(built.released) + 1)
        rewrite_consistently(url, entries[:keep], keep)
        forget_beyond(config, keep)
        return Mutation("truncate_suffix", keep, exact=False)
    if name == "index":
        with_subjects = [e for e in entries if json.loads(e.subjects)]
        with store.audit_engine(url, write=True).begin() as con:
            if with_subjects and rng.random() < 0.5:
                e = rng.choice(with_subjects)
                con.execute(
                    text("DELETE FROM audit_subjects WHERE sequence = :q AND subject = :s"),
                    {"q": e.sequence, "s": rng.choice(json.loads(e.subjects))},
                )
                return Mutation("index_drop", e.sequence)
            e = rng.choice(entries)
            con.execute(
                text("INSERT INTO audit_subjects (subject, sequence) VALUES (:s, :q)"),
                {"s": random_subject(rng), "q": e.sequence},
            )
            return Mutation("index_add", e.sequence)
    if name == "head":
        with store.audit_engine(url, write=True).begin() as con:
            column = rng.choice(["size", "last_hash", "frontier"])
            if column == "size":
                con.execute(
                    text("UPDATE audit_head SET size = size + :d"), {"d": rng.choice([-1, 1, 5])}
                )
            elif column == "last_hash":
                con.execute(
                    text("UPDATE audit_head SET last_hash = :h"), {"h": random_subject(rng)}
                )
            else:
                con.execute(
                    text("UPDATE audit_head SET frontier = :f"),
                    {"f": json.dumps([random_subject(rng)])},
                )
        return Mutation("head", None)
    return _mutate_checkpoint(rng, built, other)


def forget_beyond(config: AuditConfig, keep: int) -> None:
    """Trim the host's checkpoint file and witness folder to checkpoints of at most ``keep``."""
    path = config.checkpoint_file
    lines = [ln for ln in path.read_text().splitlines() if Checkpoint.from_line(ln).size <= keep]
    path.write_text("".join(line + "\n" for line in lines))
    for witness in config.witness_root.rglob("*.json"):
        if int(witness.stem.rsplit("-", 1)[1]) > keep:
            witness.unlink()


def _mutate_checkpoint(
    rng: random.Random, built: BuiltLog, other: Callable[[], Checkpoint]
) -> Mutation:
    config = built.config
    path = config.checkpoint_file
    lines = path.read_text().splitlines()
    k = rng.randrange(len(lines))
    cp = Checkpoint.from_line(lines[k])
    how = rng.choice(
        ["root", "size", "time", "untrusted", "other_log", "stolen_key", "stored", "garbage"]
    )
    if how == "stored":
        with store.audit_engine(config.url, write=True).begin() as con:
            ids = [row[0] for row in con.execute(text("SELECT id FROM audit_checkpoints"))]
            forged = dataclasses.replace(cp, root=f"{rng.getrandbits(256):064x}")
            con.execute(
                text("UPDATE audit_checkpoints SET line = :l WHERE id = :i"),
                {"l": forged.to_line(), "i": rng.choice(ids)},
            )
        return Mutation("checkpoint_stored", None)
    if how == "root":
        forged = dataclasses.replace(cp, root=f"{rng.getrandbits(256):064x}")
    elif how == "size":
        forged = dataclasses.replace(cp, size=cp.size + rng.randint(1, 5))
    elif how == "time":
        forged = dataclasses.replace(cp, time=format_time(dt.datetime(2030, 1, 1, tzinfo=dt.UTC)))
    elif how == "untrusted":
        attacker = generate_keypair()
        forged = sign_checkpoint(
            log_id=cp.log_id,
            size=cp.size,
            root=bytes.fromhex(f"{rng.getrandbits(256):064x}"),
            time=cp.time,
            key=attacker,
            key_id=key_id(attacker),
        )
    elif how == "other_log":
        forged = other()
    elif how == "stolen_key":
        # The real key signs a root of a history that never was: the recomputed tree disagrees.
        real = load_private_key(config.signing_key_file)
        size = max(cp.size, 1)
        forged = sign_checkpoint(
            log_id=cp.log_id,
            size=size,
            root=bytes.fromhex(f"{rng.getrandbits(256):064x}"),
            time=cp.time,
            key=real,
            key_id=key_id(real),
        )
    else:
        lines[k] = lines[k][: len(lines[k]) // 2]
        path.write_text("\n".join(lines) + "\n")
        return Mutation("checkpoint_garbage", None)
    lines[k] = forged.to_line()
    path.write_text("\n".join(lines) + "\n")
    return Mutation(f"checkpoint_{how}", None)
