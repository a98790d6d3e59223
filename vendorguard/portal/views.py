"""The contractor portal (blueprint ``portal``): a contractor user's own requests, uploads, downloads.

Every page looks the request up through ``queries.portal_request``, which only finds requests of
the user's own company: anything else is a 404, so another company's ids reveal nothing.
The set-password page lives in ``invitation_views``, the single-request link pages in
``link_views``, and the city's pages for invitations and links in ``admin_views`` (a nested
blueprint, ``portal.admin``, which the contractor fence keeps contractors out of).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from vendorguard.arrangements.models import Arrangement
from vendorguard.auth.roles import Role
from vendorguard.contractors.models import Contractor
from vendorguard.core.pagination import (
    RowPagination,
    kept_statement,
    list_statements,
    page_arg,
    page_size,
)
from vendorguard.core.timeutil import today_tokyo
from vendorguard.core.web import search_term, sorting
from vendorguard.evidence import intake
from vendorguard.evidence.models import EvidenceRequest, EvidenceRequirement, RequestStatus
from vendorguard.extensions import csrf, db, login_manager
from vendorguard.portal import downloads, queries, submitting
from vendorguard.portal.blueprint import bp
from vendorguard.portal.forms import UploadForm

SORTS = {
    "urgency": (EvidenceRequest.due_on, EvidenceRequest.id),  # after the group order (index)
    "due": (EvidenceRequest.due_on, EvidenceRequest.id),
    "title": (EvidenceRequirement.title, EvidenceRequest.due_on, EvidenceRequest.id),
    "arrangement": (Arrangement.title, EvidenceRequest.due_on, EvidenceRequest.id),
    "status": (EvidenceRequest.status, EvidenceRequest.due_on, EvidenceRequest.id),
}


def contractor_required(view: Callable) -> Callable:
    """Let the view run only for a signed-in contractor user who belongs to a company.

    (roles.py has no permission held by contractors; with a ``portal.use`` permission this
    becomes ``@require("portal.use")``.)
    """

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if current_user.role != Role.CONTRACTOR or current_user.contractor_id is None:
            abort(403)
        return view(*args, **kwargs)

    # Marks the guard like auth.permissions.require; mypy cannot declare attributes on a function.
    wrapped.required_permission = "portal.use"  # type: ignore[attr-defined]
    return wrapped


def due_note(evidence_request: EvidenceRequest, today: date) -> str:
    """How the due date stands, in words: 「あと3日」, 「本日が期限です」, 「期限を2日過ぎています」."""
    if evidence_request.status not in (RequestStatus.OPEN, RequestStatus.REJECTED):
        return ""
    days = (evidence_request.due_on - today).days
    if days > 0:
        return _("あと%(days)d日", days=days)
    if days == 0:
        return _("本日が期限です")
    return _("期限を%(days)d日過ぎています", days=-days)


def file_size(size: int) -> str:
    """A byte count for people: 532 KB, 1.4 MB."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024)):,} KB"
    return f"{size / (1024 * 1024):,.1f} MB"


@bp.context_processor
def _layout():
    """The company named in the portal's header (link pages pass their own ``company``)."""
    company = g.get("portal_company")  # the home page read it with its group counts
    if company is None:
        company = ""
        if (
            current_user.is_authenticated
            and current_user.role == Role.CONTRACTOR
            and current_user.contractor_id
        ):
            contractor = db.session.get(Contractor, current_user.contractor_id)
            company = contractor.name if contractor else ""
    return {"portal_company": company, "due_note": due_note, "file_size": file_size}


def _own_request_or_404(request_id: int) -> EvidenceRequest:
    evidence_request = db.session.scalars(
        queries.portal_request(current_user.contractor_id, request_id)
    ).first()
    if evidence_request is None:
        abort(404)
    return evidence_request


@bp.route("/")
@contractor_required
def index():
    """The company's requests still to answer (or, on request, those accepted), soonest due first."""
    term = search_term()
    done = request.args.get("state") == "accepted"
    today = today_tokyo()
    group = request.args.get("group", "")
    group = group if group in queries.GROUPS and not done else ""
    sort = sorting(SORTS, "due" if done else "urgency", default_descending=done)
    contractor_id = current_user.contractor_id

    def build():
        stmt = queries.portal_list_rows(contractor_id, term, done, group, today)
        keys = queries.portal_request_keys(contractor_id, term, done, group, today)
        if sort.key == "urgency":
            # 差戻し, 期限超過, 今月, 今後, 確認待ち; soonest due first within each
            urgency = queries.urgency(today)
            stmt, keys = stmt.order_by(urgency), keys.order_by(urgency)
        return sort.apply(stmt), sort.apply(keys)

    counts = None
    known_total = None
    if not done:
        counted = kept_statement(
            (contractor_id, today), lambda: queries.group_counts(contractor_id, today)
        )
        counts = db.session.execute(counted).one()._asdict()
        g.portal_company = counts.pop("company") or ""
        if not term:
            # The groups split the active requests: the list's count is already known.
            known_total = counts[group] if group else sum(counts.values())
    statements = kept_statement(
        ("list", (contractor_id, term, done, group, today, sort.key, sort.descending)),
        lambda: list_statements(*build()),
    )
    page = RowPagination(
        None, db.session, page_arg(), page_size(), known_total, statements=statements
    )
    return render_template(
        "portal/index.html",
        page=page,
        sort=sort,
        term=term,
        done=done,
        today=today,
        group=group,
        groups=queries.GROUPS,
        counts=counts,
    )


@bp.route("/requests/<int:request_id>")
@contractor_required
def request_detail(request_id: int):
    """What is asked and by when, earlier submissions with their review, and the upload form."""
    evidence_request = _own_request_or_404(request_id)
    return _render_request(evidence_request, UploadForm())


def _render_request(evidence_request: EvidenceRequest, form: UploadForm, status: int = 200):
    submissions = db.session.scalars(queries.submissions_of(evidence_request.id)).unique().all()
    department = evidence_request.arrangement.department
    return render_template(
        "portal/request.html",
        req=evidence_request,
        submissions=submissions,
        form=form,
        department=department,
        today=today_tokyo(),
        may_submit=submitting.may_submit(evidence_request),
        action=url_for("portal.submit", request_id=evidence_request.id),
        file_url=lambda f: url_for("portal.download", request_id=evidence_request.id, file_id=f.id),
    ), status


@bp.route("/requests/<int:request_id>/submit", methods=["POST"])
@csrf.exempt  # receive_files checks the token while streaming (request.form would spool the body)
@contractor_required
def submit(request_id: int):
    """Store the files, then record the submission; on any refusal nothing is kept."""
    evidence_request = _own_request_or_404(request_id)
    title = evidence_request.evidence_requirement.title  # the commit expires the loaded objects
    outcome = intake.receive_and_submit(
        evidence_request, UploadForm, user=current_user._get_current_object(), via="portal"
    )
    if not outcome.ok:
        # a failed attempt rolled the session back: load the page's objects afresh
        return _render_request(_own_request_or_404(request_id), outcome.form, status=outcome.status)
    flash(
        ngettext(
            "「%(title)s」を提出しました（%(count)d件のファイル）。市の担当課が内容を確認します。",
            "「%(title)s」を提出しました（%(count)d件のファイル）。市の担当課が内容を確認します。",
            outcome.file_count,
            title=title,
            count=outcome.file_count,
        ),
        "success",
    )
    return redirect(url_for("portal.request_detail", request_id=request_id))


@bp.route("/requests/<int:request_id>/files/<int:file_id>")
@contractor_required
def download(request_id: int, file_id: int):
    """A file the company submitted, as an attachment."""
    evidence_file = db.session.scalars(
        queries.portal_file(current_user.contractor_id, request_id, file_id)
    ).first()
    if evidence_file is None:
        abort(404)
    return downloads.send_evidence_file(
        evidence_file, url_for("portal.request_detail", request_id=request_id)
    )
