"""``flask vg create-admin``: above auth, catalog and classification, which it sets up."""

from __future__ import annotations

import sys

import click
from sqlalchemy import func, select

from vendorguard.audit.context import acting_as
from vendorguard.auth.models import User
from vendorguard.auth.passwords import WeakPassword, check_new_password
from vendorguard.auth.roles import Role
from vendorguard.auth.services import normalise_email
from vendorguard.catalog.services import ensure_catalog
from vendorguard.classification.services import ensure_default_schemes
from vendorguard.extensions import db


def create_admin(email: str, name: str, password: str) -> User:
    """Create an administrator, or reset the password of an existing account and make it admin."""
    email = normalise_email(email)
    user = db.session.scalars(select(User).where(func.lower(User.email) == email)).first()
    try:
        check_new_password(password, email=email, name=name, user=user)
    except WeakPassword as error:
        raise click.ClickException(error.message) from None
    if user is None:
        user = User(email=email, name=name, role=Role.ADMIN, locale="ja")
        db.session.add(user)
    # A new installation needs its reference data before anyone can work.
    ensure_default_schemes(db.session)
    ensure_catalog(db.session)
    user.role = Role.ADMIN
    user.active = True
    user.archived_at = None
    user.set_password(password)
    return user


def register(group: click.Group) -> None:
    """Attach the commands to the ``vg`` group."""

    @group.command("create-admin")
    @click.option("--email", prompt="メールアドレス", help="administrator's e-mail")
    @click.option("--name", default="管理者", show_default=True, help="display name")
    @click.option("--password-stdin", is_flag=True, help="read the password from standard input")
    def create_admin_command(email: str, name: str, password_stdin: bool) -> None:
        """Create an administrator (asks for the password)."""
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = click.prompt("パスワード", hide_input=True, confirmation_prompt=True)
        with acting_as("cli:create-admin"):
            user = create_admin(email, name, password)
            db.session.commit()
        click.echo(f"管理者を登録しました: {user.email}")
