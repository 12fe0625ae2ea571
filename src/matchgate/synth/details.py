"""Detail tables for one chunk of people: address history, phones, emails, relatives, IP
addresses and appointments (bank accounts and earnings are in :mod:`.finance`).

Every row carries the person's id, an ``as_of`` date and a ``source``; dates never fall before
the SSN was issued nor after death. Rows are built with ``np.repeat`` over per-person counts, so
the work stays vectorized.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from matchgate.synth import names, places
from matchgate.synth.chunk import DETAIL_COLUMNS, Chunk, between, choice, counts, rows, table
from matchgate.synth.dates import NO_DATE, TODAY, add_years, date_strings, day
from matchgate.synth.finance import bank_accounts, earnings
from matchgate.synth.ids import person_ids
from matchgate.synth.text import concat, digits, upper_where

__all__ = ["DETAIL_COLUMNS", "detail_tables"]

_WEEKDAY_OFFSET = 3  # day 0 (1970-01-01) was a Thursday: (day + 3) % 7 == 0 on Mondays
EMAIL_DOMAINS = (
    ("gmail.com", 0.42),
    ("yahoo.com", 0.14),
    ("outlook.com", 0.09),
    ("hotmail.com", 0.08),
    ("icloud.com", 0.08),
    ("aol.com", 0.04),
    ("comcast.net", 0.04),
    ("att.net", 0.03),
    ("protonmail.com", 0.02),
    ("msn.com", 0.02),
)
SERVICES = (
    "Replacement card",
    "Retirement benefits",
    "Disability claim",
    "Survivor benefits",
    "Medicare enrollment",
    "Name change",
    "New SSN application",
    "Benefit verification",
)
_PUBLIC_FIRST_OCTETS = np.array(
    [o for o in range(1, 224) if o not in (10, 100, 127, 169, 172, 192, 198, 203)], dtype=np.int64
)


def addresses(c: Chunk, rng: np.random.Generator) -> pa.Table:
    """1-4 addresses: the first from the SS-5 application, the last the master's current one."""
    who, k = rows(c.n_addresses)
    total = c.n_addresses[who]
    latest = k == total - 1
    previous = k == total - 2
    start = c.issued[who]
    stop = np.where(c.moved[who] != NO_DATE, c.moved[who], start)
    step = np.maximum(stop - start, 0) / np.maximum(total - 1, 1)
    jitter = np.where((k > 0) & ~latest, rng.random(who.size) * 0.8, 0.0)
    as_of = start + (step * (k + jitter)).astype(np.int64)
    fresh = places.addresses(c.tables, rng, c.origin[who])
    fresh = {f: upper_where(c.upper[who], v) for f, v in fresh.items()}
    take = pa.array(who)
    current = {f: pc.take(c.col(f), take) for f in DETAIL_COLUMNS["addresses"]}
    prior = {f: pc.take(c.col(f"_prev_{f}"), take) for f in DETAIL_COLUMNS["addresses"]}
    chosen = places.select(latest, current, places.select(previous, prior, fresh))
    later = ("change of address", "IRS W-2", "online account", "benefit application")
    source = pc.if_else(pa.array(k == 0), "SS-5 application", choice(rng, later, who.size))
    return table("addresses", who, c, chosen, as_of, source)


def _contact_window(c: Chunk, floor: str, age: float) -> tuple[np.ndarray, np.ndarray]:
    """Per person, the first and last day a contact record can be dated."""
    lo = np.maximum(np.maximum(c.issued, add_years(c.dob, age)), day(floor))
    return lo, c.end


def phones(c: Chunk, rng: np.random.Generator) -> pa.Table:
    lo, hi = _contact_window(c, "1995-01-01", 14)
    n = counts(rng, (0.2, 0.45, 0.25, 0.1), c.n) * (hi >= lo)
    who, _ = rows(n)
    m = who.size
    area = rng.integers(201, 990, m)
    area = np.where(area % 100 == 11, area + 1, area)
    exchange = rng.integers(200, 1000, m)
    line = rng.integers(0, 10_000, m)
    phone = concat([digits(area, 3), "-", digits(exchange, 3), "-", digits(line, 4)])
    sources = ("online account", "benefit application", "change of address", "SS-5 application")
    return table(
        "phones", who, c, {"phone": phone}, between(rng, lo[who], hi[who]), choice(rng, sources, m)
    )


def _ascii_lower(values: pa.Array) -> pa.Array:
    text = pc.replace_substring(pc.replace_substring(values, "đ", "d"), "Đ", "D")
    text = pc.utf8_lower(pc.utf8_normalize(text, "NFKD"))
    return pc.replace_substring_regex(text, r"[^a-z]", "")


def emails(c: Chunk, rng: np.random.Generator) -> pa.Table:
    """0-2 addresses made from the person's names, as people pick them."""
    lo, hi = _contact_window(c, "2000-01-01", 13)
    n = counts(rng, (0.35, 0.45, 0.2), c.n) * (hi >= lo)
    who, _ = rows(n)
    m = who.size
    take = pa.array(who)
    first = _ascii_lower(pc.take(c.col("first_name"), take))
    last = _ascii_lower(pc.take(c.col("_surname"), take))
    first = pc.if_else(pc.equal(first, ""), "user", first)
    last = pc.if_else(pc.equal(last, ""), "mail", last)
    year = digits(
        c.dob[who].astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) % 100, 2
    )
    number = pa.array(rng.integers(1, 1000, m)).cast(pa.string())
    initial = pc.utf8_slice_codeunits(first, 0, 1)
    patterns = [
        concat([first, ".", last]),
        concat([first, last]),
        concat([initial, last]),
        concat([first, "_", last]),
        concat([first, ".", last, number]),
        concat([first, year]),
        concat([initial, last, number]),
    ]
    pick = rng.integers(0, len(patterns), m)
    local = patterns[0]
    for i, pattern in enumerate(patterns[1:], start=1):
        local = pc.if_else(pa.array(pick == i), pattern, local)
    domains, weights = zip(*EMAIL_DOMAINS, strict=True)
    domain = pc.take(pa.array(domains), pa.array(counts(rng, weights, m)))
    email = concat([local, "@", domain])
    sources = ("online account", "benefit application", "change of address")
    return table(
        "emails", who, c, {"email": email}, between(rng, lo[who], hi[who]), choice(rng, sources, m)
    )


def relatives(c: Chunk, rng: np.random.Generator) -> pa.Table:
    """Relatives in the master (both ways, with their person id) and others (id empty)."""
    inside = np.flatnonzero(c.partner >= 0)
    local = c.partner[inside] - c.index[0]
    first, last = c.col("first_name"), c.col("last_name")
    in_master = {
        "relative_person_id": person_ids(c.partner[inside], c.seed),
        "relationship": pc.take(c.col("_partner_relation"), pa.array(inside)),
        "first_name": pc.take(first, pa.array(local)),
        "last_name": pc.take(last, pa.array(local)),
    }
    n = counts(rng, (0.45, 0.35, 0.15, 0.05), c.n)
    who, _ = rows(n)
    m = who.size
    adult = (c.end[who] - c.dob[who]) > 20 * 365
    r = rng.random(m)
    relation = np.select(
        [r < 0.3, r < 0.55, r < 0.8],
        [np.where(adult, 0, 1), 1, np.where(adult, 2, 3)],
        3,
    )  # 0 SPOUSE, 1 PARENT, 2 CHILD, 3 SIBLING
    sex = np.where(relation == 0, 1 - c.sex[who], (rng.random(m) < 0.5).astype(np.int8))
    given = names.given_names(c.tables, rng, c.origin[who], sex.astype(np.int8))
    own_surname = pc.take(c.col("_surname"), pa.array(who))
    other_surname = names.surnames(c.tables, rng, c.origin[who], rare=False)
    surname = pc.if_else(pa.array(rng.random(m) < 0.8), own_surname, other_surname)
    upper = c.upper[who]
    outside = {
        "relative_person_id": pa.array([""] * m, pa.string()),
        "relationship": pc.take(
            pa.array(["SPOUSE", "PARENT", "CHILD", "SIBLING"]), pa.array(relation)
        ),
        "first_name": upper_where(upper, given),
        "last_name": upper_where(upper, surname),
    }
    fields = {k: pa.concat_arrays([in_master[k], outside[k]]) for k in in_master}
    people = np.concatenate([inside, who])
    lo, hi = c.issued[people], c.end[people]
    is_parent = pc.equal(fields["relationship"], "PARENT").to_numpy(zero_copy_only=False)
    later = ("benefit application", "survivor claim", "online account")
    source = pc.if_else(
        pa.array(is_parent & (rng.random(people.size) < 0.6)),
        "SS-5 application",
        choice(rng, later, people.size),
    )
    return table("relatives", people, c, fields, between(rng, lo, hi), source)


def ip_addresses(c: Chunk, rng: np.random.Generator) -> pa.Table:
    lo, hi = _contact_window(c, "2010-01-01", 14)
    n = counts(rng, (0.45, 0.3, 0.15, 0.1), c.n) * (hi >= lo)
    who, _ = rows(n)
    m = who.size
    octets = [
        pa.array(_PUBLIC_FIRST_OCTETS[rng.integers(0, _PUBLIC_FIRST_OCTETS.size, m)]),
        pa.array(rng.integers(0, 256, m)),
        pa.array(rng.integers(0, 256, m)),
        pa.array(rng.integers(1, 255, m)),
    ]
    ip = pc.binary_join_element_wise(*[o.cast(pa.string()) for o in octets], ".")
    seen = between(rng, lo[who], hi[who])
    seconds = seen * 86_400 + rng.integers(0, 86_400, m)
    seen_at = pc.strftime(pa.array(seconds, pa.timestamp("s")), format="%Y-%m-%dT%H:%M:%SZ")
    source = choice(rng, ("online account", "online account", "benefit application"), m)
    return table("ip_addresses", who, c, {"ip": ip, "seen_at": seen_at}, seen, source)


def appointments(c: Chunk, rng: np.random.Generator) -> pa.Table:
    """Field-office appointments of living people over the past year and the next two months."""
    alive = c.death == NO_DATE
    n = counts(rng, (0.85, 0.12, 0.03), c.n) * alive
    who, _ = rows(n)
    m = who.size
    when = TODAY - 365 + rng.integers(0, 425, m)
    weekday = (when + _WEEKDAY_OFFSET) % 7
    when = when + np.where(weekday >= 5, 7 - weekday, 0)
    minutes = 9 * 60 + 15 * rng.integers(0, 27, m)
    hh, mm = digits(minutes // 60, 2), digits(minutes % 60, 2)
    starts = concat([date_strings(when), "T", hh, ":", mm, ":00"])
    zips = pc.take(c.col("zip"), pa.array(who))
    zip3 = pc.cast(pc.utf8_slice_codeunits(zips, 0, 3), pa.int64(), safe=False)
    z = np.nan_to_num(zip3.to_numpy(zero_copy_only=False)).astype(np.int64)
    letters = pa.array([chr(65 + i) for i in range(26)])
    code = concat([pc.take(letters, pa.array(z % 26)), digits((z * 7) % 100, 2)])
    booked = np.minimum(when - rng.integers(1, 40, m), TODAY)
    booked = np.maximum(booked, c.issued[who])
    fields = {
        "office_code": code,
        "office_city": pc.take(c.col("city"), pa.array(who)),
        "office_state": pc.take(c.col("state"), pa.array(who)),
        "starts_at": starts,
        "service": choice(rng, SERVICES, m),
    }
    source = choice(rng, ("appointment system", "online account", "phone"), m)
    return table("appointments", who, c, fields, booked, source)


BUILDERS = {
    "addresses": addresses,
    "phones": phones,
    "emails": emails,
    "bank_accounts": bank_accounts,
    "relatives": relatives,
    "ip_addresses": ip_addresses,
    "earnings": earnings,
    "appointments": appointments,
}


def detail_tables(c: Chunk, rng: np.random.Generator) -> Iterator[tuple[str, pa.Table]]:
    """Each detail table of the chunk, in :data:`DETAIL_COLUMNS` order."""
    for name in DETAIL_COLUMNS:
        yield name, BUILDERS[name](c, rng)
