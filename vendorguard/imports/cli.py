"""``vg import``: import a register file from the command line, with progress."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from vendorguard.audit.context import acting_as
from vendorguard.auth.models import User
from vendorguard.core import settings
from vendorguard.core.errors import DomainError
from vendorguard.extensions import db
from vendorguard.imports import passes, services
from vendorguard.imports.columns import IGNORE
from vendorguard.imports.registers import REGISTERS, register_for
from vendorguard.storage.factory import get_storage


def register(group: click.Group) -> None:
    """Add the command to the ``vg`` group."""

    @group.command("import")
    @click.argument("register_key", type=click.Choice(sorted(REGISTERS)))
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @click.option(
        "--as",
        "email",
        required=True,
        help="The user the import acts as (their permissions apply).",
    )
    @click.option(
        "--table",
        default="",
        help="For a CSV: which table it holds (default: the register's main table).",
    )
    @click.option(
        "--ignore-unknown",
        is_flag=True,
        help="Do not read columns whose header the app does not know.",
    )
    @click.option(
        "--apply", "do_apply", is_flag=True, help="Save the rows (without it: a dry run)."
    )
    @with_appcontext
    def import_command(register_key, path, email, table, ignore_unknown, do_apply):
        """Import PATH into a register: a dry run, or with --apply all rows or none."""
        user = db.session.scalars(select(User).where(User.email == email)).first()
        if user is None or register_for(user, register_key) is None:
            raise click.ClickException(
                f"{email}: no such user, or not allowed to import {register_key}"
            )
        storage = get_storage()
        config = settings.current()
        try:
            with open(path, "rb") as stream:
                batch = services.upload(
                    db.session,
                    storage,
                    user,
                    REGISTERS[register_key],
                    stream,
                    path,
                    table,
                    keep_hours=config.import_keep_hours,
                    max_bytes=config.import_max_mb * 1024 * 1024,
                )
            pending = services.undecided(batch)
            if pending and not ignore_unknown:
                names = ", ".join(layout.headers[index] for layout, index in pending)
                raise click.ClickException(
                    f"unknown headers (use --ignore-unknown or rename them): {names}"
                )
            services.decide(
                db.session,
                batch,
                {
                    layout.table: {str(i): IGNORE for i in layout.unknown}
                    for layout in services.layouts_of(batch)
                },
            )

            def progress(done: int) -> None:
                click.echo(f"  {done} rows", err=True)

            with acting_as(f"cli:import:{email}", user.id):
                if do_apply:
                    report = passes.apply(db.session, storage, batch, user, progress)
                else:
                    report = passes.preview(db.session, storage, batch, user, progress)
            services.discard(db.session, storage, batch)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            raise click.ClickException(error.message) from None
        for note in report.notes:
            click.echo(f"note: {note}")
        for row in report.rows:
            for cell, header, message in row.errors:
                click.echo(f"{row.sheet}!{cell or row.row} {header}: {message}")
        counts = report.counts()
        click.echo(" ".join(f"{key}={value}" for key, value in counts.items()))
        if not report.ok:
            raise click.ClickException(
                "nothing was saved: some rows have errors" if do_apply else "some rows have errors"
            )
