"""A horizontal bar chart as plain geometry; ``templates/tiers/_bars.svg.html`` draws it as SVG.

Drawn on the server (no script, no CDN): labels are escaped by the template like any text.
"""

from __future__ import annotations

from dataclasses import dataclass

LABEL_WIDTH = 260
BAR_AREA = 360
ROW_HEIGHT = 22
BAR_HEIGHT = 14
TOP = 6


@dataclass(frozen=True)
class Bar:
    """One bar: its label, value, and where it is drawn."""

    label: str
    value: int
    y: int
    width: int


@dataclass(frozen=True)
class Chart:
    """The bars and the drawing's size."""

    bars: list[Bar]
    width: int
    height: int
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT


def bars(rows: list[tuple[str, int]]) -> Chart:
    """Bars scaled to the largest value (a single bar of 0 draws nothing)."""
    peak = max((value for _label, value in rows), default=0) or 1
    drawn = [
        Bar(label, value, TOP + index * ROW_HEIGHT, round(BAR_AREA * value / peak))
        for index, (label, value) in enumerate(rows)
    ]
    return Chart(drawn, LABEL_WIDTH + BAR_AREA + 50, TOP * 2 + ROW_HEIGHT * max(len(rows), 1))
