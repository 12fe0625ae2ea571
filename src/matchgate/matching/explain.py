"""Explanations of a decision: the match-weight waterfall of one output row.

A row's ``weights`` column (JSON: the prior and each compared field's weight in bits) and its
``levels`` column (JSON: each field's comparison level) are all a review screen needs.
:func:`waterfall` turns them into :class:`Bar` records, one per step, with the running total
before and after it (the data structure a screen draws, in any toolkit); :func:`waterfall_svg`
draws it as a self-contained SVG (no script, no external reference) that a page can inline.

A bar's weight is in bits: +1 doubles the odds that the candidate is the person sought, -1
halves them; the last bar's ``end`` is the candidate's total weight and ``probability`` the
match probability written in the ``score`` column.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from html import escape

from matchgate.matching.comparisons import COMPARISONS

_DESCRIPTIONS = {c.name: c.description for c in COMPARISONS}
_REASONS = {(c.name, lvl.label): lvl.reason for c in COMPARISONS for lvl in c.levels}


@dataclass(frozen=True)
class Bar:
    """One step of the waterfall."""

    field: str
    label: str
    """What the field's evidence was (the level's plain-language reason)."""
    weight: float
    start: float
    end: float

    @property
    def probability(self) -> float:
        """Match probability after this step."""
        return float(1.0 / (1.0 + 2.0 ** (-max(min(self.end, 60.0), -60.0))))


def waterfall(weights: str | dict[str, float], levels: str | dict[str, str] = "") -> list[Bar]:
    """The bars of a row's waterfall, from its ``weights`` (and ``levels``) columns."""
    w = json.loads(weights) if isinstance(weights, str) else dict(weights)
    if isinstance(levels, str):
        lv: dict[str, str] = json.loads(levels) if levels else {}
    else:
        lv = dict(levels)
    bars: list[Bar] = []
    total = 0.0
    for field in ["prior", *(c.name for c in COMPARISONS)]:
        if field not in w:
            continue
        weight = float(w[field])
        if field == "prior":
            label = "prior: chance that one master person is the one sought"
        else:
            label = _REASONS.get((field, lv.get(field, "")), _DESCRIPTIONS.get(field, field))
        bars.append(Bar(field, label, weight, total, total + weight))
        total += weight
    return bars


_WIDTH, _ROW, _LEFT, _RIGHT = 760, 26, 300, 20


def waterfall_svg(weights: str | dict[str, float], levels: str | dict[str, str] = "") -> str:
    """The waterfall as an SVG document (text escaped; green adds evidence, red removes it)."""
    bars = waterfall(weights, levels)
    if not bars:
        return '<svg xmlns="http://www.w3.org/2000/svg" width="0" height="0"></svg>'
    points = [0.0] + [b.end for b in bars]
    low, high = min(points), max(points)
    span = (high - low) or 1.0
    plot = _WIDTH - _LEFT - _RIGHT

    def x(value: float) -> float:
        return _LEFT + (value - low) / span * plot

    height = _ROW * (len(bars) + 2)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{height}" '
        f'font-family="sans-serif" font-size="12" role="img">',
        "<title>Match weight waterfall</title>",
        f'<line x1="{x(0):.1f}" y1="0" x2="{x(0):.1f}" y2="{height}" stroke="#999" '
        'stroke-dasharray="3,3"/>',
    ]
    for i, bar in enumerate(bars):
        y = _ROW * i + 4
        left, right = sorted((x(bar.start), x(bar.end)))
        colour = "#2e7d32" if bar.weight >= 0 else "#c62828"
        if bar.field == "prior":
            colour = "#546e7a"
        text = escape(f"{bar.field}: {bar.label}")
        out.append(f'<text x="4" y="{y + 14}">{text}</text>')
        out.append(
            f'<rect x="{left:.1f}" y="{y}" width="{max(right - left, 1):.1f}" '
            f'height="{_ROW - 8}" fill="{colour}"/>'
        )
        out.append(f'<text x="{right + 3:.1f}" y="{y + 14}">{bar.weight:+.1f}</text>')
    final = bars[-1]
    y = _ROW * len(bars) + 4
    out.append(
        f'<text x="4" y="{y + 14}" font-weight="bold">total {final.end:+.1f} bits, '
        f"probability {final.probability:.6f}</text>"
    )
    out.append("</svg>")
    return "\n".join(out)


def odds_text(bits: float) -> str:
    """A weight in words, for screen readers and reports ("32 times more likely")."""
    factor = 2.0 ** abs(bits)
    if factor >= 1e6:
        amount = f"{factor:.1e}"
    else:
        amount = f"{factor:,.0f}" if factor >= 10 else f"{factor:.1f}"
    direction = "more" if bits >= 0 else "less"
    return f"{amount} times {direction} likely" if not math.isclose(bits, 0.0) else "no change"
