"""Coverage of an arrangement's terms: applicable requirements, covering clauses, gaps, waivers."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from vendorguard.arrangements import access
from vendorguard.arrangements.access import ensure_can_view
from vendorguard.arrangements.kinds import page_context
from vendorguard.auth.permissions import require
from vendorguard.catalog import queries, rule_facts, rules, services
from vendorguard.catalog.blueprint import bp
from vendorguard.catalog.forms import WaiverForm
from vendorguard.catalog.models import Requirement, Waiver
from vendorguard.core.concurrency import parse_version
from vendorguard.core.errors import DomainError
from vendorguard.core.web import show_domain_error
from vendorguard.extensions import db


def _arrangement_or_404(arrangement_id: int):
    arrangement = services.load_arrangement(db.session, arrangement_id)
    if arrangement is None:
        abort(404)
    return arrangement


def _fact_rows(facts: dict, kind: str) -> list[tuple[str, str]]:
    """The facts the rules read, as (label, value in words) for the page."""
    rows = []
    for fact in rule_facts.facts_available(kind):
        value = facts.get(fact.name)
        if fact.type == "bool":
            text = _("はい") if value else _("いいえ")
        else:
            choices = fact.choices() if fact.choices else {}
            items = value if isinstance(value, list) else [value] if value else []
            text = "、".join(str(choices.get(item, item)) for item in items) or _("なし")
        rows.append((str(fact.label), text))
    return rows


def _render(arrangement, form: WaiverForm | None = None):
    result = services.coverage(db.session, arrangement)
    kind = arrangement.kind
    applicable_ids = {row.requirement.id for row in result.rows}
    others = [
        r
        for r in db.session.scalars(queries.active_requirements(kind))
        if r.id not in applicable_ids
    ]
    words = {
        r.id: rules.describe(r.rule, kind)
        for r in [row.requirement for row in result.rows] + others
    }
    if form is None:
        form = WaiverForm(requirement_id=request.args.get("requirement", type=int))
    # Waivers are for gaps; a requirement already covered or waived is not offered.
    form.requirement_id.choices = [(0, _("選んでください"))] + [
        (r.id, f"{r.code} {r.title_ja}") for r in result.gaps
    ]
    history = db.session.scalars(queries.waiver_history(arrangement.id)).unique().all()
    covering: dict[
        int, list
    ] = {}  # every approved clause covering a requirement, not just the first
    for version in result.versions:
        for requirement in version.requirements:
            covering.setdefault(requirement.id, []).append(version)
    return render_template(
        "catalog/coverage.html",
        arrangement=arrangement,
        coverage=result,
        others=others,
        words=words,
        facts=_fact_rows(result.facts, kind),
        form=form,
        history=history,
        covering=covering,
        arrangement_url=access.arrangement_url(arrangement),
        # documents (a feature above the catalog) say what document the arrangement gets
        **page_context("coverage", db.session, arrangement),
    )


@bp.route("/coverage/<int:arrangement_id>")
@require("catalog.view")
def coverage(arrangement_id: int):
    """Which applicable requirements the arrangement's terms cover, which are waived, which are gaps."""
    arrangement = _arrangement_or_404(arrangement_id)
    ensure_can_view(arrangement)
    return _render(arrangement)


@bp.route("/coverage/<int:arrangement_id>/waivers", methods=["POST"])
@require("catalog.manage")
def waiver_new(arrangement_id: int):
    """Record a waiver for a gap, with the reason."""
    arrangement = _arrangement_or_404(arrangement_id)
    form = WaiverForm()
    form.requirement_id.choices = [(0, "")] + [
        (r.id, r.code) for r in services.coverage(db.session, arrangement).gaps
    ]
    if form.validate_on_submit():
        requirement = db.session.get(Requirement, form.requirement_id.data)
        try:
            if requirement is None:
                raise DomainError(_("要件を選んでください。"), field="requirement_id")
            services.record_waiver(
                db.session, arrangement, requirement, form.reason.data, current_user
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("要件「%(code)s」の適用除外を記録しました。", code=requirement.code), "success")
            return redirect(url_for("catalog.coverage", arrangement_id=arrangement_id))
    arrangement = _arrangement_or_404(
        arrangement_id
    )  # reloaded: a failed save rolled the session back
    return _render(arrangement, form)


@bp.route("/waivers/<int:waiver_id>/withdraw", methods=["POST"])
@require("catalog.manage")
def waiver_withdraw(waiver_id: int):
    """Withdraw a waiver; it stays in the record."""
    waiver = db.session.get(Waiver, waiver_id)
    if waiver is None:
        abort(404)
    try:
        services.withdraw_waiver(
            db.session, waiver, version=parse_version(request.form.get("version"))
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("適用除外を取り消しました。"), "success")
    return redirect(url_for("catalog.coverage", arrangement_id=waiver.arrangement_id))
