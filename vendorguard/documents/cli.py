"""``flask vg appendix ENGAGEMENT --output FILE``: generate, store and write out a document."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from vendorguard.arrangements.models import Arrangement
from vendorguard.audit.context import acting_as
from vendorguard.auth.models import User
from vendorguard.core.errors import DomainError
from vendorguard.documents import bulk_cli, services
from vendorguard.extensions import db
from vendorguard.storage import get_storage


def _arrangement(ident: str) -> Arrangement:
    """By id, or by an engagement's contract number."""
    from vendorguard.engagements.models import Engagement

    found = db.session.get(Arrangement, int(ident)) if ident.isdigit() else None
    if found is None:
        found = db.session.scalars(
            select(Engagement).where(Engagement.contract_number == ident)
        ).first()
    if found is None:
        raise click.ClickException(
            f"案件が見つかりません / no arrangement {ident!r} (id or contract number)"
        )
    return found


def _user(email: str | None) -> User | None:
    """The user named by --as-user (None when not given)."""
    if not email:
        return None
    user = db.session.scalars(
        select(User).where(func.lower(User.email) == email.strip().lower())
    ).first()
    if user is None:
        raise click.ClickException(f"利用者が見つかりません / no user {email!r}")
    return user


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def register(group: click.Group) -> None:
    """Attach the commands to the ``vg`` group."""

    @group.command("appendix")
    @click.argument("engagement")
    @click.option(
        "--output",
        "-o",
        required=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="where to write the .docx",
    )
    @click.option(
        "--date-style",
        type=click.Choice(["wareki", "western"]),
        default=None,
        help="和暦 or 西暦 (default: the template's 日付表記 setting)",
    )
    @click.option(
        "--as-user", "as_user", default=None, help="e-mail of the user recorded as its author"
    )
    def appendix(
        engagement: str, output: Path, date_style: str | None, as_user: str | None
    ) -> None:
        """Generate the next version of ENGAGEMENT's document (id or contract number), store it
        like the web page does, and write the same bytes to --output."""
        arrangement = _arrangement(engagement)
        user = _user(as_user)
        storage = get_storage()
        with acting_as(
            f"cli:appendix{':' + user.email if user else ''}", user.id if user else None
        ):
            try:
                document = services.generate_appendix(
                    db.session, storage, arrangement, user, date_style
                )
            except DomainError as error:
                db.session.rollback()
                raise click.ClickException(error.message) from error
            key = document.storage_key
            try:
                db.session.commit()
            except IntegrityError as error:  # the same version was made elsewhere a moment ago
                db.session.rollback()
                services.discard_object(storage, key)
                raise click.ClickException(
                    "同時に別の版が作成されました。もう一度実行してください。"
                ) from error
        _write_atomically(output, storage.read_bytes(document.storage_key))
        click.echo(
            f"{document.filename}（第{document.version}版, {document.size} bytes, "
            f"sha256 {document.sha256}）→ {output}"
        )

    @group.command("appendix-bulk")
    @click.option(
        "--fiscal-year",
        "fiscal_year",
        type=int,
        default=None,
        help="contracts starting in this fiscal year (1 April – 31 March), e.g. 2027",
    )
    @click.option("--department", default=None, help="only this department (id or code)")
    @click.option(
        "--engagement",
        "engagements",
        multiple=True,
        help="only these engagements (id or contract number; repeat the option)",
    )
    @click.option(
        "--output",
        "-o",
        required=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="where to write the .zip",
    )
    @click.option(
        "--date-style",
        type=click.Choice(["wareki", "western"]),
        default=None,
        help="和暦 or 西暦 (default: the template's 日付表記 setting)",
    )
    @click.option(
        "--as-user",
        "as_user",
        default=None,
        help="e-mail of the user recorded as author (limits the run to what that user may change)",
    )
    def appendix_bulk(
        fiscal_year: int | None,
        department: str | None,
        engagements: tuple[str, ...],
        output: Path,
        date_style: str | None,
        as_user: str | None,
    ) -> None:
        """Generate the appendices of many engagements into one zip, each stored as a new version.

        Exit status: 0 all generated; 1 nothing generated; 2 some could not be generated (the
        zip is written, the reasons are printed).
        """
        bulk_cli.run_bulk(
            fiscal_year,
            department,
            engagements,
            output,
            date_style,
            as_user,
            find_user=_user,
            find_arrangement=_arrangement,
            write=_write_atomically,
        )
