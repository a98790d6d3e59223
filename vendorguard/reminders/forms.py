"""Forms: a person's reminder preference; the admin's settings per kind of reminder."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from vendorguard.reminders.day_list import DayListField
from vendorguard.reminders.kinds import KINDS

WHOLE_DAYS = _l("日数を半角数字で入力してください。")


class PreferenceForm(FlaskForm):
    """How the user wants reminder mails."""

    digest = RadioField(
        _l("メールの受け取り方"),
        choices=[
            SelectChoice("0", _l("通知ごとにメールを受け取る")),
            SelectChoice("1", _l("1日1通のまとめメールで受け取る")),
        ],
        default="0",
        validators=[InputRequired(_l("選択してください。"))],
    )


class SettingsForm(FlaskForm):
    """Every kind's settings on one page; fields are named ``<kind>__enabled`` etc."""

    def rows(self):
        """(kind info, enabled, offsets, repeat, escalate) per kind, for the template."""
        for key, info in KINDS.items():
            yield (
                info,
                self[f"{key}__enabled"],
                self._fields.get(f"{key}__offsets"),
                self._fields.get(f"{key}__repeat"),
                self._fields.get(f"{key}__escalate"),
            )


for _key, _info in KINDS.items():
    setattr(SettingsForm, f"{_key}__enabled", BooleanField(_l("通知する")))
    if _info.has_offsets:
        setattr(
            SettingsForm,
            f"{_key}__offsets",
            DayListField(
                _l("何日後に通知するか") if _info.offsets_after else _l("何日前に通知するか"),
                description=_l("1つの欄に1つの日数（0〜365、0 は当日）。空欄は無視します。"),
            ),
        )
    if _info.has_repeat:
        setattr(
            SettingsForm,
            f"{_key}__repeat",
            IntegerField(
                _l("繰り返しの間隔（日）"),
                validators=[InputRequired(WHOLE_DAYS), NumberRange(0, 366, WHOLE_DAYS)],
                description=_l("0 は繰り返さない"),
            ),
        )
    if _info.has_escalation:
        setattr(
            SettingsForm,
            f"{_key}__escalate",
            IntegerField(
                _l("エスカレーションまでの日数"),
                validators=[Optional(), NumberRange(1, 366, WHOLE_DAYS)],
                description=_l(
                    "期限から何日を過ぎたら所属の情報セキュリティ管理者と情報セキュリティ統括へ知らせるか。空欄は知らせない"
                ),
            ),
        )
del _key, _info


class NudgeForm(FlaskForm):
    """督促: an optional note to the contractor and the key of the page that sent it."""

    note = TextAreaField(
        _l("連絡事項（任意）"),
        validators=[Optional(), Length(max=1000)],
        description=_l("メールに添えて送ります。1000文字まで。"),
    )
    click_key = HiddenField()
