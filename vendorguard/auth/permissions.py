"""View guards: role permissions and the own-department limit."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar, cast

from flask import abort
from flask_login import AnonymousUserMixin, current_user

from vendorguard.auth.roles import ALL_DEPARTMENTS, PERMISSIONS, Role
from vendorguard.extensions import login_manager

if TYPE_CHECKING:
    from vendorguard.auth.models import User

_View = TypeVar("_View", bound=Callable[..., Any])


def require(permission: str) -> Callable[[_View], _View]:
    """Let the view run only for signed-in users whose role holds ``permission``."""
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")

    def decorator(view: _View) -> _View:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.can(permission):
                abort(403)
            return view(*args, **kwargs)

        # A function attribute (mypy has no way to declare one on a function object).
        vars(wrapped)["required_permission"] = permission
        return cast(_View, wrapped)

    return decorator


def can_change(user: User | AnonymousUserMixin, permission: str, department_id: int | None) -> bool:
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
