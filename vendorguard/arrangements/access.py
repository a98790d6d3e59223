"""Loading an arrangement of any kind, and who may read or change it (SQL and Python, one rule).

The rules come from the kind registry (``arrangements.kinds``): the kind's view and manage
permissions, the own-department rule of ``auth.permissions.can_change`` and the kind's
``visibility`` condition. ``visible_to`` / ``managed_by`` give them as SQL conditions on
``Arrangement`` for lists; ``can_view`` / ``can_manage`` answer for one loaded arrangement by
evaluating the same conditions in Python.
"""

from __future__ import annotations

from typing import Any

from flask import abort, url_for
from flask_login import current_user
from sqlalchemy import ColumnElement, exists, false, inspect, or_, select
from sqlalchemy.orm import Session, joinedload

# SQLAlchemy's own evaluator (what ``synchronize_session="evaluate"`` runs): it turns a SQL
# condition on mapped columns into a Python function of an object, so visibility is written once.
from sqlalchemy.orm.evaluator import _EvaluatorCompiler
from sqlalchemy.sql.elements import True_
from werkzeug.routing import BuildError

from vendorguard.arrangements.kinds import (
    ArrangementKindSpec,
    kind_of,
    panels_for,
    registered_kinds,
)
from vendorguard.arrangements.models import Arrangement
from vendorguard.auth.permissions import can_change
from vendorguard.auth.roles import ALL_DEPARTMENTS, Role
from vendorguard.core.timeutil import today_tokyo
from vendorguard.extensions import db


def view_permission(arrangement: Arrangement) -> str:
    """The permission that lets a role read arrangements of this one's kind."""
    return kind_of(arrangement.kind).view_permission


def manage_permission(arrangement_or_kind: Arrangement | str) -> str:
    """The permission that lets a role change arrangements of this kind."""
    if isinstance(arrangement_or_kind, Arrangement):
        return kind_of(arrangement_or_kind.kind).manage_permission
    return kind_of(arrangement_or_kind).manage_permission


def readable_kinds(user) -> list[ArrangementKindSpec]:
    """Kinds whose register ``user``'s role may read at all."""
    if not user.is_authenticated:
        return []
    return [spec for spec in registered_kinds() if user.can(spec.view_permission)]


# -- reading ---------------------------------------------------------------------------------------


def visible_to(user) -> ColumnElement[bool]:
    """Arrangements ``user`` may read, as a condition on ``Arrangement`` (the SQL side of ``can_view``)."""
    parts = []
    for spec in readable_kinds(user):
        condition = Arrangement.kind == spec.value
        shown = spec.visibility(user) if spec.visibility is not None else None
        if shown is not None and not isinstance(shown, True_):
            # A correlated EXISTS on the kind's own table, probed by key for each arrangement. A
            # hashed ``IN (subquery)`` here is costed by PostgreSQL as if rebuilt at every probe of
            # an index walk, so lists sorted 150,000 evidence requests rather than walk an index.
            own = inspect(spec.model).local_table
            condition = condition & exists(
                select(1)
                .select_from(own)
                .where(own.c.id == Arrangement.id, shown)
                .correlate_except(own)
            )
        parts.append(condition)
    return or_(*parts) if parts else false()


def _holds(condition: ColumnElement[bool], model: type[Arrangement], obj: Arrangement) -> bool:
    """Whether ``obj`` meets a condition on ``model``'s columns, evaluated in Python."""
    state = inspect(obj)
    missing = state.unloaded & {prop.key for prop in inspect(model).column_attrs}
    if missing and state.session is not None:
        # A row loaded as the base class lacks its kind's columns: one query loads just those.
        state.session.refresh(obj, attribute_names=sorted(missing))
    result = _EvaluatorCompiler(model).process(condition)(obj)
    if not isinstance(result, bool):
        raise LookupError(f"visibility of {obj!r} could not be decided in Python")
    return result


def can_view(user, arrangement: Arrangement) -> bool:
    """Whether ``user`` may read this arrangement (e.g. another department's SNS draft: no)."""
    spec = kind_of(arrangement.kind)
    if not user.is_authenticated or not user.can(spec.view_permission):
        return False
    if spec.visibility is None:
        return True
    return _holds(spec.visibility(user), spec.model, arrangement)


def ensure_can_view(arrangement: Arrangement) -> None:
    """403 unless the current user may read it; 404 for a draft they must not know exists."""
    if not current_user.can(view_permission(arrangement)):
        abort(403)
    if not can_view(current_user, arrangement):
        abort(404)


# -- changing --------------------------------------------------------------------------------------


def managed_by(user) -> ColumnElement[bool]:
    """Arrangements ``user`` may change, and so review (the SQL side of ``can_manage``)."""
    if not user.is_authenticated:
        return false()
    everywhere, own = [], []
    for spec in registered_kinds():
        permission = spec.manage_permission
        if not user.can(permission):
            continue
        if Role(user.role) in ALL_DEPARTMENTS.get(permission, frozenset()):
            everywhere.append(spec.value)
        elif user.department_id is not None:
            own.append(spec.value)
    parts = []
    if everywhere:
        parts.append(Arrangement.kind.in_(everywhere))
    if own:
        # The department once for all the kinds, not once per kind: PostgreSQL's generic plan
        # multiplies the selectivity of each equality it sees on the column, so three of them made
        # an officer's 455 pending reviews look like none, and it read them all to sort five.
        parts.append(Arrangement.kind.in_(own) & (Arrangement.department_id == user.department_id))
    return or_(*parts) if parts else false()


def can_manage(user, arrangement: Arrangement) -> bool:
    """Whether ``user`` may change this arrangement (role and own-department rule)."""
    return can_change(user, manage_permission(arrangement), arrangement.department_id)


def ensure_can_manage(arrangement: Arrangement) -> None:
    """403 unless the current user may change it."""
    ensure_can_view(arrangement)
    if not can_manage(current_user, arrangement):
        abort(403)


# -- loading and showing ---------------------------------------------------------------------------


def arrangement_or_404(arrangement_id: int) -> Arrangement:
    """The arrangement (of its own kind) with its department, or 404; who may read it is not checked."""
    arrangement = db.session.scalars(
        select(Arrangement)
        .where(Arrangement.id == arrangement_id)
        .options(joinedload(Arrangement.department))
    ).one_or_none()
    if arrangement is None:
        abort(404)
    return arrangement


def arrangement_url(arrangement: Arrangement) -> str | None:
    """The arrangement's own page in its register (None if that register has no such page)."""
    spec = kind_of(arrangement.kind)
    try:
        values: dict[str, Any] = {spec.detail_arg: arrangement.id}
        return url_for(spec.detail_endpoint, **values)
    except BuildError:
        return None


def detail_panels(session: Session, arrangement: Arrangement, user) -> dict[str, Any]:
    """Template context for ``arrangements/_panels.html``: the kind's panels and what they show."""
    today = today_tokyo()
    panels = panels_for(arrangement.kind)
    context: dict[str, Any] = {"arrangement": arrangement, "panels": [p.template for p in panels]}
    steps = []
    for panel in panels:
        own = panel.context(session, arrangement, user, today)
        context.update(own)
        if panel.step is not None and (step := panel.step(arrangement, own)) is not None:
            steps.append(step)
    context["panel_steps"] = steps
    return context
