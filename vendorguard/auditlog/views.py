"""Audit log pages: the filtered list, one event, chain verification and the CSV export."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Row
from wtforms import Form
from wtforms.validators import Optional

from vendorguard.audit import labels, queries
from vendorguard.audit import services as audit
from vendorguard.audit.models import AuditEvent
from vendorguard.auditlog.blueprint import bp
from vendorguard.auth.permissions import require
from vendorguard.core import export as export_file
from vendorguard.core.forms import DateField, LineField
from vendorguard.core.list_export import MAX_EXPORT_ROWS, count_rows, requested_encoding
from vendorguard.core.pagination import paginate
from vendorguard.core.timeutil import TOKYO, today_tokyo
from vendorguard.extensions import db
from vendorguard.web.i18n import format_moment

ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)$")
FILTER_ARGS = ("actor", "action", "object_type", "object_id", "date_from", "date_to")


class FilterForm(Form):
    """The list's filters, read from the query string (no CSRF: nothing changes)."""

    actor = LineField(_l("操作者"))
    action = LineField(_l("操作"))
    object_type = LineField(_l("対象の種類"))
    object_id = LineField(_l("対象ID"))
    date_from = DateField(_l("期間（から）"), validators=[Optional()])
    date_to = DateField(_l("期間（まで）"), validators=[Optional()])


def _filters() -> tuple[FilterForm, queries.AuditFilters]:
    """The filter form and the filters it yields; an unreadable date is reported, not applied."""
    form = FilterForm(request.args)
    form.validate()
    text = {
        name: (form[name].data or "").strip()[:100]
        for name in ("actor", "action", "object_type", "object_id")
    }
    filters = queries.AuditFilters(
        **text,
        date_from=None if form.date_from.errors else form.date_from.data,
        date_to=None if form.date_to.errors else form.date_to.data,
    )
    return form, filters


def _filter_args() -> dict[str, str]:
    return {name: request.args[name] for name in FILTER_ARGS if request.args.get(name)}


def _choices(known: dict, current: str) -> list[tuple[str, str]]:
    options = [(code, str(label)) for code, label in known.items()]
    if current and current not in known:
        options.append((current, current))
    return options


@bp.route("/")
@require("audit.view")
def index():
    """The trail, newest first, filtered by actor, action, object and Japan-time dates."""
    form, filters = _filters()
    page = paginate(queries.event_list(filters))
    # core.pagination.RowPagination returns 1-tuples for a single-entity select (it counts the
    # entity's columns); unwrap them so the page works before and after that is fixed.
    page.items = [item[0] if isinstance(item, Row) else item for item in page.items]
    return render_template(
        "audit/index.html",
        page=page,
        form=form,
        filters=filters,
        actions=_choices(labels.ACTION_LABELS, filters.action),
        object_types=_choices(labels.OBJECT_TYPE_LABELS, filters.object_type),
        filter_args=_filter_args(),
        labels=labels,
        max_export=MAX_EXPORT_ROWS,
    )


def show_value(value: Any) -> str:
    """A stored before/after value as a person reads it."""
    if value is None:
        return ""
    if value is True:
        return _("はい")
    if value is False:
        return _("いいえ")
    if value == "***":
        return _("（記録していません）")
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and ISO_MOMENT.match(value):
        try:  # the trail stores datetimes as ISO text in UTC; people read Japan time
            return format_moment(datetime.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


def _changes(event: AuditEvent) -> list[dict[str, Any]]:
    before, after = event.before or {}, event.after or {}
    keys = list(before) + [key for key in after if key not in before]
    return [
        {
            "key": key,
            "label": labels.field_label(key),
            "before": show_value(before.get(key)),
            "after": show_value(after.get(key)),
            "changed": event.before is not None
            and event.after is not None
            and before.get(key) != after.get(key),
        }
        for key in keys
    ]


@bp.route("/<int:event_id>")
@require("audit.view")
def detail(event_id: int):
    """One event with its before/after values, field by field, and its place in the chain."""
    event = db.session.get(AuditEvent, event_id)
    if event is None:
        abort(404)
    return render_template(
        "audit/detail.html",
        event=event,
        changes=_changes(event),
        labels=labels,
        has_before=event.before is not None,
        has_after=event.after is not None,
    )


REASONS = {
    "removed": _l("行が削除されています"),
    "previous_altered": _l("直前の行が改変または削除されています"),
    "altered": _l("記録内容が書き換えられています"),
}


@bp.route("/verify", methods=["POST"])
@require("audit.view")
def verify():
    """Walk the hash chain and say whether the trail is intact."""
    count, problem = audit.verify(db.session)
    db.session.rollback()  # read only
    if problem is None:
        flash(
            _("監査ログは改ざんされていません（%(count)d件を検証しました）。", count=count),
            "success",
        )
    else:
        flash(
            _(
                "監査ログの改ざんを検出しました。連番 %(seq)d：%(reason)s。"
                "それより前の%(count)d件は正常です。情報セキュリティ統括に報告してください。",
                seq=problem.seq,
                reason=REASONS.get(problem.code, problem.reason),
                count=count,
            ),
            "error",
        )
    return redirect(url_for("audit.index", **_filter_args()))


def _json(value: dict | None) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _export_header() -> list[str]:
    return [
        _("日時"),
        _("操作者"),
        _("操作"),
        _("対象の種類"),
        _("対象ID"),
        _("対象"),
        _("変更前"),
        _("変更後"),
        _("接続元"),
        _("連番"),
        _("ハッシュ"),
    ]


def _export_rows(stmt) -> Iterator[list[Any]]:
    """The events of ``stmt``, read in batches of 1,000 while the file is written."""
    for event in db.session.scalars(stmt.execution_options(yield_per=1000)):
        yield [
            event.occurred_at.astimezone(TOKYO).strftime("%Y/%m/%d %H:%M:%S"),
            event.actor_label,
            labels.action_label(event.action),
            labels.object_type_label(event.object_type),
            event.object_id,
            event.object_label,
            _json(event.before),
            _json(event.after),
            event.remote_addr,
            event.seq,
            event.hash,
        ]


def _export_statement():
    """The filtered events, or ``None`` (with a message) when there are too many."""
    _form, filters = _filters()
    stmt = queries.event_list(filters)
    total = count_rows(stmt)
    if total > MAX_EXPORT_ROWS:
        flash(
            _(
                "該当する記録が%(total)d件あり、一度に出力できる%(max)d件を超えています。"
                "期間などで絞り込んでから出力してください。",
                total=total,
                max=MAX_EXPORT_ROWS,
            ),
            "error",
        )
        return None
    return stmt


@bp.route("/export.csv")
@require("audit.view")
def export():
    """The filtered trail as CSV for Excel, streamed row by row: UTF-8 with BOM, or
    ``?encoding=cp932`` for tools that read only Shift_JIS."""
    stmt = _export_statement()
    if stmt is None:
        return redirect(url_for("audit.index", **_filter_args()))
    encoding = requested_encoding()
    chunks = export_file.csv_chunks(_export_header(), _export_rows(stmt), encoding)
    return export_file.csv_response(
        stream_with_context(chunks), f"audit-log-{today_tokyo():%Y%m%d}.csv", encoding
    )


@bp.route("/export.xlsx")
@require("audit.view")
def export_xlsx():
    """The filtered trail as an Excel workbook (rows streamed into a temporary file)."""
    stmt = _export_statement()
    if stmt is None:
        return redirect(url_for("audit.index", **_filter_args()))
    return export_file.xlsx_response(
        _export_header(),
        _export_rows(stmt),
        f"audit-log-{today_tokyo():%Y%m%d}.xlsx",
        sheet_title=_("監査ログ"),
    )
