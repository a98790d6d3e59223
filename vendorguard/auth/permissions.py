"""View guards: role permissions and the own-department limit."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user

from vendorguard.auth.roles import ALL_DEPARTMENTS, PERMISSIONS, Role
from vendorguard.extensions import login_manager


def require(permission: str) -> Callable:
    """Let the view run only for signed-in users whose role holds ``permission``."""
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.can(permission):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_permission = permission
        return wrapped

    return decorator


def can_change(user, permission: str, department_id: int | None) -> bool:
    """Whether ``user`` may change a record owned by ``department_id`` under ``permission``."""
    if not user.is_authenticated or not user.can(permission):
        return False
    if Role(user.role) in ALL_DEPARTMENTS.get(permission, frozenset()):
        return True
    return department_id is not None and department_id == user.department_id


def ensure_can_change(permission: str, department_id: int | None) -> None:
    """Abort with 403 unless the current user may change this department's record."""
    if not can_change(current_user, permission, department_id):
        abort(403)
