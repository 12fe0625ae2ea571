"""The lazily generated translation table folds every character exactly as the full map."""

from __future__ import annotations

from matchgate.standardize.charmap import common_map, generated_map, translation_table


def test_lazy_table_equals_the_full_map_on_every_code_point() -> None:
    full = {ord(k): v for k, v in (common_map() | generated_map()).items()}
    lazy = translation_table()
    text = "".join(chr(code) for code in range(0x20, 0x30000) if not 0xD800 <= code <= 0xDFFF)
    assert text.translate(lazy) == text.translate(full)
    assert "ǅﬁ".translate(lazy) == "Dzfi"
