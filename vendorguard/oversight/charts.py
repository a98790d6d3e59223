"""Bar charts of the report as plain geometry, drawn as SVG on the page and as PNG for Word.

One geometry serves both: ``templates/oversight/_chart.svg.html`` draws it as SVG (no script, no
CDN), :func:`png` draws the same bars with Pillow and the IPA Gothic font for the .docx.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

LABEL_WIDTH = 200
BAR_AREA = 380
BAR_HEIGHT = 12
GROUP_GAP = 10
TOP = 28  # room for the legend
COLORS = ("#1f5f8b", "#c8d6e5", "#b03a2e")
FONTS = (
    Path("/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf"),
    Path("/usr/share/fonts/truetype/fonts-japanese-gothic.ttf"),
    Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"),
)


@dataclass(frozen=True)
class Bar:
    """One bar of a group: its value, where it is drawn and its colour."""

    value: int
    y: int
    width: int
    color: str


@dataclass(frozen=True)
class Group:
    """One row of the chart (a department or a tier) with a bar per series."""

    label: str
    y: int
    bars: list[Bar]


@dataclass(frozen=True)
class Chart:
    """The groups, the legend and the drawing's size."""

    title: str
    series: list[tuple[str, str]]  # (name, colour)
    groups: list[Group]
    width: int
    height: int
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT


def grouped(title: str, series: list[str], rows: list[tuple[str, list[int]]]) -> Chart:
    """Horizontal bars, one group per row and one bar per series, scaled to the largest value."""
    peak = max((v for _label, values in rows for v in values), default=0) or 1
    step = BAR_HEIGHT * len(series) + GROUP_GAP
    groups = []
    for index, (label, values) in enumerate(rows):
        top = TOP + index * step
        bars = [
            Bar(
                value,
                top + n * BAR_HEIGHT,
                round(BAR_AREA * value / peak),
                COLORS[n % len(COLORS)],
            )
            for n, value in enumerate(values)
        ]
        groups.append(Group(label, top, bars))
    legend = [(name, COLORS[n % len(COLORS)]) for n, name in enumerate(series)]
    height = TOP + step * max(len(rows), 1) + 4
    return Chart(title, legend, groups, LABEL_WIDTH + BAR_AREA + 50, height)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in FONTS:
        if path.exists():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default()


def png(chart: Chart, scale: int = 2) -> bytes:
    """The chart as a PNG (drawn at ``scale`` times the SVG size, for print)."""
    image = Image.new("RGB", (chart.width * scale, chart.height * scale), "white")
    draw = ImageDraw.Draw(image)
    font = _font(11 * scale)
    x = chart.label_width * scale
    for n, (name, color) in enumerate(chart.series):
        left = x + n * 130 * scale
        draw.rectangle([left, 6 * scale, left + 10 * scale, 16 * scale], fill=color)
        draw.text((left + 14 * scale, 5 * scale), name, fill="black", font=font)
    for group in chart.groups:
        label = group.label if len(group.label) <= 16 else group.label[:15] + "…"
        draw.text(
            (x - 6 * scale, group.y * scale),
            label,
            fill="black",
            font=font,
            anchor="ra",
        )
        for bar in group.bars:
            top = bar.y * scale
            if bar.width:
                draw.rectangle(
                    [x, top, x + bar.width * scale, top + (chart.bar_height - 2) * scale],
                    fill=bar.color,
                    outline="#555555",
                )
            draw.text(
                (x + bar.width * scale + 4 * scale, top - scale),
                str(bar.value),
                fill="black",
                font=font,
            )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
