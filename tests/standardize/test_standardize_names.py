"""Name standardization: what a standardized name looks like."""

# ruff: noqa: RUF001  (look-alike letters are the point of this module)

from __future__ import annotations

import pytest

from matchgate.standardize.names import compact, name_key, standardize_name, surname_keys


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Nguyễn", "NGUYEN"),
        ("Đặng", "DANG"),
        ("O'Brien", "OBRIEN"),
        ("O’Brien", "OBRIEN"),
        ("García-López", "GARCIA LOPEZ"),
        ("De La Cruz", "DE LA CRUZ"),
        ("Smith Jr.", "SMITH"),
        ("Smith, III", "SMITH"),
        ("smith sr jr", "SMITH"),
        ("Jr", "JR"),
        ("Łukasz Wałęsa", "LUKASZ WALESA"),
        ("Straße", "STRASSE"),
        ("Øyvind", "OYVIND"),
        ("Ærø", "AERO"),
        ("Þórunn", "THORUNN"),
        ("St. John", "ST JOHN"),
        ("  mary   ann  ", "MARY ANN"),
        ("ﬁnn", "FINN"),
        ("Ｊｏｈｎ", "JOHN"),
        ("Nguye\u0302\u0303n", "NGUYEN"),  # already decomposed
        ("", ""),
        ("---", ""),
        ("Дмитрий", ""),
    ],
)
def test_standardize_name(raw: str, expected: str) -> None:
    assert standardize_name(raw) == expected


def test_compact_and_keys() -> None:
    assert compact("DE LA CRUZ") == "DELACRUZ"
    assert name_key("DE LA CRUZ") == "DELA"
    assert name_key("LI") == "LI"
    assert surname_keys("GARCIA LOPEZ") == ["GARC", "LOPE"]
    assert surname_keys("DE LA CRUZ") == ["DELA", "CRUZ"]
    assert surname_keys("VAN DER BERG") == ["VAND", "BERG"]
    assert surname_keys("SMITH") == ["SMIT"]
    assert surname_keys("") == []


def test_nicknames_are_standardized_and_symmetric() -> None:
    from matchgate.standardize.nicknames import are_nicknames, nickname_pairs

    pairs = set(nickname_pairs())
    assert all((b, a) in pairs for a, b in pairs)
    assert all(standardize_name(a) == a and standardize_name(b) == b for a, b in pairs)
    assert are_nicknames("BOB", "ROBERT")
    assert are_nicknames("TONA", "ANTONIA")  # from TOÑA
    assert not are_nicknames("BOB", "BOB")
    assert not are_nicknames("BOB", "WILLIAM")
