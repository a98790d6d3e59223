"""``flask vg seed-demo``: a demo city with something to act on, and a login per role."""

from __future__ import annotations

import time
import unicodedata

import click
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from vendorguard.auth.models import User
from vendorguard.auth.roles import Role
from vendorguard.contractors.models import Contractor
from vendorguard.core.errors import DomainError
from vendorguard.demo import scale, services
from vendorguard.extensions import db
from vendorguard.org.models import Department


def _width(text: str) -> int:
    """Columns a string takes in a terminal (full-width characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_logins(
    logins: list[tuple[str, str, str]], affiliations: dict[str, str] | None = None
) -> str:
    """The e-mail / role / affiliation / password table, aligned for Japanese text."""
    affiliations = affiliations or {}
    rows = [(_("メールアドレス"), _("役割"), _("所属"), _("パスワード"))]
    rows += [
        (email, f"{Role(role).label} ({role})", affiliations.get(email, "-"), password)
        for email, role, password in logins
    ]
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(_pad(cell, width) for cell, width in zip(row, widths, strict=False)).rstrip()
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _affiliations(emails: list[str]) -> dict[str, str]:
    """E-mail -> the department (or, for a contractor's staff, the company) the user belongs to."""
    rows = db.session.execute(
        select(User.email, Department.name, Contractor.name)
        .outerjoin(Department, User.department_id == Department.id)
        .outerjoin(Contractor, User.contractor_id == Contractor.id)
        .where(User.email.in_(emails))
    )
    return {email: department or contractor or "-" for email, department, contractor in rows}


def _run(password: str | None, seed: int) -> None:
    try:
        logins = services.seed_demo(db.session, password=password, seed=seed)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    if not logins:
        db.session.rollback()
        click.echo(
            _(
                "データベースに既にデータ（利用者・所属・台帳）があるため、"
                "デモデータは登録しませんでした。何も変更していません。"
            )
        )
        return
    db.session.commit()
    click.echo(_("デモデータを登録しました。次のアカウントでログインできます。"))
    click.echo("")
    click.echo(format_logins(logins, _affiliations([email for email, _role, _pw in logins])))
    if password is None:
        click.echo("")
        click.echo(
            _(
                "パスワードはこの画面にだけ表示されます。控えたうえで、ログイン後に変更してください。"
            )
        )


def register(group: click.Group) -> None:
    """Attach the commands to the ``vg`` group."""

    @group.command("seed-demo")
    @click.option(
        "--password",
        default=None,
        help="one password for every demo user (default: a random password per user)",
    )
    @click.option(
        "--seed",
        default=services.DEFAULT_SEED,
        show_default=True,
        type=int,
        help="seed for the random choices (same seed, same data)",
    )
    def seed_demo_command(password: str | None, seed: int) -> None:
        """Fill an empty database with a demo city and print one login per user."""
        # Outside a request the locale selector has no session to read: use the default language.
        with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
            _run(password, seed)

    @group.command("seed-scale")
    @click.option("--arrangements", default=20_000, show_default=True, type=int)
    @click.option("--contractors", default=2_000, show_default=True, type=int)
    @click.option("--departments", default=40, show_default=True, type=int)
    @click.option("--requests", default=500_000, show_default=True, type=int)
    @click.option("--cloud-services", default=600, show_default=True, type=int)
    @click.option("--sns-accounts", default=400, show_default=True, type=int)
    @click.option("--notifications", default=132_000, show_default=True, type=int)
    @click.option("--audit-events", default=200_000, show_default=True, type=int)
    @click.option("--seed", default=20261204, show_default=True, type=int)
    @click.option("--password", default="scale-password-1", show_default=True)
    def seed_scale_command(password: str, **sizes: int) -> None:
        """Fill an empty register with a city-scale data set (bulk inserts) for benchmarks."""
        started = time.perf_counter()
        with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
            try:
                counts = scale.seed_scale(db.session, scale.ScaleSpec(**sizes), password)
            except DomainError as error:
                db.session.rollback()
                raise click.ClickException(error.message) from None
            db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # What autovacuum would reach soon after a bulk load (and a server may run without it):
            # the visibility map for index-only scans, GIN pending lists merged, fresh statistics.
            with db.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                    "VACUUM ANALYZE"
                )
        for name, value in vars(counts).items():
            click.echo(f"{name}: {value:,}")
        click.echo(f"seconds: {time.perf_counter() - started:.1f}")
