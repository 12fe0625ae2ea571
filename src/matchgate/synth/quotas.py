"""Which present people get which discrepancy kinds.

Every kind reaches its quota (by default each at least 2% of the file). Kinds only some people
can carry (a compound surname, a maiden name, an A-number, ...) take their people from the
eligible ones first, scarcest first; about a quarter of the file stays clean; the other kinds
are spread over the remaining rows, a second kind on some; a few rows lose both SSN and date of
birth (``name_only``); people with a twin or parent/child look-alike in the master are sought
out so those tags reach their share; name order swaps go mostly to Chinese, Korean and
Vietnamese names.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass

from matchgate.synth import discrepancies as dk
from matchgate.synth.request_rows import Person
from matchgate.synth.tables import ORIGINS, RefTables

KIND_SHARE: Mapping[str, float] = {
    "typo": 0.04,
    "nickname": 0.025,
    "compound_surname_dropped": 0.025,
    "compound_surname_reordered": 0.023,
    "name_order_swap": 0.035,
    "maiden_name": 0.03,
    "transliteration": 0.023,
    "diacritics_punct": 0.03,
    "dob_day_month_swap": 0.025,
    "dob_year_error": 0.025,
    "dob_jan1_placeholder": 0.023,
    "dob_missing": 0.025,
    "ssn_transposition": 0.025,
    "ssn_digit_error": 0.025,
    "ssn_missing": 0.025,
    "a_number_only": 0.023,
    "address_missing": 0.22,
    "old_address": 0.03,
}
"""Target share of all request rows carrying each kind (at the default absent share)."""

LIMITED: tuple[str, ...] = (
    "compound_surname_reordered",
    "compound_surname_dropped",
    "transliteration",
    "a_number_only",
    "maiden_name",
    "nickname",
    "old_address",
    "dob_day_month_swap",
    "diacritics_punct",
)
"""Kinds only some people can carry; their rows are drawn from the eligible people first, the
scarcest kinds first (so a person eligible for several goes where eligible people are few)."""

UNLIMITED = tuple(k for k in dk.KINDS if k not in LIMITED)
CLEAN_SHARE = 0.30
"""Share of present people's rows without any discrepancy (about 25% of the file by default)."""
NAME_ONLY_SHARE = 0.025
LOOKALIKE_SHARE: Mapping[str, float] = {"twin": 0.025, "parent_child": 0.03}
"""Share of rows for people with a twin or a parent/child look-alike in the master (at least)."""
EAST_ASIAN_SWAP_SHARE = 0.6
"""Share of name_order_swap rows given to Chinese, Korean and Vietnamese names."""
DEFAULT_ABSENT_SHARE = 0.15
_EAST_ASIAN = frozenset({"chinese", "korean", "vietnamese"})


@dataclass
class Slot:
    """A present row: the person's position in the pool, its kinds, whether kept clean."""

    person: int
    kinds: list[str]
    clean: bool = False


class Chooser:
    """Assigns people and discrepancy kinds to the present rows."""

    def __init__(
        self,
        requests: int,
        present: int,
        pool: list[Person],
        tables: RefTables,
        rnd: random.Random,
    ) -> None:
        self.requests, self.present = requests, present
        self.pool, self.tables, self.rnd = pool, tables, rnd
        self.origins = [ORIGINS[p["_origin"]] for p in pool]
        self.order = list(range(len(pool)))
        rnd.shuffle(self.order)
        self.used: set[int] = set()
        scale = present / ((1 - DEFAULT_ABSENT_SHARE) * requests) if requests else 0
        self.quota = {k: math.ceil(v * requests * scale) for k, v in KIND_SHARE.items()}
        self.clean_rows = round(present * CLEAN_SHARE)
        self.kind_rows = present - self.clean_rows
        limited_total = sum(self.quota[k] for k in LIMITED)
        if limited_total > self.kind_rows:
            shrink = self.kind_rows / limited_total
            for k in LIMITED:
                self.quota[k] = math.floor(self.quota[k] * shrink)
        self.scale = scale

    def eligible(self, kind: str, i: int) -> bool:
        return dk.eligible(kind, self.pool[i], self.tables, self.origins[i])

    def choose(self) -> list[Slot]:
        """One slot per present row: the person (position in the pool) and the kinds."""
        slots: list[Slot] = []
        for kind in LIMITED:
            taken = 0
            for i in self.order:
                if taken >= self.quota[kind]:
                    break
                if i not in self.used and self.eligible(kind, i):
                    self.used.add(i)
                    slots.append(Slot(i, [kind]))
                    taken += 1
        free = [i for i in self.order if i not in self.used]
        wanted: list[int] = []
        for tag, share in LOOKALIKE_SHARE.items():
            have = sum(1 for s in slots if self.pool[s.person]["_lookalike"] == tag)
            need = math.ceil(share * self.requests * self.scale) - have
            wanted += [i for i in free if self.pool[i]["_lookalike"] == tag][: max(need, 0)]
        chosen = set(wanted)
        rest = wanted + [i for i in free if i not in chosen]
        rest = rest[: self.present - len(slots)]
        self.rnd.shuffle(rest)
        kind_free = max(self.kind_rows - len(slots), 0)
        slots += [Slot(i, []) for i in rest[:kind_free]]
        slots += [Slot(i, [], clean=True) for i in rest[kind_free:]]
        self._assign_unlimited([s for s in slots if not s.clean])
        return slots

    def _fits(self, kind: str, slot: Slot, most: int) -> bool:
        return (
            len(slot.kinds) < most
            and dk.compatible(kind, slot.kinds)
            and self.eligible(kind, slot.person)
        )

    def _assign_unlimited(self, rows: list[Slot]) -> None:
        rnd = self.rnd
        empty = [s for s in rows if not s.kinds]
        name_only = math.ceil(NAME_ONLY_SHARE * self.requests * self.scale)
        bare = empty[:name_only]
        for s in bare:
            s.kinds += ["ssn_missing", "dob_missing"]
        # Name-only rows come on top of the quotas, so each kind also occurs on its own.
        bare_ids = {id(s) for s in bare}
        others = [s for s in rows if id(s) not in bare_ids]
        count = {k: sum(k in s.kinds for s in others) for k in UNLIMITED}
        pending = [k for k in UNLIMITED for _ in range(max(self.quota[k] - count[k], 0))]
        rnd.shuffle(pending)
        swaps = sum(1 for k in pending if k == "name_order_swap")
        east = [s for s in rows if self.origins[s.person] in _EAST_ASIAN]
        rnd.shuffle(east)
        placed = 0
        for s in east:
            if placed >= swaps * EAST_ASIAN_SWAP_SHARE:
                break
            if self._fits("name_order_swap", s, 2):
                s.kinds.append("name_order_swap")
                pending.remove("name_order_swap")
                placed += 1
        for s in [s for s in rows if not s.kinds]:
            for k in pending:
                if self._fits(k, s, 1):
                    s.kinds.append(k)
                    pending.remove(k)
                    break
        for k in pending:
            for most in (2, 3):
                fits = [s for s in rnd.sample(rows, min(len(rows), 64)) if self._fits(k, s, most)]
                if fits:
                    fits[0].kinds.append(k)
                    break
        fallback = [k for k in UNLIMITED if k != "name_order_swap"]
        weights = [KIND_SHARE[k] for k in fallback]
        for s in rows:
            while not s.kinds:
                k = rnd.choices(fallback, weights)[0]
                if self._fits(k, s, 1):
                    s.kinds.append(k)
