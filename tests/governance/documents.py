"""Agreement documents for tests: the shipped examples as dicts, edited one field at a time."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from matchgate.domain.errors import InputError
from matchgate.governance import Agreement, parse_agreement

EXAMPLES = Path(__file__).parents[2] / "examples" / "agreements"
REFERENCE = EXAMPLES / "reference-2025-08.yaml"
SAVE = EXAMPLES / "save-verification.yaml"

DELETE = object()
"""Pass as the value to :func:`edit` to remove the field."""


def document(path: Path = REFERENCE) -> dict[str, Any]:
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def to_yaml(doc: dict[str, Any]) -> str:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(doc, Dumper=dumper, sort_keys=False, allow_unicode=True)


def parse(doc: dict[str, Any]) -> Agreement:
    return parse_agreement(to_yaml(doc), source="test.yaml")


def edit(doc: dict[str, Any], path: str, value: object) -> dict[str, Any]:
    """A copy of ``doc`` with the field at ``path`` (``routine_uses[1].effective``) replaced."""
    changed = copy.deepcopy(doc)
    parts: list[str | int] = [
        int(index) if index else name for name, index in re.findall(r"([A-Za-z_]+)|\[(\d+)\]", path)
    ]
    target: Any = changed
    for part in parts[:-1]:
        target = target[part]
    if value is DELETE:
        del target[parts[-1]]
    else:
        target[parts[-1]] = value
    return changed


def rejection(doc: dict[str, Any]) -> InputError:
    with pytest.raises(InputError) as caught:
        parse(doc)
    return caught.value
