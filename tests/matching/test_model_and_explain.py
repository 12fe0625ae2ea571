"""The shipped model file, the variant keys and the waterfall."""

from __future__ import annotations

import itertools
import json

import pytest

from matchgate.matching.comparisons import COMPARISONS, splink_settings
from matchgate.matching.explain import odds_text, waterfall, waterfall_svg
from matchgate.matching.model import ModelMismatch, load_model, model_from_settings
from matchgate.standardize.names import standardize_name
from matchgate.standardize.nicknames import are_nicknames
from matchgate.standardize.variants import skeleton, variant_keys


def test_shipped_model_loads_and_fits_the_code() -> None:
    model = load_model()
    assert model.version.startswith("person-")
    assert set(model.parameters) == {c.name for c in COMPARISONS}
    for spec in COMPARISONS:
        assert len(model.parameters[spec.name]) == len(spec.levels)
        for level in model.parameters[spec.name]:
            assert 0 < level.m <= 1
            assert 0 < level.u <= 1
    # Exact names are term-frequency adjusted.
    assert model.parameters["surname"][0].tf_column == "last_c"
    assert model.parameters["first_name"][0].tf_column == "first_c"


def test_a_model_for_other_comparisons_is_refused() -> None:
    settings = splink_settings()
    settings["comparisons"][2]["comparison_levels"][1]["sql_condition"] = "last_l = last_r"
    with pytest.raises(ModelMismatch, match="retrain"):
        model_from_settings(settings, COMPARISONS)


def _same(a: str, b: str) -> bool:
    return bool(set(variant_keys(standardize_name(a))) & set(variant_keys(standardize_name(b))))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Mohammed", "Muhammad"),
        ("Hussein", "Husayn"),
        ("Zhang", "Cheung"),
        ("Park", "Bahk"),
        ("Lee", "Rhee"),
        ("Seo", "Suh"),
        ("Hyun-woo", "Hyeon-u"),
        ("Aleksandr", "Alexander"),
        ("Vásquez", "Vazquez"),
        ("Lakshmi", "Luxmi"),
        ("Bill", "William"),
        ("Peggy", "Margaret"),
        ("Darek", "Dariusz"),
    ],
)
def test_variant_keys_meet(a: str, b: str) -> None:
    assert _same(a, b)


@pytest.mark.parametrize(("a", "b"), [("Robert", "William"), ("Smith", "Jones"), ("Li", "Park")])
def test_variant_keys_keep_different_names_apart(a: str, b: str) -> None:
    assert not _same(a, b)


def test_nicknames_do_not_chain_through_a_shorter_name() -> None:
    assert are_nicknames("BOB", "ROB")
    assert not are_nicknames("ROBERT", "WILLIAM")  # both listed with BILL


def test_skeleton_folds_what_transliteration_changes() -> None:
    assert skeleton("MOHAMMED") == skeleton("MUHAMMAD")
    assert skeleton("ZHANG") == skeleton("CHANG")
    assert skeleton("SMITH") != skeleton("JONES")


WEIGHTS = {"prior": -18.0, "ssn": 17.5, "surname": 8.8, "first_name": -6.1, "dob": 14.7}
LEVELS = {"ssn": "exact", "surname": "exact", "first_name": "different", "dob": "exact"}


def test_waterfall_adds_up_to_the_total() -> None:
    bars = waterfall(json.dumps(WEIGHTS), json.dumps(LEVELS))
    assert [b.field for b in bars] == ["prior", "ssn", "surname", "first_name", "dob"]
    assert bars[0].start == 0.0
    for before, after in itertools.pairwise(bars):
        assert after.start == pytest.approx(before.end)
    assert bars[-1].end == pytest.approx(sum(WEIGHTS.values()))
    assert bars[3].label == "first name differs"
    assert 0.999 < bars[-1].probability < 1


def test_waterfall_svg_is_self_contained_and_escaped() -> None:
    svg = waterfall_svg(WEIGHTS, {**LEVELS, "surname": "exact"})
    assert svg.startswith("<svg")
    assert svg.endswith("</svg>")
    assert "<script" not in svg
    assert "href" not in svg
    assert "first name differs" in svg
    assert "total +16.9 bits" in svg
    assert waterfall_svg({}).startswith("<svg")


def test_odds_text() -> None:
    assert odds_text(5.0) == "32 times more likely"
    assert odds_text(-1.0) == "2.0 times less likely"
    assert odds_text(0.0) == "no change"
