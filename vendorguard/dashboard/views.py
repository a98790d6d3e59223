"""The home page as a to-do list: today's counts, sections by urgency, a chart by department.

Query budget (tests/dashboard/test_queries.py): one query counts every section and the strip, one
draws the chart, and only the most urgent non-empty sections read their rows (``OPEN_QUERIES``),
so the page costs the same number of queries at 5 rows or 500. Until the records change, the
rendered body is kept by the process (``dashboard.kept``) and a view costs the user's statement.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from functools import partial
from typing import Any

from flask import get_template_attribute, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import Select

from vendorguard.arrangements.kinds import kind_label
from vendorguard.audit import labels as audit_labels
from vendorguard.audit.queries import latest_events
from vendorguard.auth.permissions import require
from vendorguard.auth.roles import WHOLE_CITY, Role
from vendorguard.cloud import assurance as cloud_assurance
from vendorguard.core.prepared import generic_plans_here
from vendorguard.core.sqlvalues import constants_written_in
from vendorguard.core.timeutil import today_tokyo
from vendorguard.dashboard import chart, kept, queries, summary
from vendorguard.dashboard.blueprint import bp
from vendorguard.dashboard.parts import Built, Section, StripItem
from vendorguard.dashboard.sections import OPEN_QUERIES, sections_for, strip_for
from vendorguard.dashboard.statements import built, count_all
from vendorguard.extensions import db

AUDIT_ROWS = 10  # the auditor's latest audit events


def detail_url(endpoint: str, **args: Any) -> str:
    """A detail page's URL (the template links each row's label with it)."""
    return url_for(endpoint, **args)


def _read_rows(sections: list[Section], asked: str, kept: Built) -> None:
    """Rows of the most urgent non-empty sections (``OPEN_QUERIES`` queries in all), and of the
    one the user opened (``?open=key``)."""
    chosen: list[Section] = []
    spent = 0
    for section in (s for s in sections if s.total):
        if spent + section.cost > OPEN_QUERIES:
            break  # stop rather than skip: the sections shown stay the most urgent ones
        chosen.append(section)
        spent += section.cost
    chosen += [s for s in sections if s.total and s.key == asked and s not in chosen]
    for section in chosen:
        stmt = kept.executed(f"rows_{section.key}", partial(_first_rows, section))
        if section.shown is not None:
            section.rows = list(db.session.execute(stmt).all())
        else:
            section.rows = [row[0] for row in db.session.execute(stmt).unique().all()]


def _first_rows(section: Section) -> Select:
    """The section's first ``BLOCK_ROWS`` rows. With key statement (``Section.counted``), the keys
    are picked first, in the rows' order, and only those rows are read: one department's 470
    submissions are ordered from an index, not read whole with their request and requirement.
    A section with ``shown`` reads only the columns its table prints (``dashboard.shown``)."""
    stmt = section.stmt
    keys = section.picked if section.picked is not None else section.counted
    if keys is not None:
        # the first keys, in the rows' order (``Section.counted``, ``Section.picked``)
        first = keys.limit(queries.BLOCK_ROWS)
        stmt = stmt.where(stmt.column_descriptions[0]["entity"].id.in_(first))
    stmt = stmt.limit(queries.BLOCK_ROWS)
    return stmt if section.shown is None else section.shown(stmt)


def _cloud_risk_reasons(sections: list[Section], today: date) -> dict[int, list[str]]:
    """Why each listed service is at risk (ISMAP standing read in one query, only when shown)."""
    rows = next((s.rows for s in sections if s.key == "cloud_risks"), [])
    standings = cloud_assurance.standings(db.session, rows, today) if rows else {}
    return {
        service.id: cloud_assurance.risk_reasons(service, standings[service.id]) for service in rows
    }


def _chart(today: date, department_id: int | None) -> tuple[Markup | None, summary.Counted]:
    """The chart's SVG and its rows' count (``dashboard.summary``: at most a minute old); drawn
    once per count and language."""
    statement = built(department_id, today).executed(
        "chart", lambda: queries.assurance_by_department(current_user, today, department_id)
    )
    counted = summary.kept_counts().rows(db.session, statement, kept.read_marker())
    language = str(get_locale())
    if language not in counted.drawn:
        counted.drawn[language] = _draw_chart(counted)
    return counted.drawn[language], counted


def _draw_chart(counted: summary.Counted) -> Markup | None:
    data = [
        (
            row.name,
            {
                "attention": row.attention or 0,
                "ok": row.live - (row.attention or 0) - (row.without or 0),
                "without": row.without or 0,
            },
        )
        for row in counted.rows
    ]
    if not data:
        return None
    draw = get_template_attribute("dashboard/_assurance.svg.html", "stacked")
    return Markup(draw(chart.stacked(data, _("その他の所属")), _("所属別の証跡の状況")))


@bp.route("/")
@require("dashboard.view")
def index():
    """Today's counts, what needs doing (most urgent first) and the assurance chart."""
    today = today_tokyo()
    asked = request.args.get("open", "")
    key = _body_key(today, asked)
    bodies = kept.kept_bodies()
    body = bodies.get(key, kept.read_marker()) if key is not None else None
    if body is None:
        shown = _home(today, asked)
        # (stripped: the macros at the top of the template leave blank lines)
        body = Markup(render_template("dashboard/_home.html", **shown).strip())
        if key is not None:
            marker = kept.read_marker()
            lifetime = summary.kept_counts().lifetime(shown["summaries"], marker)
            bodies.put(key, marker, body, lifetime)
    return render_template("dashboard/index.html", body=body)


def _body_key(today: date, asked: str) -> tuple[object, ...] | None:
    """Everything the body depends on besides the records (None: not worth keeping)."""
    if len(asked) > 40:
        return None  # no section key is this long: an odd link, answered but not kept
    return (
        # the auditor's home lists the latest audit events, which renew no records marker
        kept.read_audit_head() if current_user.role == Role.AUDITOR else None,
        current_user.id,
        current_user.role,
        current_user.department_id,
        today,
        str(get_locale()),
        asked,
        request.script_root,
    )


def _parts(
    role: Role, department_id: int | None, today: date
) -> tuple[list[Section], list[StripItem]]:
    """Fresh copies of the user's sections and strip, built once per scope, day, language and
    script root (their titles, links and statements); the copies take this view's counts and rows."""
    kept_parts = built(department_id, today)
    sections, strip = kept_parts.get(
        f"parts {get_locale()} {request.script_root}",
        lambda: (sections_for(role, department_id, today), strip_for(role, department_id, today)),
    )
    return [replace(section) for section in sections], [replace(item) for item in strip]


def _home(today: date, asked: str) -> dict[str, Any]:
    """What the body shows: the counts, the most urgent sections' rows, the chart."""
    role = Role(current_user.role)
    # the auditor looks at the whole city, whatever department the account sits in
    city_wide = role in WHOLE_CITY or role == Role.AUDITOR
    department_id = None if city_wide else current_user.department_id
    missing_department = not city_wide and department_id is None
    sections, strip = ([], []) if missing_department else _parts(role, department_id, today)
    generic_plans_here(db.session)  # the page's statements have their constants written in
    department_name = count_all(db.session, sections, strip, department_id, today)
    # most urgent first; within a level, the order sections_for gives
    sections.sort(key=lambda s: (s.total == 0, s.urgency))
    _read_rows(sections, asked, built(department_id, today))
    summaries: list[summary.Counted] = []
    registers = events = None
    if role == Role.AUDITOR:
        # (on the generic plans asked for above, so with their constants written in too)
        registers = summary.kept_counts().rows(
            db.session,
            built(department_id, today).executed("registers", queries.register_counts),
            kept.read_marker(),
        )
        summaries.append(registers)
        events = db.session.scalars(constants_written_in(latest_events(AUDIT_ROWS))).all()
    assurance = chart_counted = None
    if not missing_department:
        assurance, chart_counted = _chart(today, department_id)
        summaries.append(chart_counted)
    return {
        "today": today,
        "strip": strip,
        "sections": [s for s in sections if s.total],
        "empty_sections": [s for s in sections if not s.total],
        "cloud_reasons": _cloud_risk_reasons(sections, today),
        "assurance": assurance,
        "chart_counted_at": chart_counted.counted_at if chart_counted else None,
        "department_name": department_name,
        "missing_department": missing_department,
        "registers": registers.rows[0] if registers else None,
        "registers_counted_at": registers.counted_at if registers else None,
        # The chain numbers events 1, 2, 3 … without gaps and rows are never deleted (audit.chain,
        # verified by its check), so its last number, read with the user, is the count.
        "audit_events": kept.read_audit_head() or 0,
        "summaries": summaries,  # (for how long the body may be kept)
        "events": events,
        "detail_url": detail_url,
        "kind_label": kind_label,  # (flat rows carry the kind, not the entity's label)
        "audit_labels": audit_labels,
    }
