"""Department register pages; user administration lives in ``org.user_views``."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from vendorguard.arrangements.models import Arrangement
from vendorguard.auth.models import User
from vendorguard.auth.permissions import require
from vendorguard.core import list_export
from vendorguard.core.errors import DomainError
from vendorguard.core.pagination import paginate
from vendorguard.core.web import search_term, show_domain_error, sorting
from vendorguard.extensions import db
from vendorguard.org import exports, queries, services
from vendorguard.org.blueprint import bp
from vendorguard.org.forms import DepartmentForm
from vendorguard.org.models import Department

SORTS = {
    "kana": (Department.name_kana, Department.id),
    "code": (Department.code, Department.id),
    "parent": (Department.parent_name, Department.name_kana, Department.id),
}


def _department_or_404(department_id: int) -> Department:
    department = db.session.get(Department, department_id)
    if department is None:
        abort(404)
    return department


def _data(form: DepartmentForm) -> services.DepartmentData:
    return services.DepartmentData(
        **{
            name: form[name].data or ""
            for name in (
                "code",
                "name",
                "name_kana",
                "parent_name",
                "security_manager_name",
                "email",
                "phone",
            )
        }
    )


@bp.route("/departments/")
@require("department.view")
def departments():
    """List departments: search, sort by reading, archived on request."""
    term = search_term()
    include_archived = request.args.get("archived") == "1"
    sort = sorting(SORTS, "kana")
    stmt = sort.apply(queries.department_list(term, include_archived))
    if fmt := list_export.requested_format():
        return list_export.respond(fmt, stmt, exports.DEPARTMENTS, "org.departments")
    page = paginate(stmt)
    return render_template(
        "org/departments.html", page=page, sort=sort, term=term, include_archived=include_archived
    )


@bp.route("/departments/<int:department_id>")
@require("department.view")
def department_detail(department_id: int):
    """One department with its people and arrangements."""
    department = _department_or_404(department_id)
    members = db.session.scalars(
        select(User)
        .where(User.department_id == department.id, User.archived_at.is_(None))
        .order_by(User.name_kana, User.id)
    ).all()
    counts = dict(
        db.session.execute(
            select(Arrangement.kind, func.count())
            .where(Arrangement.department_id == department.id, Arrangement.archived_at.is_(None))
            .group_by(Arrangement.kind)
        )
        .tuples()
        .all()
    )
    return render_template(
        "org/department_detail.html", department=department, members=members, counts=counts
    )


@bp.route("/departments/new", methods=["GET", "POST"])
@require("department.manage")
def department_new():
    """Register a department."""
    form = DepartmentForm()
    if form.validate_on_submit():
        try:
            department = services.create_department(db.session, _data(form))
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("所属「%(name)s」を登録しました。", name=department.name), "success")
            return redirect(url_for("org.department_detail", department_id=department.id))
    return render_template("org/department_form.html", form=form, department=None)


@bp.route("/departments/<int:department_id>/edit", methods=["GET", "POST"])
@require("department.manage")
def department_edit(department_id: int):
    """Change a department."""
    department = _department_or_404(department_id)
    form = DepartmentForm(obj=department)
    if form.validate_on_submit():
        try:
            services.update_department(db.session, department, _data(form))
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("所属「%(name)s」を更新しました。", name=department.name), "success")
            return redirect(url_for("org.department_detail", department_id=department.id))
    return render_template("org/department_form.html", form=form, department=department)


@bp.route("/departments/<int:department_id>/archive", methods=["POST"])
@require("department.manage")
def department_archive(department_id: int):
    """Archive a department (nothing with history is deleted)."""
    department = _department_or_404(department_id)
    try:
        services.archive_department(db.session, department)
    except DomainError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("所属「%(name)s」をアーカイブしました。", name=department.name), "success")
    return redirect(url_for("org.department_detail", department_id=department.id))


@bp.route("/departments/<int:department_id>/restore", methods=["POST"])
@require("department.manage")
def department_restore(department_id: int):
    """Undo an archive."""
    department = _department_or_404(department_id)
    services.restore_department(db.session, department)
    db.session.commit()
    flash(_("所属「%(name)s」を元に戻しました。", name=department.name), "success")
    return redirect(url_for("org.department_detail", department_id=department.id))
