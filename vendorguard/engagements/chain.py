"""The subcontracting chain as a tree, and its graph drawn on the server as SVG (no script, no CDN).

The contractor is the root; each stage hangs under the stage that entrusts it. The layout is a
plain indented tree: one row per stage in depth-first order, one column per tier, so any depth
and any number of stages fit without a layout library.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

from flask_babel import gettext as _

from vendorguard.engagements.models import PermissionStatus, Subcontractor

ROW, COLUMN, BOX_W, BOX_H, MARGIN = 64, 220, 200, 48, 16
COLOURS = {
    PermissionStatus.APPROVED: ("#e6f4ea", "#1e7b34"),
    PermissionStatus.PROPOSED: ("#fff4d6", "#8a6100"),
    PermissionStatus.REJECTED: ("#fde8e8", "#b42318"),
    PermissionStatus.NONE: ("#fde8e8", "#b42318"),
}


@dataclass(frozen=True)
class Stage:
    """One stage of the chain in display order: its depth (1 = 再委託) and its row."""

    sub: Subcontractor
    depth: int
    row: int
    parent_row: int  # 0: the contractor


def ordered(subs: list[Subcontractor]) -> list[Stage]:
    """Stages in depth-first order under the contractor; stages whose parent is missing from
    ``subs`` (archived, or recorded before the chain had parents) hang under the contractor."""
    ids = {s.id for s in subs}
    children: dict[int | None, list[Subcontractor]] = {}
    for sub in sorted(subs, key=lambda s: (s.tier, s.id)):
        parent = sub.parent_id if sub.parent_id in ids else None
        children.setdefault(parent, []).append(sub)
    result: list[Stage] = []
    seen: set[int] = set()
    todo: list[tuple[Subcontractor, int, int]] = [
        (sub, 1, 0) for sub in reversed(children.get(None, []))
    ]
    while todo and len(result) < len(subs):  # bounded: each stage is placed at most once
        sub, depth, parent_row = todo.pop()
        if sub.id in seen:
            continue
        seen.add(sub.id)
        row = len(result) + 1
        result.append(Stage(sub, depth, row, parent_row))
        todo.extend((child, depth + 1, row) for child in reversed(children.get(sub.id, [])))
    return result


# Presentation attributes, not a <style> element: the image is served under the app's CSP
# (style-src 'self'), which would block an inline style sheet inside the SVG.
NAME_STYLE = 'font-size="13" fill="#1f2933"'
NOTE_STYLE = 'font-size="11" fill="#52606d"'
LINE_STYLE = 'stroke="#7b8794" stroke-width="1.5" fill="none"'


def _text(x: int, y: int, value: str, style: str) -> str:
    return f'<text x="{x}" y="{y}" {style}>{escape(value)}</text>'


def _box(x: int, y: int, title: str, note: str, fill: str, stroke: str) -> str:
    short = title if len(title) <= 14 else title[:13] + "…"
    return (
        f"<g><title>{escape(title)}</title>"
        f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="6" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>'
        + _text(x + 10, y + 20, short, NAME_STYLE)
        + _text(x + 10, y + 38, note, NOTE_STYLE)
        + "</g>"
    )


def render_svg(contractor_name: str, subs: list[Subcontractor]) -> str:
    """The chain as a standalone SVG document (UTF-8 text)."""
    stages = ordered(subs)
    depth = max((s.depth for s in stages), default=0)
    width = MARGIN * 2 + COLUMN * depth + BOX_W
    height = MARGIN * 2 + ROW * len(stages) + BOX_H
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(_("再委託の系統図"))}" '
        'font-family="sans-serif">',
    ]

    def top(row: int) -> int:
        return MARGIN + ROW * row

    for stage in stages:  # connectors first, so the boxes cover their ends
        x_parent = MARGIN + COLUMN * (stage.depth - 1) + 20
        y_parent = top(stage.parent_row) + BOX_H
        x, y = MARGIN + COLUMN * stage.depth, top(stage.row) + BOX_H // 2
        parts.append(
            f'<path {LINE_STYLE} d="M{x_parent} {y_parent} V{y} H{x}" '
            f'data-from="{stage.parent_row}" data-to="{stage.row}"/>'
        )
    parts.append(_box(MARGIN, top(0), contractor_name, _("受託者（元請）"), "#e8eef9", "#2457a6"))
    for stage in stages:
        status = stage.sub.permission_status
        fill, stroke = COLOURS[status]
        note = _("%(n)d次・%(status)s", n=stage.depth, status=status.label)
        parts.append(
            _box(MARGIN + COLUMN * stage.depth, top(stage.row), stage.sub.name, note, fill, stroke)
        )
    parts.append("</svg>")
    return "\n".join(parts)
