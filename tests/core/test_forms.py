"""The shared form fields: one date field and the single-line text field."""

from __future__ import annotations

from datetime import date

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict
from wtforms import URLField
from wtforms.validators import Optional

from tests.engagements.helpers import engagement_form
from vendorguard.auth.roles import Role
from vendorguard.core.forms import DateField, LineField, http_url
from vendorguard.engagements.models import Engagement
from vendorguard.extensions import db


class _Form(FlaskForm):
    day = DateField("day", validators=[Optional()])
    title = LineField("title")


def _form(**data) -> _Form:
    form = _Form(formdata=MultiDict(data), meta={"csrf": False})
    form.validate()
    return form


@pytest.fixture
def request_context(app):
    with app.test_request_context():
        yield


@pytest.mark.usefixtures("request_context")
@pytest.mark.parametrize("typed", ["2027-04-01", "２０２７/４/１", "令和9年4月1日", "R9.4.1"])
def test_the_date_field_reads_every_format(typed):
    form = _form(day=typed)
    assert form.day.data == date(2027, 4, 1) and not form.day.errors


@pytest.mark.usefixtures("request_context")
def test_the_date_field_refuses_a_far_date_with_a_japanese_message():
    form = _form(day="9999-12-31")
    assert form.day.data is None
    assert form.day.errors == ["日付は1900年1月1日から2199年12月31日までの範囲で入力してください。"]


@pytest.mark.usefixtures("request_context")
def test_the_date_field_is_a_text_input_showing_iso():
    form = _Form(data={"day": date(2027, 4, 1)}, meta={"csrf": False})
    html = str(form.day())
    assert 'type="text"' in html and 'value="2027-04-01"' in html


@pytest.mark.usefixtures("request_context")
@pytest.mark.parametrize(
    "bad",
    [
        "件名\r\nBcc: x@example.com",
        "a\nb",
        "a\rb",
        "a\x00b",
        "a\tb",
        "a\x1bb",
        "a\x85b",
        "a\u2028b",
    ],
)
def test_single_line_fields_refuse_control_characters(bad):
    form = _form(title=bad)
    assert form.title.errors == [
        "改行・タブなどの制御文字は入力できません。1行の文字だけで入力してください。"
    ]


@pytest.mark.usefixtures("request_context")
def test_single_line_fields_keep_ordinary_japanese_text():
    form = _form(title="住民基本台帳システム　運用保守（令和9年度）")
    assert not form.title.errors


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Engagement))


def test_an_engagement_ending_9999_12_31_is_refused_at_input(client, make, login_as):
    department, contractor = make.department(), make.contractor()
    login_as(make.user(Role.ADMIN))
    html = client.post(
        "/engagements/new", data=engagement_form(department, contractor, ends_on="9999-12-31")
    ).get_data(as_text=True)
    assert 'id="ends_on-error">日付は1900年1月1日から2199年12月31日までの範囲で' in html
    assert _count() == 0


def test_an_engagement_title_with_a_line_break_is_refused(client, make, login_as):
    department, contractor = make.department(), make.contractor()
    login_as(make.user(Role.ADMIN))
    html = client.post(
        "/engagements/new",
        data=engagement_form(department, contractor, title="保守業務\r\nBcc: x@example.com"),
    ).get_data(as_text=True)
    assert 'id="title-error">改行・タブなどの制御文字は入力できません。' in html
    assert _count() == 0


def test_an_engagement_can_be_entered_in_wareki(client, make, login_as):
    department, contractor = make.department(), make.contractor()
    login_as(make.user(Role.ADMIN))
    response = client.post(
        "/engagements/new",
        data=engagement_form(department, contractor, starts_on="令和9年4月1日", ends_on="R10.3.31"),
    )
    assert response.status_code == 302
    engagement = db.session.scalars(select(Engagement)).one()
    assert (engagement.starts_on, engagement.ends_on) == (date(2027, 4, 1), date(2028, 3, 31))


@pytest.mark.usefixtures("request_context")
def test_url_fields_refuse_control_characters_that_urlsplit_would_hide():
    class UrlForm(FlaskForm):
        url = URLField("url", validators=[Optional(), http_url])

    form = UrlForm(
        formdata=MultiDict({"url": "https://example.jp/\r\nBcc: x"}), meta={"csrf": False}
    )
    assert not form.validate()
    assert form.url.errors == [
        "改行・タブなどの制御文字は入力できません。1行の文字だけで入力してください。"
    ]
