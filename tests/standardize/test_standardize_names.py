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
