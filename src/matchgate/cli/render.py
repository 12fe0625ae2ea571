"""Tables and key: value text for the terminal."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from rich.table import Table

from matchgate.eval.metrics import Evaluation, GroupMetrics

_RATES = (
    ("precision", "precision"),
    ("recall", "recall"),
    ("recall w/o name-only", "recall_without_name_only"),
    ("review", "review_rate"),
    ("false match", "false_match_rate"),
    ("F1", "f1"),
)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def _section(table: Table, title: str, groups: Mapping[str, GroupMetrics]) -> None:
    table.add_section()
    table.add_row(f"[bold]{title}[/bold]", *[""] * (len(table.columns) - 1))
    for name, metrics in sorted(groups.items()):
        _row(table, f"  {name}", metrics)


def _row(table: Table, name: str, m: GroupMetrics) -> None:
    rates = [_fmt(getattr(m, attr)) for _, attr in _RATES]
    table.add_row(name, str(m.rows), str(m.present), str(m.absent), str(m.wrong_matches), *rates)


def evaluation_table(evaluation: Evaluation) -> Table:
    table = Table(title="Match accuracy against ground truth", show_lines=False)
    table.add_column("group")
    for label in ("rows", "present", "absent", "wrong"):
        table.add_column(label, justify="right")
    for label, _ in _RATES:
        table.add_column(label, justify="right")
    _row(table, "overall", evaluation.overall)
    _section(table, "by discrepancy kind", evaluation.by_kind)
    _section(table, "by name origin", evaluation.by_origin)
    return table


KEY_WIDTH = 14
"""The column where values start in key: value text (keys are padded to it)."""


def plain(value: Any) -> str:
    """One value as a person reads it: missing is ``-``, a yes/no is ``yes``/``no``, a list of
    plain values is comma-separated, anything nested is compact JSON."""
    if value is None or (isinstance(value, str | list | dict) and not value):
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list) and all(isinstance(x, str | int | float) for x in value):
        return ", ".join(str(x) for x in value)
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(", ", ": "), default=str)
    return str(value)


def key_value_lines(data: Mapping[str, Any], indent: int = 0) -> Iterator[str]:
    """``data`` as ``key: value`` lines with aligned values; a nested mapping is a ``key:`` line
    followed by its own lines, indented two spaces (never a Python ``repr``)."""
    pad = " " * indent
    width = max(KEY_WIDTH - indent, 1)
    for key, value in data.items():
        if isinstance(value, Mapping) and value:
            yield f"{pad}{key}:"
            yield from key_value_lines(value, indent + 2)
        else:
            yield f"{pad}{key + ':':<{width}} {plain(value)}"
