"""Reading and saving the city profile; every printed mention of the city goes through here."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from flask import g, has_app_context
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from vendorguard.city.models import PROFILE_ID, CityProfile
from vendorguard.core.errors import DomainError
from vendorguard.core.text import clean

# Printed while no profile has been saved, so the gap shows on paper instead of another city.
UNSET_NAME = "（市の名称未設定）"


@dataclass(frozen=True)
class City:
    """The profile as plain values (what templates, documents and mails read)."""

    name: str = UNSET_NAME
    name_kana: str = ""
    postal_code: str = ""
    address: str = ""
    mayor_title: str = ""
    mayor_name: str = ""
    phone: str = ""
    email: str = ""
    security_department: str = ""
    impersonation_contact: str = ""
    configured: bool = False

    @property
    def display_name(self) -> str:
        """The name for screens: the placeholder in the reader's language while none is saved
        (documents and mails print ``name``, which stays Japanese)."""
        return self.name if self.configured or self.name != UNSET_NAME else _("（市の名称未設定）")

    @property
    def representative(self) -> str:
        """The signatory as contracts print it: 「みほん市長　見本 太郎」."""
        # 「みほん市」+「市長」 is printed 「みほん市長」, as 「○○町」+「町長」 is 「○○町長」.
        title = self.mayor_title
        if title and self.name.endswith(title[0]):
            title = self.name + title[1:]
        elif title:
            title = self.name + title
        return "　".join(part for part in (title, self.mayor_name) if part)


EDITABLE = tuple(f.name for f in fields(City) if f.name != "configured")


def load(session: Session) -> City:
    """The saved profile, or an unset one (never another city's defaults)."""
    return _from_row(session.get(CityProfile, PROFILE_ID))


def _from_row(row: CityProfile | None) -> City:
    if row is None:
        return City()
    return City(**{name: getattr(row, name) or "" for name in EDITABLE}, configured=True)


def keep_for_request(row: CityProfile | None) -> None:
    """Keep the profile read along with the signed-in user as this request's copy (the footer
    of every page prints it: no statement of its own)."""
    g._city_profile = _from_row(row)


def current(session: Session | None = None) -> City:
    """The profile for this request (read once per request or app context)."""
    from vendorguard.extensions import db

    if not has_app_context():
        return City()
    cached = g.get("_city_profile")
    if cached is None:
        cached = load(session or db.session)
        g._city_profile = cached
    return cached


def city_name() -> str:
    """The municipality's name as documents, mails and pages print it."""
    return current().name


def forget() -> None:
    """Drop the per-request copy (after the profile changed)."""
    if has_app_context():
        g.pop("_city_profile", None)


@dataclass
class CityData:
    """What an administrator enters."""

    name: str = ""
    name_kana: str = ""
    postal_code: str = ""
    address: str = ""
    mayor_title: str = ""
    mayor_name: str = ""
    phone: str = ""
    email: str = ""
    security_department: str = ""
    impersonation_contact: str = ""


def save(session: Session, data: CityData) -> CityProfile:
    """Create or update the single profile row."""
    # Digits of phone, postal code and address typed full-width are the same digits; names keep
    # their Japanese brackets as typed.
    values = {
        key: clean(value) if key in ("postal_code", "phone", "email") else (value or "").strip()
        for key, value in asdict(data).items()
    }
    if not values["name"]:
        raise DomainError(_("市の名称を入力してください。"), field="name")
    row = session.get(CityProfile, PROFILE_ID)
    if row is None:
        row = CityProfile(id=PROFILE_ID, name=values["name"])
        session.add(row)
    for key, value in values.items():
        if getattr(row, key) != value:
            setattr(row, key, value)
    session.flush()
    forget()
    return row
