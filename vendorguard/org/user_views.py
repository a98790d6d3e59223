"""User administration pages (registered on the ``org`` blueprint)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from vendorguard.auth import services as auth_services
from vendorguard.auth.models import User
from vendorguard.auth.permissions import require
from vendorguard.auth.roles import Role
from vendorguard.auth.signin import require_recent_auth
from vendorguard.contractors.models import Contractor
from vendorguard.core import list_export
from vendorguard.core.errors import DomainError
from vendorguard.core.pagination import paginate
from vendorguard.core.web import search_term, show_domain_error, sorting
from vendorguard.extensions import db
from vendorguard.mfa import queries as mfa_queries
from vendorguard.org import user_exports
from vendorguard.org import user_queries as queries
from vendorguard.org import user_services as services
from vendorguard.org.blueprint import bp
from vendorguard.org.queries import active_departments
from vendorguard.org.user_forms import PasswordResetForm, UserCreateForm, UserForm


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _int_arg(name: str) -> int | None:
    try:
        return int(request.args.get(name, ""))
    except ValueError:
        return None


def _filters() -> queries.UserFilters:
    role = request.args.get("role", "")
    active = request.args.get("active", "")
    return queries.UserFilters(
        term=search_term(),
        role=Role(role) if role in {r.value for r in Role} else None,
        department_id=_int_arg("department"),
        active={"1": True, "0": False}.get(active),
    )


def _data(form: UserForm) -> services.UserData:
    return services.UserData(
        email=form.email.data or "",
        name=form.name.data or "",
        name_kana=form.name_kana.data or "",
        role=form.role.data or "",
        department_id=form.department_id.data,
        contractor_id=form.contractor_id.data if form.contractor_id else None,
        locale=form.locale.data or "ja",
    )


def _fill_choices(form: UserForm, user: User | None) -> None:
    form.set_choices(  # the create form has no contractor field: contractors are invited
        db.session.scalars(queries.department_choices(user.department_id if user else None)),
        db.session.scalars(queries.contractor_choices(user.contractor_id if user else None)),
    )


@bp.route("/admin/users/")
@require("user.manage")
def users():
    """List users: search by name, reading or e-mail; filter by role, department, state."""
    filters = _filters()
    sort = sorting(queries.SORTS, "kana")
    stmt = sort.apply(queries.user_list(filters))
    if fmt := list_export.requested_format():
        return list_export.respond(fmt, stmt, user_exports.USERS, "org.users")
    page = paginate(stmt)
    departments = db.session.scalars(active_departments()).all()
    return render_template(
        "org/users.html",
        page=page,
        sort=sort,
        filters=filters,
        departments=departments,
        roles=list(Role),
    )


@bp.route("/admin/users/<int:user_id>")
@require("user.manage")
def user_detail(user_id: int):
    """One user's account."""
    user = _user_or_404(user_id)
    contractor = db.session.get(Contractor, user.contractor_id) if user.contractor_id else None
    return render_template(
        "org/user_detail.html",
        user=user,
        contractor=contractor,
        mfa=mfa_queries.status(db.session, user.id),
    )


@bp.route("/admin/users/new", methods=["GET", "POST"])
@require("user.manage")
@require_recent_auth
def user_new():
    """Register a user with an initial password."""
    form = UserCreateForm()
    _fill_choices(form, None)
    if form.validate_on_submit():
        try:
            user = services.create_user(db.session, _data(form), form.password.data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("利用者「%(name)s」を登録しました。", name=user.name), "success")
            return redirect(url_for("org.user_detail", user_id=user.id))
    return render_template("org/user_form.html", form=form, user=None)


@bp.route("/admin/users/<int:user_id>/edit", methods=["GET", "POST"])
@require("user.manage")
@require_recent_auth
def user_edit(user_id: int):
    """Change a user's details (not the password)."""
    user = _user_or_404(user_id)
    form = UserForm(obj=user)
    if request.method == "GET":
        form.role.data = user.role.value
    _fill_choices(form, user)
    if form.validate_on_submit():
        try:
            services.update_user(db.session, user, _data(form), current_user)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            _keep_own_session(user)
            flash(_("利用者「%(name)s」を更新しました。", name=user.name), "success")
            return redirect(url_for("org.user_detail", user_id=user.id))
    return render_template("org/user_form.html", form=form, user=user)


@bp.route("/admin/users/<int:user_id>/password", methods=["GET", "POST"])
@require("user.manage")
@require_recent_auth
def user_password(user_id: int):
    """Set a new password for a user who cannot sign in."""
    user = _user_or_404(user_id)
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            services.reset_password(db.session, user, form.password.data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            _keep_own_session(user)
            flash(_("利用者「%(name)s」のパスワードを再設定しました。", name=user.name), "success")
            return redirect(url_for("org.user_detail", user_id=user.id))
    return render_template("org/user_password.html", form=form, user=user)


def _keep_own_session(user: User) -> None:
    # A change to one's own account ends one's sessions everywhere else, not the one making it.
    if user.id == current_user.id:
        login_user(user)


@bp.route("/admin/users/<int:user_id>/sign-out", methods=["POST"])
@require("user.manage")
@require_recent_auth
def user_sign_out(user_id: int):
    """End every session of a user on every device (a lost laptop, a copied cookie)."""
    user = _user_or_404(user_id)
    auth_services.sign_out_everywhere(db.session, user)
    db.session.commit()
    _keep_own_session(user)
    flash(
        _("利用者「%(name)s」をすべての端末からログアウトさせました。", name=user.name), "success"
    )
    return redirect(url_for("org.user_detail", user_id=user.id))


@bp.route("/admin/users/<int:user_id>/archive", methods=["POST"])
@require("user.manage")
@require_recent_auth
def user_archive(user_id: int):
    """Archive a user (they can no longer sign in; their history stays)."""
    user = _user_or_404(user_id)
    try:
        services.archive_user(db.session, user, current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("利用者「%(name)s」をアーカイブしました。", name=user.name), "success")
    return redirect(url_for("org.user_detail", user_id=user.id))


@bp.route("/admin/users/<int:user_id>/restore", methods=["POST"])
@require("user.manage")
@require_recent_auth
def user_restore(user_id: int):
    """Undo an archive."""
    user = _user_or_404(user_id)
    try:
        services.restore_user(db.session, user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("利用者「%(name)s」を元に戻しました。", name=user.name), "success")
    return redirect(url_for("org.user_detail", user_id=user.id))
