"""Bulk pages: choose engagements, follow the job's progress, download the zip."""

from __future__ import annotations

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from vendorguard.auth.permissions import require
from vendorguard.auth.roles import ALL_DEPARTMENTS, Role
from vendorguard.core.errors import DomainError
from vendorguard.core.timeutil import fiscal_year, today_tokyo, utcnow
from vendorguard.core.web import show_domain_error
from vendorguard.documents import bulk, bulk_worker, queries
from vendorguard.documents.blueprint import bp
from vendorguard.documents.forms import BulkForm
from vendorguard.documents.models import BulkJob, BulkStatus
from vendorguard.extensions import db
from vendorguard.org import queries as org_queries
from vendorguard.storage import get_storage
from vendorguard.storage.download import send_stored

ZIP_MIME = "application/zip"
RECENT_JOBS = 10


def _all_departments() -> bool:
    return Role(current_user.role) in ALL_DEPARTMENTS.get(bulk.MANAGE, frozenset())


def _filter_args() -> tuple[int | None, int | None]:
    """Fiscal year and department from the query string; next fiscal year when nothing is asked."""
    if "starting_fy" in request.args:
        year = request.args.get("starting_fy", type=int)
        year = year if year is not None and 1900 <= year <= 2200 else None
    else:
        year = fiscal_year(today_tokyo()) + 1  # the usual case: next year's contracts
    department = request.args.get("department", type=int)
    return year, department


def _page(form: BulkForm, year: int | None, department: int | None, selected: set[int] | None):
    if not _all_departments():
        department = current_user.department_id  # an officer sees their own department's only
    limit = current_app.config["BULK_MAX_DOCUMENTS"]
    rows = (
        db.session.execute(
            bulk.candidates(current_user, bulk.BulkFilter(year, department)).limit(limit + 1)
        )
        .unique()
        .all()
    )
    too_many = len(rows) > limit
    rows = rows[:limit]
    if selected is None:
        selected = {row[0].id for row in rows}
    departments = (
        db.session.scalars(org_queries.active_departments()).all() if _all_departments() else []
    )
    jobs = db.session.scalars(bulk.visible_jobs(current_user).limit(RECENT_JOBS)).unique().all()
    years = bulk.fiscal_year_choices(today_tokyo())
    if year is not None and year not in years:
        years = sorted(years + [year])
    return render_template(
        "documents/bulk_new.html",
        form=form,
        rows=rows,
        selected=selected,
        year=year,
        department=department,
        years=years,
        departments=departments,
        jobs=jobs,
        too_many=too_many,
        limit=limit,
        fiscal_year_label=bulk.fiscal_year_label,
        all_departments=_all_departments(),
    )


@bp.route("/bulk", methods=["GET", "POST"])
@require("engagement.manage")
def bulk_new():
    """Choose the engagements (fiscal year of the start, department, ticks) and start the job."""
    if request.method == "GET":
        year, department = _filter_args()
        form = BulkForm(starting_fy=year, department=department)
        return _page(form, year, department, None)
    form = BulkForm()
    if form.validate_on_submit():
        flt = bulk.BulkFilter(
            form.starting_fy.data,
            form.department.data,
            tuple(form.engagement_ids.data or ()),
            form.date_style.data or None,
        )
        try:
            job = bulk.create_job(
                db.session, current_user, flt, current_app.config["BULK_MAX_DOCUMENTS"]
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            job_id, total = job.id, job.total
            bulk_worker.enqueue(db.session, job_id)  # with a job engine: queued with the job row
            db.session.commit()
            bulk_worker.start(current_app._get_current_object(), job_id)
            flash(
                _(
                    "%(count)d件の特記事項の作成を始めました。この画面で進み具合を確認できます。",
                    count=total,
                ),
                "success",
            )
            return redirect(url_for("documents.bulk_status", job_id=job_id))
    # Nothing is lost: the same list comes back with the same ticks and the reason.
    return _page(
        form, form.starting_fy.data, form.department.data, set(form.engagement_ids.data or ())
    )


def _job_or_404(job_id: int) -> BulkJob:
    job = db.session.scalars(queries.bulk_job(job_id)).one_or_none()
    if job is None:
        abort(404)
    if not bulk.can_see(current_user, job):
        abort(403)
    return job


def _stalled(job: BulkJob) -> bool:
    return job.is_stalled(utcnow(), current_app.config["BULK_STALL_SECONDS"])


def _remaining(job: BulkJob) -> list[int]:
    """Engagements of the job that got no document (failed, or never reached)."""
    made = {result["arrangement_id"] for result in job.results or ()}
    return [i for i in job.arrangement_ids if i not in made]


@bp.route("/bulk/<int:job_id>")
@require("engagement.manage")
def bulk_status(job_id: int):
    """Progress of a job (the page polls ``bulk_progress``; without JavaScript: reload)."""
    job = _job_or_404(job_id)
    retry = BulkForm(
        starting_fy=job.filter.get("starting_fy"),
        department=job.filter.get("department_id"),
        date_style=job.filter.get("date_style") or "",
    )
    return render_template(
        "documents/bulk_status.html",
        job=job,
        stalled=_stalled(job),
        remaining=_remaining(job),
        retry=retry,
        fiscal_year_label=bulk.fiscal_year_label,
    )


@bp.route("/bulk/<int:job_id>/progress")
@require("engagement.manage")
def bulk_progress(job_id: int):
    """The job's progress as JSON, for static/js/bulk-progress.js."""
    job = _job_or_404(job_id)
    status = BulkStatus(job.status)
    return jsonify(
        {
            "id": job.id,
            "status": status.value,
            "status_label": status.label,
            "finished": status.finished,
            "stalled": _stalled(job),
            "total": job.total,
            "done": job.done,
            "failed": job.failed,
            "processed": job.processed,
            "percent": job.percent,
            "errors": [
                {
                    "title": e.get("title", ""),
                    "contract_number": e.get("contract_number", ""),
                    "message": e.get("message", ""),
                    "codes": e.get("codes", []),
                    "coverage_url": (
                        url_for("catalog.coverage", arrangement_id=e["arrangement_id"])
                        if e.get("arrangement_id")
                        else None
                    ),
                }
                for e in job.errors or ()
            ],
            "download_url": (
                url_for("documents.bulk_download", job_id=job.id)
                if status == BulkStatus.DONE and job.storage_key
                else None
            ),
        }
    )


@bp.route("/bulk/<int:job_id>/download")
@require("engagement.manage")
def bulk_download(job_id: int):
    """The finished zip, as an attachment."""
    job = _job_or_404(job_id)
    back_url = url_for("documents.bulk_status", job_id=job.id)
    if BulkStatus(job.status) != BulkStatus.DONE or not job.storage_key:
        flash(
            _("ZIP ファイルはまだできていません。作成が終わるまでお待ちください。")
            if not BulkStatus(job.status).finished
            else _("この一括作成には ZIP ファイルがありません。"),
            "error",
        )
        return redirect(back_url)
    return send_stored(
        get_storage(),
        job.storage_key,
        job.filename,
        mimetype=ZIP_MIME,
        ascii_filename=f"appendices_{job.id}.zip",
        size=job.size,
        back_url=back_url,
    )
