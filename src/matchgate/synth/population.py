"""One chunk of people: the master file's identity columns plus hidden columns for later stages.

A chunk is generated from its own random stream, vectorized over people. Hidden columns (names
starting with ``_``) carry what the detail tables and the request builder need: origin, the
parts of compound surnames, maiden names, the previous address, look-alike partners. Only
:data:`MASTER_COLUMNS` are written to the master file.

Look-alikes: a few percent of people are generated right after a relative (their "anchor", the
row before) and copy the anchor's surname and address: twins (same date of birth, different first
names), parents and children (a father and son sometimes share the first name, the son's record
carrying "Jr"), spouses and siblings. No chain is longer than two, so the anchor is never itself
derived, and chunks never split a pair.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from matchgate.domain.contract import MASTER_COLUMNS
from matchgate.synth import life, names, places
from matchgate.synth.dates import NO_DATE, TODAY, add_years, date_strings, day, years_between
from matchgate.synth.ids import a_number_values, person_ids, ssn_strings
from matchgate.synth.sampling import IntArray, chance, cumulative, weighted
from matchgate.synth.tables import ORIGIN_MIX, ORIGINS, RefTables
from matchgate.synth.text import join, upper_where, where

NONE, TWIN, PARENT_CHILD, SPOUSE, SIBLING = range(5)
RELATION_SHARE = {TWIN: 0.016, PARENT_CHILD: 0.024, SPOUSE: 0.03, SIBLING: 0.015}
"""Share of people generated as the relative of the person before them, by relation."""

PARTNER_RELATIONS = ("", "SIBLING", "SPOUSE", "PARENT", "CHILD")
"""What a person's look-alike partner is to them (relatives-table vocabulary)."""
LOOKALIKE_TAGS = ("", "twin", "parent_child")

SAME_FIRST_NAME_SHARE = 0.4
"""Share of father-son pairs where the son carries the father's first name (and "Jr")."""

SIMILAR_TWIN_NAME_SHARE = 0.25
"""Share of twins whose first names start alike (e.g. Jayden and Jaylen)."""

MARRIED_NAME_SHARE: dict[str, float] = {
    "anglo": 0.62,
    "hispanic": 0.30,
    "chinese": 0.35,
    "korean": 0.12,
    "vietnamese": 0.30,
    "arabic": 0.35,
    "south_asian": 0.50,
    "slavic": 0.60,
    "portuguese": 0.45,
}
"""Share of adult women of an origin whose current surname is a married name."""

REMARRIED_SHARE = 0.12
ADDRESS_COUNT_WEIGHTS = (0.34, 0.32, 0.20, 0.14)
"""How many addresses (1-4) a person's history holds."""

SEX_UNKNOWN_SHARE = 0.002
ORIGIN_CUM = cumulative([ORIGIN_MIX[o] for o in ORIGINS])
_ANGLO = names.origin_code("anglo")
_EAST_ASIAN = np.array([o in {"chinese", "korean", "vietnamese"} for o in ORIGINS])


def _relations(rng: np.random.Generator, n: int) -> tuple[npt.NDArray[np.int8], IntArray]:
    """Each person's relation to the row before (NONE when unrelated) and the source row."""
    kinds, shares = zip(*RELATION_SHARE.items(), strict=True)
    cum = cumulative([1.0 - sum(shares), *shares])
    raw = np.array([NONE, *kinds], dtype=np.int8)[weighted(rng, cum, n)]
    related = raw != NONE
    related[1:] &= ~related[:-1]
    if n:
        related[0] = False
    relation = np.where(related, raw, NONE).astype(np.int8)
    source = np.arange(n, dtype=np.int64)
    source[related] -= 1
    return relation, source


def _copy(values: pa.Array, source: IntArray) -> pa.Array:
    return pc.take(values, pa.array(source))


def _twin_first_names(
    tables: RefTables,
    rng: np.random.Generator,
    first: pa.Array,
    origin: npt.NDArray[np.int8],
    sex: npt.NDArray[np.int8],
    twins: IntArray,
    anchors: IntArray,
) -> pa.Array:
    """First names for twins: never the anchor's, sometimes starting like it."""
    if not twins.size:
        return first
    tries = 12
    anchor_first = pc.take(first, pa.array(anchors)).to_pylist()
    candidates = [
        names.given_names(tables, rng, origin[twins], sex[twins]).to_pylist() for _ in range(tries)
    ]
    similar = chance(rng, SIMILAR_TWIN_NAME_SHARE, twins.size)
    chosen: list[str] = []
    # Per-twin choice among a few candidates: twins are ~2% of people, so this stays cheap.
    for i, anchor_name in enumerate(anchor_first):
        options = [c[i] for c in candidates if c[i] != anchor_name]
        pick = options[0] if options else anchor_name + "a"
        if similar[i]:
            alike = [o for o in options if o[:1] == anchor_name[:1]]
            pick = alike[0] if alike else pick
        chosen.append(pick)
    position = np.full(len(first), -1, dtype=np.int64)
    position[twins] = np.arange(twins.size)
    replaced = names.masked_take(pa.array(chosen, pa.string()), position, position >= 0)
    return pc.coalesce(replaced, first)


def generate_people(
    tables: RefTables,
    seed: int,
    rng: np.random.Generator,
    index: IntArray,
    *,
    ssn_slots: IntArray,
    a_number_slots: IntArray,
    relatives: bool = True,
) -> pa.Table:
    """Generate the people with global row numbers ``index`` (master and hidden columns)."""
    n = index.size
    rows = np.arange(n, dtype=np.int64)
    origin = weighted(rng, ORIGIN_CUM, n).astype(np.int8)
    relation, source = _relations(rng, n) if relatives else (np.zeros(n, np.int8), rows.copy())
    derived = relation != NONE
    anchor = source
    origin = origin[source]

    # Sex: spouses are of the opposite sex; U is rare and gets a name of either sex.
    name_sex = (rng.random(n) < 0.5).astype(np.int8)
    spouse = relation == SPOUSE
    name_sex[spouse] = 1 - name_sex[anchor[spouse]]
    sex_text = where(
        chance(rng, SEX_UNKNOWN_SHARE, n), "U", pc.take(pa.array(["M", "F"]), name_sex)
    )

    # Dates of birth, with relatives placed around their anchor.
    dob = np.minimum(life.birth_days(rng, n), TODAY - 30)
    adult_anchor = years_between(dob[anchor], np.full(n, TODAY)) >= 20
    relation = np.where(spouse & ~adult_anchor, SIBLING, relation).astype(np.int8)
    spouse = relation == SPOUSE
    twin = relation == TWIN
    sibling = relation == SIBLING
    parent_child = relation == PARENT_CHILD
    gap = 18 + rng.random(n) * 24
    child_dob = add_years(dob[anchor], gap)
    derived_is_child = parent_child & (child_dob < TODAY - 30)
    derived_is_parent = parent_child & ~derived_is_child
    sibling_gap = (1 + rng.random(n) * 11) * np.where(rng.random(n) < 0.5, -1, 1)
    spouse_gap = np.clip(rng.normal(0, 3.5, n), -15, 15)
    dob = np.select(
        [twin, derived_is_child, derived_is_parent, sibling, spouse],
        [
            dob[anchor],
            child_dob,
            add_years(dob[anchor], -gap),
            add_years(dob[anchor], sibling_gap),
            add_years(dob[anchor], spouse_gap),
        ],
        dob,
    )
    dob = np.minimum(dob, TODAY - 30)
    # A father and son sharing a first name: both male, the son a "Jr".
    same_first = parent_child & chance(rng, SAME_FIRST_NAME_SHARE, n)
    name_sex[same_first] = 0
    name_sex[anchor[same_first]] = 0
    sex_text = pc.if_else(pa.array(same_first | np.isin(rows, anchor[same_first])), "M", sex_text)

    # Birthplace, immigration, SSN issuance, citizenship, death.
    foreign = life.foreign_born(rng, origin, dob)
    foreign = np.where(twin, foreign[anchor], foreign)
    birth, foreign = places.birthplaces(tables, rng, origin, foreign)
    twin_source = np.where(twin, anchor, rows)
    birth = {k: _copy(v, twin_source) for k, v in birth.items()}
    arrival = life.arrival_days(rng, dob, foreign)
    arrival = np.where(twin, arrival[anchor], arrival)
    issued = life.ssn_issue_days(rng, dob, arrival)
    death = life.death_days(rng, dob, issued)
    status = life.citizenship(rng, dob, arrival, issued, death)
    end = np.where(death != NO_DATE, death, TODAY)
    age_end = years_between(dob, end)

    # Names.
    east_asian = _EAST_ASIAN[origin]
    anglicized_share = np.array([names.ANGLICIZED_FIRST_SHARE.get(o, 0.0) for o in ORIGINS])
    anglicized = ~foreign & chance(rng, anglicized_share[origin], n)
    name_origin = np.where(anglicized, _ANGLO, origin).astype(np.int8)
    first = names.given_names(tables, rng, name_origin, name_sex)
    middle = names.middle_names(tables, rng, origin, name_sex, anglicized & east_asian)
    middle = pc.if_else(pc.equal(middle, first), "", middle)
    twin_rows = np.flatnonzero(twin)
    first = _twin_first_names(
        tables, rng, first, name_origin, name_sex, twin_rows, anchor[twin_rows]
    )
    first = pc.if_else(pa.array(same_first), _copy(first, anchor), first)
    surname1 = names.surnames(tables, rng, origin)
    surname, surname2, compound = names.compound_surnames(tables, rng, origin, surname1)
    surname1 = _copy(surname1, source)
    surname2 = _copy(surname2, source)
    surname = _copy(surname, source)
    compound = compound[source]
    male_adult = (name_sex == 0) & (age_end >= 18) & (origin == _ANGLO)
    in_pair = derived.copy()
    in_pair[anchor[derived]] = True
    suffix = names.suffixes(rng, male_adult & ~in_pair)
    jr = np.zeros(n, dtype=bool)
    sr = np.zeros(n, dtype=bool)
    child_rows = np.where(derived_is_child, rows, anchor)
    parent_rows = np.where(derived_is_child, anchor, rows)
    jr[child_rows[same_first]] = True
    sr[parent_rows[same_first & chance(rng, 0.3, n)]] = True
    suffix = pc.if_else(pa.array(jr), "Jr", pc.if_else(pa.array(sr), "Sr", suffix))

    # Married names: the current surname is the spouse's, the maiden name goes to other_names.
    woman = (name_sex == 1) & (age_end >= 20)
    married_share = np.array([MARRIED_NAME_SHARE[o] for o in ORIGINS])[origin]
    twin_or_sibling = np.isin(relation, (TWIN, SIBLING))
    twin_or_sibling[anchor[twin_or_sibling]] = True
    married = woman & ~twin_or_sibling & chance(rng, married_share, n)
    married |= woman & spouse
    married[anchor[spouse]] |= woman[anchor[spouse]]
    maiden1 = names.surnames(tables, rng, origin)
    maiden, _, _ = names.compound_surnames(tables, rng, origin, maiden1)
    married &= pc.not_equal(maiden, surname).to_numpy(zero_copy_only=False)
    maiden = pc.if_else(pa.array(married), maiden, "")
    remarried = married & chance(rng, REMARRIED_SHARE, n)
    earlier_husband = pc.if_else(
        pa.array(remarried), names.surnames(tables, rng, origin, rare=False), ""
    )
    married_day = np.where(
        married,
        np.clip(add_years(dob, 20 + rng.random(n) * 15), issued, end),
        NO_DATE,
    )
    upper = chance(rng, np.where(issued < day("1980-01-01"), 0.35, 0.12), n)
    name_cols = {
        "first_name": first,
        "middle_name": middle,
        "_surname": surname,
        "_surname1": surname1,
        "_surname2": surname2,
        "_suffix": suffix,
        "_maiden": maiden,
        "_earlier_husband": earlier_husband,
    }
    name_cols = {k: upper_where(upper, v) for k, v in name_cols.items()}
    last = names.with_suffix(name_cols["_surname"], name_cols["_suffix"])
    given = [name_cols["first_name"], name_cols["middle_name"]]
    maiden_full = join([*given, name_cols["_maiden"]])
    husband_full = pc.if_else(
        pa.array(remarried), join([*given, name_cols["_earlier_husband"]]), ""
    )
    other = join([pc.if_else(pa.array(married), maiden_full, ""), husband_full], "|")

    # Addresses: relatives share the anchor's; movers have a previous one.
    current = places.addresses(tables, rng, origin)
    current = {k: _copy(v, source) for k, v in current.items()}
    n_addresses = weighted(rng, cumulative(ADDRESS_COUNT_WEIGHTS), n) + 1
    room = 1 + np.floor(years_between(issued, end) / 2).astype(np.int64)  # a move per 2 years
    n_addresses = np.minimum(n_addresses, np.maximum(room, 1)).astype(np.int8)
    # The previous address of movers: in the same city for some, anywhere for the rest.
    movers = np.flatnonzero(n_addresses > 1)
    fresh = places.addresses(tables, rng, origin[movers])
    here = places.take(current, movers)
    same_city = chance(rng, 0.3, movers.size)
    moved_from = places.select(same_city, {**here, "address_line": fresh["address_line"]}, fresh)
    slot = np.full(n, -1, dtype=np.int64)
    slot[movers] = np.arange(movers.size)
    prev = {k: names.masked_take(v, slot, slot >= 0).fill_null("") for k, v in moved_from.items()}
    adult_day = np.maximum(add_years(dob, 18), issued)
    first_move = np.where(adult_day < end, adult_day, np.minimum(issued, end))
    moved = np.where(
        n_addresses > 1,
        first_move + (rng.random(n) * np.maximum(end - first_move, 0)).astype(np.int64),
        NO_DATE,
    )
    address_cols = {k: upper_where(upper, v) for k, v in current.items()}
    prev_cols = {f"_prev_{k}": upper_where(upper, v) for k, v in prev.items()}

    # Look-alike tags and the partner's row, both ways.
    partner = np.full(n, -1, dtype=np.int64)
    partner[derived] = index[anchor[derived]]
    partner[anchor[derived]] = index[derived]
    relation_code = np.zeros(n, dtype=np.int8)  # index into PARTNER_RELATIONS
    relation_code[derived & (twin | sibling)] = 1
    relation_code[anchor[twin | sibling]] = 1
    relation_code[spouse] = 2
    relation_code[anchor[spouse]] = 2
    relation_code[derived_is_child] = 3
    relation_code[anchor[derived_is_child]] = 4
    relation_code[derived_is_parent] = 4
    relation_code[anchor[derived_is_parent]] = 3
    lookalike = np.zeros(n, dtype=np.int8)  # index into LOOKALIKE_TAGS
    lookalike[twin] = 1
    lookalike[anchor[twin]] = 1
    lookalike[parent_child] = 2
    lookalike[anchor[parent_child]] = 2

    a_values = a_number_values(a_number_slots, seed)
    a_text = life.a_number_text(rng, a_values)
    columns: dict[str, pa.Array | npt.NDArray[np.generic]] = {
        "person_id": person_ids(index, seed),
        "ssn": ssn_strings(ssn_slots, seed),
        "first_name": name_cols["first_name"],
        "middle_name": name_cols["middle_name"],
        "last_name": last,
        "other_names": other,
        "dob": date_strings(dob),
        "sex": sex_text,
        **birth,
        "citizenship": pc.take(pa.array(life.CITIZENSHIP), pa.array(status.code)),
        "citizenship_as_of": date_strings(status.as_of),
        "a_number": pc.if_else(pa.array(status.has_a_number), a_text, ""),
        "death_date": date_strings(death),
        **address_cols,
        "_index": index,
        "_origin": origin,
        "_name_sex": name_sex,
        "_dob": dob,
        "_death": death,
        "_issued": issued,
        "_arrival": arrival,
        "_married": married_day,
        "_moved": moved,
        "_n_addresses": n_addresses,
        "_upper": upper,
        "_compound": compound,
        "_a_number9": np.where(status.has_a_number, a_values, -1),
        **{k: v for k, v in name_cols.items() if k.startswith("_")},
        **prev_cols,
        "_partner": partner,
        "_partner_relation": pc.take(pa.array(PARTNER_RELATIONS), pa.array(relation_code)),
        "_lookalike": pc.take(pa.array(LOOKALIKE_TAGS), pa.array(lookalike)),
    }
    return pa.table(columns)


def master_view(people: pa.Table) -> pa.Table:
    """The master-file columns of a chunk, in contract order."""
    return people.select(list(MASTER_COLUMNS))
