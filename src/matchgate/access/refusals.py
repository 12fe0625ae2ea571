"""Token-less refusals, counted per source and minute (pure: no database, no files, no clock).

A refusal of a caller who shows no token of anyone (none at all, or one naming no stored token)
has no user to record, and whoever sends junk requests decides how many there are. They are
therefore not appended one by one: the first of a (source, minute) is appended as it happens,
the others are counted, and once the minute has closed one summary per source and minute holds
their number. A flood adds at most two entries per source and minute to the audit log.

``source`` is what the shell knows of where a request came from: the OS user of a CLI run
(``cli:<user>``), the client address for the HTTP API. The :class:`Tally` is the counting state;
the kernel (``matchgate.app.access``) keeps it between requests and appends what it returns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

NO_TOKEN = "no_token"  # noqa: S105 - reason codes, not secrets
UNKNOWN_TOKEN = "unknown_token"  # noqa: S105
BOOTSTRAP = "bootstrap"
"""``users bootstrap`` once users exist: refused to whoever asks, no token involved."""
REASONS = (NO_TOKEN, UNKNOWN_TOKEN, BOOTSTRAP)


def minute_of(when: dt.datetime) -> str:
    """The UTC minute a refusal falls in, e.g. ``2031-01-02T03:04Z`` (sorts as time)."""
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%MZ")


@dataclass(frozen=True)
class RefusalCount:
    """What one entry records: refusals of ``source`` in ``minute``, by reason."""

    source: str
    minute: str
    no_token: int
    unknown_token: int
    summary: bool
    """False: the first refusal of its source and minute; True: the rest, once it closed."""
    bootstrap: int = 0


def _record(source: str, minute: str, counts: dict[str, int], *, summary: bool) -> RefusalCount:
    return RefusalCount(
        source,
        minute,
        no_token=counts.get(NO_TOKEN, 0),
        unknown_token=counts.get(UNKNOWN_TOKEN, 0),
        summary=summary,
        bootstrap=counts.get(BOOTSTRAP, 0),
    )


class Tally:
    """Open (source, minute) buckets: for each, the refusals counted after its first."""

    def __init__(self, counts: dict[str, dict[str, int]] | None = None) -> None:
        self.counts: dict[str, dict[str, int]] = {
            key: {reason: int(value.get(reason, 0)) for reason in REASONS}
            for key, value in (counts or {}).items()
            if "|" in key
        }

    @staticmethod
    def _key(source: str, minute: str) -> str:
        return f"{minute}|{source}"

    def count(self, source: str, minute: str, reason: str) -> RefusalCount | None:
        """Count one refusal; the entry to append now when it is its bucket's first."""
        if reason not in REASONS:
            raise ValueError(f"not a token-less refusal: {reason}")
        key = self._key(source, minute)
        if key not in self.counts:
            self.counts[key] = dict.fromkeys(REASONS, 0)
            return _record(source, minute, {reason: 1}, summary=False)
        self.counts[key][reason] += 1
        return None

    def unrecorded(self, first: RefusalCount) -> None:
        """The first refusal could not be appended: count it into its bucket's summary."""
        self._add(first)

    def close(self, minute: str) -> list[RefusalCount]:
        """Take every bucket of a minute before ``minute``: the summaries of those that counted
        more than their first (the others need no entry), oldest first."""
        closed = sorted(key for key in self.counts if key.split("|", 1)[0] < minute)
        summaries: list[RefusalCount] = []
        for key in closed:
            bucket = self.counts.pop(key)
            if any(bucket.values()):
                at, source = key.split("|", 1)
                summaries.append(
                    RefusalCount(source, at, bucket[NO_TOKEN], bucket[UNKNOWN_TOKEN], summary=True)
                )
        return summaries

    def reopen(self, summary: RefusalCount) -> None:
        """A summary could not be appended: keep it counted for the next try."""
        self._add(summary)

    def _add(self, count: RefusalCount) -> None:
        bucket = self.counts.setdefault(
            self._key(count.source, count.minute), dict.fromkeys(REASONS, 0)
        )
        bucket[NO_TOKEN] += count.no_token
        bucket[UNKNOWN_TOKEN] += count.unknown_token
        bucket[BOOTSTRAP] += count.bootstrap

    def has_closed(self, minute: str) -> bool:
        return any(key.split("|", 1)[0] < minute for key in self.counts)
