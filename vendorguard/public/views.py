"""The public list of official social-media accounts, for the city's website to link to.

No login, no internal navigation, nothing but platform, name, handle, URL and department of
approved, active accounts, and where to report an impersonating account (from the city profile). Switched off with PUBLIC_ACCOUNTS_PAGE = False (then every page here is 404).

The language comes from the address only (``?lang=en``), never from the session: the pages are
cached by shared proxies (``Cache-Control: public``), so one address must always give the same
bytes, and they set no cookie (a signed-in visitor's responses are marked private instead).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask import abort, current_app, render_template, request
from flask_babel import force_locale

from vendorguard.city.services import current as city_profile
from vendorguard.core import settings
from vendorguard.extensions import db
from vendorguard.public.blueprint import bp
from vendorguard.social.models import Platform
from vendorguard.social.queries import public_accounts

CACHE_CONTROL = "public, max-age=300"
PRIVATE_CACHE_CONTROL = "private, max-age=300"
LANGUAGES = ("ja", "en")


@dataclass(frozen=True)
class PublicAccount:
    """One line of the public list: these five things and nothing more."""

    platform: Platform
    platform_label: str
    name: str
    handle: str
    url: str
    department: str


@dataclass(frozen=True)
class ReportingContact:
    """Where the public reports an impersonating account: the city profile's contact, or its
    security office with the city's phone and e-mail when no dedicated contact is set."""

    text: str
    phone: str
    email: str

    @classmethod
    def from_profile(cls, profile) -> ReportingContact:
        """The contact as the public page and the JSON show it."""
        if profile.impersonation_contact.strip():
            return cls(profile.impersonation_contact.strip(), "", "")
        office = profile.security_department.strip()
        text = f"{profile.name} {office}".strip() if office else profile.name
        return cls(text, profile.phone.strip(), profile.email.strip())


@bp.before_request
def _switched_on() -> None:
    if not settings.current().public_accounts_page:
        abort(404)


def _accounts() -> list[PublicAccount]:
    rows = db.session.execute(public_accounts()).all()
    return [
        PublicAccount(
            platform=row.platform,
            platform_label=(
                row.platform_other
                if row.platform == Platform.OTHER and row.platform_other
                else row.platform.label
            ),
            name=row.title,
            handle=row.handle,
            url=row.account_url,
            department=row.department,
        )
        for row in rows
    ]


def _cacheable(response):
    # A visitor who carries a cookie (staff signed in) gets their session cookie refreshed on this
    # response, and a shared cache must never keep and hand that out: only their own browser caches it.
    response.headers["Cache-Control"] = (
        CACHE_CONTROL if not request.cookies else PRIVATE_CACHE_CONTROL
    )
    return response


@bp.route("/official-accounts")
def official_accounts():
    """The list as a page, in Japanese (default) or English."""
    lang = request.args.get("lang", "ja")
    lang = lang if lang in LANGUAGES else "ja"
    profile = city_profile()
    with force_locale(lang):
        html = render_template(
            "public/official_accounts.html",
            accounts=_accounts(),
            lang=lang,
            city=profile,
            contact=ReportingContact.from_profile(profile),
        )
    return _cacheable(current_app.make_response(html))


@bp.route("/official-accounts.json")
def official_accounts_json():
    """The same list for the city's website to read (names in Japanese, platform as a code too)."""
    with force_locale("ja"):
        accounts = [
            {
                "platform": account.platform.value,
                "platform_name": account.platform_label,
                "name": account.name,
                "handle": account.handle,
                "url": account.url,
                "department": account.department,
            }
            for account in _accounts()
        ]
    # Unescaped UTF-8, so the people maintaining the city's site can read it as it is.
    profile = city_profile()
    contact = ReportingContact.from_profile(profile)
    body = json.dumps(
        {
            "city": profile.name,
            "report_impersonation_to": {
                "contact": contact.text,
                "phone": contact.phone,
                "email": contact.email,
            },
            "accounts": accounts,
        },
        ensure_ascii=False,
        indent=1,
    )
    response = current_app.response_class(body + "\n", mimetype="application/json")
    # Public data without credentials: any site may read it from a browser.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return _cacheable(response)
