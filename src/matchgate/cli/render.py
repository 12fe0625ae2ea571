"""Tables for the terminal."""

from __future__ import annotations

from collections.abc import Mapping

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
