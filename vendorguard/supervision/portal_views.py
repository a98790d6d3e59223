"""The contractor's pages in the portal: its engagements, the staff roster it keeps (with pledges
and training) and subcontractors it proposes. Another company's engagement is a 404."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from vendorguard.contractors.models import Contractor
from vendorguard.core.errors import DomainError
from vendorguard.core.pagination import paginate
from vendorguard.core.timeutil import today_tokyo
from vendorguard.core.web import show_domain_error
from vendorguard.engagements import chain, subcontracting
from vendorguard.engagements import queries as engagement_queries
from vendorguard.engagements.forms import ProposalForm
from vendorguard.engagements.models import Engagement
from vendorguard.extensions import db
from vendorguard.portal.views import contractor_required
from vendorguard.storage.factory import get_storage
from vendorguard.supervision import queries, roster
from vendorguard.supervision.blueprint import portal_bp
from vendorguard.supervision.forms import StaffForm, TrainingForm
from vendorguard.supervision.models import StaffMember


@portal_bp.context_processor
def _layout():
    """The company named in the portal's header."""
    contractor_id = getattr(current_user, "contractor_id", None)  # anonymous users have none
    contractor = db.session.get(Contractor, contractor_id) if contractor_id else None
    return {"portal_company": contractor.name if contractor else ""}


def _engagement(engagement_id: int) -> Engagement:
    engagement = db.session.get(Engagement, engagement_id)
    if (
        engagement is None
        or engagement.archived_at is not None
        or not roster.can_use_portal(db.session, engagement, current_user)
    ):
        abort(404)  # another company's engagement reveals nothing
    return engagement


def _staff(engagement: Engagement, staff_id: int) -> StaffMember:
    staff = db.session.get(StaffMember, staff_id)
    own, stages = roster.maintainable_stages(db.session, engagement, current_user)
    if staff is None or staff.engagement_id != engagement.id:
        abort(404)
    if staff.subcontractor_id is None and not own:
        abort(404)
    if staff.subcontractor_id is not None and staff.subcontractor_id not in {s.id for s in stages}:
        abort(404)
    return staff


def _stage_choices(form, engagement: Engagement) -> None:
    own, stages = roster.maintainable_stages(db.session, engagement, current_user)
    choices: list[tuple[int | str, str]] = []
    if own:
        choices.append(("", _("受託者（自社）")))
    choices += [(s.id, _("%(n)d次：%(name)s", n=s.tier, name=s.name)) for s in stages]
    form.stage_id.choices = choices


def _detail(engagement: Engagement):
    return redirect(url_for("supervision.portal.engagement", engagement_id=engagement.id))


@portal_bp.route("/")
@contractor_required
def engagements():
    """The engagements the company takes part in."""
    page = paginate(queries.portal_engagements(current_user.contractor_id))
    return render_template("supervision/portal/engagements.html", page=page)


@portal_bp.route("/<int:engagement_id>")
@contractor_required
def engagement(engagement_id: int):
    """One engagement: the staff the company keeps, and the subcontracting chain."""
    item = _engagement(engagement_id)
    own, stages = roster.maintainable_stages(db.session, item, current_user)
    staff = db.session.scalars(queries.roster(item.id, [s.id for s in stages], own)).unique().all()
    subs = [
        s for s in db.session.scalars(engagement_queries.chain(item.id)) if s.archived_at is None
    ]
    return render_template(
        "supervision/portal/engagement.html",
        engagement=item,
        staff=staff,
        stages=chain.ordered(subs),
        can_propose=bool(own or stages) and item.subcontracting_allowed,
        training_form=TrainingForm(),
        today=today_tokyo(),
    )


def _pledge(form: StaffForm) -> roster.PledgeUpload | None:
    upload = form.pledge.data
    if not (upload and upload.filename):
        return None
    return roster.PledgeUpload(
        upload.filename, upload.stream, get_storage(), current_app.config["MAX_CONTENT_LENGTH"]
    )


def _data(form: StaffForm) -> roster.StaffData:
    return roster.StaffData(
        name=form.name.data or "",
        starts_on=form.starts_on.data,
        stage_id=form.stage_id.data,
        role=form.role.data or "",
        affiliation=form.affiliation.data or "",
        access_rights=form.access_rights.data or "",
        ends_on=form.ends_on.data,
        access_revoked_on=form.access_revoked_on.data,
        version=form.expected_version,
    )


@portal_bp.route("/<int:engagement_id>/staff/new", methods=["GET", "POST"])
@contractor_required
def staff_new(engagement_id: int):
    """Add a person to the roster, with the pledge (誓約書) file."""
    item = _engagement(engagement_id)
    form = StaffForm()
    _stage_choices(form, item)
    if form.validate_on_submit():
        try:
            staff = roster.add_staff(db.session, item, _data(form), current_user, _pledge(form))
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("従事者「%(name)s」を登録しました。", name=staff.name), "success")
            return _detail(item)
    return render_template(
        "supervision/portal/staff_form.html", form=form, engagement=item, staff=None
    )


@portal_bp.route("/<int:engagement_id>/staff/<int:staff_id>/edit", methods=["GET", "POST"])
@contractor_required
def staff_edit(engagement_id: int, staff_id: int):
    """Change a person's entry: end date, access removal, a new pledge."""
    item = _engagement(engagement_id)
    staff = _staff(item, staff_id)
    form = StaffForm(obj=staff)
    _stage_choices(form, item)
    if not form.is_submitted():
        form.stage_id.data = staff.subcontractor_id
        form.version.data = str(staff.version)
    if form.validate_on_submit():
        try:
            roster.update_staff(db.session, item, staff, _data(form), current_user, _pledge(form))
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("従事者「%(name)s」を更新しました。", name=staff.name), "success")
            return _detail(item)
    return render_template(
        "supervision/portal/staff_form.html", form=form, engagement=item, staff=staff
    )


@portal_bp.route("/<int:engagement_id>/staff/<int:staff_id>/training", methods=["POST"])
@contractor_required
def training_add(engagement_id: int, staff_id: int):
    """Record training one person received."""
    item = _engagement(engagement_id)
    staff = _staff(item, staff_id)
    form = TrainingForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return _detail(item)
    try:
        roster.add_training(
            db.session, item, staff, form.held_on.data, form.content.data, current_user
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("研修の記録を追加しました。"), "success")
    return _detail(item)


@portal_bp.route("/<int:engagement_id>/subcontractors/new", methods=["GET", "POST"])
@contractor_required
def propose(engagement_id: int):
    """Propose a subcontractor below the company's own stage; the city decides."""
    item = _engagement(engagement_id)
    own, stages = roster.maintainable_stages(db.session, item, current_user)
    form = ProposalForm()
    choices: list[tuple[int | str, str]] = [("", _("受託者（元請）から直接"))] if own else []
    form.parent_id.choices = choices + [
        (s.id, _("%(n)d次：%(name)s", n=s.tier, name=s.name)) for s in stages
    ]
    if form.validate_on_submit():
        data = subcontracting.SubcontractorData(
            name=form.name.data or "",
            corporate_number=form.corporate_number.data or "",
            work_scope=form.work_scope.data or "",
            parent_id=form.parent_id.data,
            information_handled=form.information_handled.data or "",
            flow_down=list(form.flow_down.data or []),
        )
        try:
            sub = roster.propose_subcontractor(db.session, item, data, current_user)
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(
                _(
                    "再委託先「%(name)s」の許諾を申請しました。市の決定をお待ちください。",
                    name=sub.name,
                ),
                "success",
            )
            return _detail(item)
    return render_template("supervision/portal/propose.html", form=form, engagement=item)
