"""The home page's chart: assurance state by department as stacked horizontal bars (plain geometry).

``templates/dashboard/_assurance.svg.html`` draws it as SVG on the server (no script, no CDN), in
the style of ``tiers.chart``.
"""

from __future__ import annotations

from dataclasses import dataclass

LABEL_WIDTH = 150
BAR_AREA = 300
ROW_HEIGHT = 20
BAR_HEIGHT = 13
TOP = 4
MAX_ROWS = 12  # departments drawn; the rest are summed into one "others" bar

# segment key, fill colour (with a text label in the legend, colour is never the only cue)
SEGMENTS = (("attention", "#b03a2e"), ("ok", "#2e7d4f"), ("without", "#9aa0a6"))


@dataclass(frozen=True)
class Segment:
    """One part of a bar."""

    key: str
    value: int
    x: int
    width: int
    fill: str


@dataclass(frozen=True)
class Row:
    """One department's bar."""

    label: str
    total: int
    y: int
    segments: list[Segment]


@dataclass(frozen=True)
class StackedChart:
    """The bars and the drawing's size."""

    rows: list[Row]
    width: int
    height: int
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT


def stacked(data: list[tuple[str, dict[str, int]]], others_label: str) -> StackedChart:
    """Bars of ``(label, {"attention", "ok", "without"})`` scaled to the longest bar."""
    if len(data) > MAX_ROWS:
        rest: dict[str, int] = {key: 0 for key, _fill in SEGMENTS}
        for _label, values in data[MAX_ROWS - 1 :]:
            for key in rest:
                rest[key] += values.get(key, 0)
        data = [*data[: MAX_ROWS - 1], (others_label, rest)]
    peak = max((sum(values.values()) for _label, values in data), default=0) or 1
    rows = []
    for index, (label, values) in enumerate(data):
        x = LABEL_WIDTH
        segments = []
        for key, fill in SEGMENTS:
            value = values.get(key, 0)
            width = round(BAR_AREA * value / peak)
            segments.append(Segment(key, value, x, width, fill))
            x += width
        rows.append(Row(label, sum(values.values()), TOP + index * ROW_HEIGHT, segments))
    return StackedChart(rows, LABEL_WIDTH + BAR_AREA + 40, TOP * 2 + ROW_HEIGHT * max(len(rows), 1))
