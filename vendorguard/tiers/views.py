"""Tier rules and policy (the security office), overrides and cloud use on an engagement."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from vendorguard.auth.permissions import ensure_can_change, require
from vendorguard.core.errors import DomainError
from vendorguard.core.forms import options
from vendorguard.core.timeutil import today_tokyo
from vendorguard.core.web import show_domain_error
from vendorguard.engagements.models import Engagement, RiskTier
from vendorguard.extensions import db
from vendorguard.tiers import factors, queries, rule_services, services
from vendorguard.tiers.blueprint import bp
from vendorguard.tiers.factors import PolicyValues
from vendorguard.tiers.forms import CloudUseForm, OverrideForm, PolicyForm, RuleForm
from vendorguard.tiers.models import TierRule
from vendorguard.tiers.policy import policies


def _factor_choices() -> list[tuple[str, str]]:
    return [(f.key, str(f.label)) for f in factors.FACTORS.values()] + queries.level_choices(
        db.session
    )


@bp.route("/rules")
@require("catalog.view")
def rules():
    """The rules in evaluation order, and what each tier sets."""
    saved = db.session.scalars(db.select(TierRule).order_by(TierRule.position, TierRule.id)).all()
    labels = dict(_factor_choices())
    shown = saved or [
        TierRule(
            position=(i + 1) * 10,
            tier=d.tier,
            label=d.label,
            active=True,
            condition=factors.condition(d.keys, d.match),
        )
        for i, d in enumerate(factors.DEFAULT_RULES)
    ]
    described = []
    for rule in shown:
        match, keys = factors.parts(rule.condition)
        described.append((rule, match, [labels.get(k, k) for k in keys]))
    return render_template(
        "tiers/rules.html",
        rules=described,
        using_defaults=not saved,
        policies=policies(db.session),
        tiers=list(RiskTier),
    )


@bp.route("/rules/adopt", methods=["POST"])
@require("catalog.manage")
def adopt():
    """Save the shipped rules so they can be edited."""
    rule_services.adopt_defaults(db.session)
    db.session.commit()
    flash(_("既定のルールを保存しました。各ルールを編集できます。"), "success")
    return redirect(url_for("tiers.rules"))


def _rule_form(form: RuleForm, rule: TierRule | None):
    form.factors.choices = options(_factor_choices())
    if form.validate_on_submit():
        data = rule_services.RuleData(
            tier=form.tier.data,
            match=form.match.data,
            factors=list(form.factors.data or []),
            label=form.label.data or "",
            position=form.position.data,
            active=form.active.data,
        )
        try:
            saved = rule_services.save_rule(
                db.session, rule, data, today_tokyo(), form.expected_version
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(
                _(
                    "区分のルール「%(label)s」を保存し、区分を計算し直しました。",
                    label=saved.label or saved.tier,
                ),
                "success",
            )
            return redirect(url_for("tiers.rules"))
    return render_template("tiers/rule_form.html", form=form, rule=rule)


@bp.route("/rules/new", methods=["GET", "POST"])
@require("catalog.manage")
def rule_new():
    """Add a rule."""
    return _rule_form(RuleForm(), None)


@bp.route("/rules/<int:tier_rule_id>/edit", methods=["GET", "POST"])
@require("catalog.manage")
def rule_edit(tier_rule_id: int):
    """Change a rule's conditions, tier, order or use."""
    rule = db.session.get(TierRule, tier_rule_id)
    if rule is None:
        abort(404)
    form = RuleForm(obj=rule)
    if not form.is_submitted():
        form.match.data, form.factors.data = factors.parts(rule.condition)
        form.version.data = rule.version
    return _rule_form(form, rule)


@bp.route("/policy", methods=["GET", "POST"])
@require("catalog.manage")
def policy():
    """What each tier sets: evidence cadence, review, self-check and inspections."""
    current = policies(db.session)
    form = PolicyForm()
    if not form.is_submitted():
        for entry, tier in zip(form.rows.entries, RiskTier, strict=True):
            values = current[tier]
            entry.form.evidence_cadence.data = values.evidence_cadence.value
            entry.form.review_interval_months.data = values.review_interval_months
            entry.form.self_check_interval_months.data = values.self_check_interval_months
            entry.form.inspections_per_year.data = values.inspections_per_year
    if form.validate_on_submit():
        values = [
            PolicyValues(
                tier,
                entry.form.evidence_cadence.data,
                entry.form.review_interval_months.data,
                entry.form.self_check_interval_months.data,
                entry.form.inspections_per_year.data,
            )
            for entry, tier in zip(form.rows.entries, RiskTier, strict=True)
        ]
        rule_services.save_policies(db.session, values, today_tokyo())
        db.session.commit()
        flash(_("区分ごとの設定を保存しました。"), "success")
        return redirect(url_for("tiers.rules"))
    return render_template("tiers/policy.html", form=form, tiers=list(RiskTier))


def _engagement(engagement_id: int) -> Engagement:
    engagement = db.session.get(Engagement, engagement_id)
    if engagement is None:
        abort(404)
    return engagement


def _detail(engagement: Engagement):
    return redirect(url_for("engagements.detail", engagement_id=engagement.id, _anchor="tier"))


@bp.route("/engagements/<int:engagement_id>/override", methods=["POST"])
@require("catalog.manage")
def override(engagement_id: int):
    """Set or clear a manual tier, with the reason (audited)."""
    engagement = _engagement(engagement_id)
    form = OverrideForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return _detail(engagement)
    try:
        services.set_override(
            db.session,
            engagement,
            form.tier.data or None,
            form.reason.data,
            current_user,
            today_tokyo(),
            form.expected_version,
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        tier = db.session.get_one(Engagement, engagement_id).tier
        flash(_("リスク区分を%(tier)sにしました。", tier=tier.label if tier else ""), "success")
    return _detail(engagement)


@bp.route("/engagements/<int:engagement_id>/cloud", methods=["GET", "POST"])
@require("engagement.manage")
def cloud_use(engagement_id: int):
    """Choose (GET) and record (POST) the cloud services the work runs on.

    The choice lists every registered service, so it has its own page rather than a part of the
    engagement's page that every reader would download."""
    engagement = _engagement(engagement_id)
    ensure_can_change("engagement.manage", engagement.department_id)
    form = CloudUseForm()
    choices = queries.cloud_choices(db.session, engagement)
    form.cloud_service_ids.choices = options(choices)
    if request.method == "GET":
        linked = db.session.execute(queries.linked_cloud_services(engagement.id)).all()
        return render_template(
            "tiers/cloud_use.html",
            engagement=engagement,
            choices=choices,
            used={row.id for row in linked},
        )
    if not form.validate_on_submit():
        flash(_("クラウドサービスを一覧から選んでください。"), "error")
        return _detail(engagement)
    try:
        services.set_cloud_services(
            db.session, engagement, form.cloud_service_ids.data or [], today_tokyo()
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("利用するクラウドサービスを保存しました。"), "success")
    return _detail(engagement)
