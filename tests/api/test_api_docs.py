"""docs/api.md stays in step with the code: its route table is the OpenAPI document's operations,
and its table of variables is ApiConfig's fields."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from tests.api.conftest import Served
from tests.api.openapi import operations

from matchgate.api import ApiConfig

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def test_route_table_lists_every_operation(served: Served) -> None:
    text = DOC.read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| (GET|POST|PUT|PATCH|DELETE) \| `([^`]+)` \|", text, re.M))
    document = served.http.get("/openapi.json").json()
    served_ops = {(op.method.upper(), op.path) for op in operations(document)}
    assert documented == served_ops


def test_variables_table_lists_every_limit() -> None:
    text = DOC.read_text(encoding="utf-8")
    documented = dict(re.findall(r"^\| `(MATCHGATE_API_[A-Z_]+)` \| ([0-9.]+) \|", text, re.M))
    defaults = ApiConfig()
    expected = {
        f"MATCHGATE_API_{f.name.upper()}": getattr(defaults, f.name)
        for f in dataclasses.fields(ApiConfig)
    }
    assert {k: float(v) for k, v in documented.items()} == {
        k: float(v) for k, v in expected.items()
    }
