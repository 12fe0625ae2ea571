"""Who and what an incident exposed, derived from the audit log's own disclosure entries.

The affected people of a breach are the subjects of the ``disclosure.made`` and
``verification.answered`` entries in the incident's scope, and the categories of their records
are those entries' categories: the same entries the accounting of disclosures (5 U.S.C. 552a(c))
is read from, so the breach report and each person's accounting cannot disagree. Nothing is
re-read from packages (which the agency no longer holds once released) and no personal value is
needed: people are named by their subject keys (keyed HMACs), which the notification step turns
back into people with the master file and the subject key.

The entries' own ``subjects`` are read, not the accounting index, so a retention purge of index
rows does not shrink a breach. Two further entry kinds refine the lines:

* ``release.failed`` marks a line whose package may never have left (kept, and flagged: the log
  says more than happened, never less);
* ``package.released`` (written by ``services.disclosure.respond``) counts the people in a package
who
  could not be given a subject key (no valid SSN): affected, but nameable only from the package's
  job; they are reported as a count.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from matchgate.audit import kinds
from matchgate.audit.breach import Scope
from matchgate.audit.disclosures import REFERENCE_KEY, split
from matchgate.audit.entry import parse_time
from matchgate.domain.audit import Entry

PACKAGE_RELEASED = kinds.PACKAGE_RELEASED
"""Written after a package's ``disclosure.made`` entries (``services.disclosure.respond``)."""
READ_KINDS = (*sorted(kinds.DISCLOSING), kinds.RELEASE_FAILED, PACKAGE_RELEASED)
"""Every kind :func:`derive_exposure` reads."""


@dataclass(frozen=True)
class ExposedLine:
    """One disclosing entry in scope: a set of categories that went to one recipient."""

    sequence: int
    recorded_at: str
    kind: str
    reference: str
    job_id: str | None
    recipient: str
    agreement: str
    purpose: str
    categories: tuple[str, ...]
    routine_uses: tuple[str, ...]
    subjects: tuple[str, ...]
    exempt: bool
    released: bool = True


@dataclass(frozen=True)
class AffectedPerson:
    """One affected person, by subject key: what of theirs went where, under which entries."""

    subject: str
    categories: tuple[str, ...]
    references: tuple[str, ...]
    recipients: tuple[str, ...]
    entries: tuple[int, ...]
    withheld: bool
    """Some line is withheld from the person's accounting (552a(c)(3), (j), (k)): the notice
    must be cleared with the privacy office before it mentions that disclosure."""
    maybe_not_received: bool
    """Every line's release failed: the records may never have left the agency."""


def _people_by(lines: Iterable[ExposedLine], key: str) -> dict[str, int]:
    people: dict[str, set[str]] = defaultdict(set)
    for line in lines:
        values = getattr(line, key)
        for value in values if isinstance(values, tuple) else (values,):
            people[value].update(line.subjects)
    return {k: len(v) for k, v in sorted(people.items())}


@dataclass(frozen=True)
class Exposure:
    """The disclosures an incident's scope covers, as of the log's first ``audit_size`` entries."""

    scope: Scope
    audit_size: int
    lines: tuple[ExposedLine, ...]
    unkeyed_people: int
    seen_ids: frozenset[str] = field(default_factory=frozenset)
    """Package and job ids of ``package.released`` entries in scope (a package may hold only
    people without a subject key, and so have no disclosing entry)."""

    def people(self) -> tuple[AffectedPerson, ...]:
        by_subject: dict[str, list[ExposedLine]] = defaultdict(list)
        for line in self.lines:
            for subject in line.subjects:
                by_subject[subject].append(line)
        return tuple(
            AffectedPerson(
                subject=subject,
                categories=tuple(sorted({c for x in lines for c in x.categories})),
                references=tuple(sorted({x.reference for x in lines})),
                recipients=tuple(sorted({x.recipient for x in lines})),
                entries=tuple(x.sequence for x in lines),
                withheld=any(x.exempt for x in lines),
                maybe_not_received=not any(x.released for x in lines),
            )
            for subject, lines in sorted(by_subject.items())
        )

    @property
    def subjects(self) -> frozenset[str]:
        return frozenset(s for line in self.lines for s in line.subjects)

    def people_by_category(self) -> dict[str, int]:
        return _people_by(self.lines, "categories")

    def people_by_recipient(self) -> dict[str, int]:
        return _people_by(self.lines, "recipient")

    def people_by_routine_use(self) -> dict[str, int]:
        return _people_by(self.lines, "routine_uses")

    def people_by_agreement(self) -> dict[str, int]:
        return _people_by(self.lines, "agreement")

    def people_by_reference(self) -> dict[str, int]:
        return _people_by(self.lines, "reference")

    def unmatched(self) -> tuple[str, ...]:
        """Ids the scope names that no disclosure in the log carries (a typo, or never sent)."""
        seen = {x.reference for x in self.lines} | {x.job_id for x in self.lines if x.job_id}
        seen |= self.seen_ids
        return tuple(i for i in self.scope.references if i not in seen)

    def counts(self) -> dict[str, Any]:
        people = self.people()
        return {
            "affected_people": len(people),
            "unkeyed_people": self.unkeyed_people,
            "disclosure_entries": len(self.lines),
            "packages": len({x.reference for x in self.lines if x.kind == kinds.DISCLOSURE_MADE}),
            "answers": len(
                {x.reference for x in self.lines if x.kind == kinds.VERIFICATION_ANSWERED}
            ),
            "release_failed_entries": sum(1 for x in self.lines if not x.released),
            "people_maybe_not_received": sum(1 for p in people if p.maybe_not_received),
            "people_with_withheld_lines": sum(1 for p in people if p.withheld),
        }

    def first_and_last(self) -> tuple[str | None, str | None]:
        times = sorted(x.recorded_at for x in self.lines)
        return (times[0], times[-1]) if times else (None, None)


def _text(details: dict[str, Any], key: str) -> str | None:
    value = details.get(key)
    return value if isinstance(value, str) else None


def derive_exposure(entries: Iterable[Entry], scope: Scope, audit_size: int) -> Exposure:
    """The exposure of ``scope`` from ``entries`` (any order; kinds outside ``READ_KINDS`` and
    entries at or past ``audit_size`` are ignored)."""
    lines: dict[int, ExposedLine] = {}
    failed: set[int] = set()
    unkeyed: dict[str, int] = {}
    seen: set[str] = set()
    for entry in sorted(entries, key=lambda e: e.sequence):
        if entry.sequence >= audit_size:
            continue
        details = entry.detail_map()
        if entry.kind in kinds.DISCLOSING:
            if not scope.covers(parse_time(entry.recorded_at), details):
                continue
            lines[entry.sequence] = ExposedLine(
                sequence=entry.sequence,
                recorded_at=entry.recorded_at,
                kind=entry.kind,
                reference=str(details.get(REFERENCE_KEY[entry.kind], "")),
                job_id=_text(details, "job_id"),
                recipient=str(details.get("recipient", "")),
                agreement=entry.agreement or "",
                purpose=str(details.get("purpose", "")),
                categories=split(str(details.get("categories", ""))),
                routine_uses=split(str(details.get("routine_use", ""))),
                subjects=entry.subject_list(),
                exempt=details.get("law_enforcement") is True or bool(details.get("exempt_basis")),
            )
        elif entry.kind == kinds.RELEASE_FAILED:
            target = details.get("entry")
            if isinstance(target, int) and not isinstance(target, bool):
                failed.add(target)
        elif entry.kind == PACKAGE_RELEASED:
            package, count = details.get("package_id"), details.get("unkeyed_people")
            where = {**details, "recipient": entry.agency}
            if isinstance(package, str) and scope.covers(parse_time(entry.recorded_at), where):
                seen.update(str(v) for v in (package, details.get("job_id")) if v)
                if isinstance(count, int) and not isinstance(count, bool):
                    unkeyed[package] = count
    result = tuple(
        line if seq not in failed else replace(line, released=False)
        for seq, line in sorted(lines.items())
    )
    return Exposure(
        scope=scope,
        audit_size=audit_size,
        lines=result,
        unkeyed_people=sum(unkeyed.values()),
        seen_ids=frozenset(seen),
    )
