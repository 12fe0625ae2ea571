"""docs/package-format.md stays true: its JSON Schemas and constants are the code's."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from matchgate.disclosure import FORMAT_VERSION, MAGIC, json_schemas
from matchgate.disclosure.container import MAX_HEADER_SIZE
from matchgate.disclosure.header import DEFAULT_CHUNK_SIZE, V1_ALGORITHMS
from matchgate.disclosure.pkcs8 import ITERATIONS

DOC = Path(__file__).resolve().parents[2] / "docs" / "package-format.md"
BLOCK = re.compile(r"(<!-- schema:(\w+) -->\n```json\n)(.*?)(```\n<!-- /schema:\2 -->)", re.S)


def rendered(text: str) -> str:
    schemas = json_schemas()

    def fill(match: re.Match[str]) -> str:
        body = json.dumps(schemas[match.group(2)], indent=2) + "\n"
        return match.group(1) + body + match.group(4)

    return BLOCK.sub(fill, text)


def test_published_schemas_are_the_code_s() -> None:
    text = DOC.read_text(encoding="utf-8")
    if os.environ.get("MATCHGATE_UPDATE_DOCS"):
        DOC.write_text(rendered(text), encoding="utf-8")
        text = DOC.read_text(encoding="utf-8")
    names = [m.group(2) for m in BLOCK.finditer(text)]
    assert names == ["header", "manifest"]
    assert text == rendered(text), "run: MATCHGATE_UPDATE_DOCS=1 pytest " + __file__


def test_constants_in_the_prose_are_the_code_s() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert " ".join(f"{b:02X}" for b in MAGIC) in text
    assert f"format version: `00 {FORMAT_VERSION:02d}`" in text
    assert f"1 to {MAX_HEADER_SIZE}" in text
    assert f"default {DEFAULT_CHUNK_SIZE}" in text
    assert f"{ITERATIONS:,} iterations" in text
    algorithms = json.dumps(V1_ALGORITHMS.model_dump(), sort_keys=True, separators=(", ", ": "))
    assert algorithms in text
