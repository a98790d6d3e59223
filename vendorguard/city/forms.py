"""The city profile form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp


class CityProfileForm(FlaskForm):
    """Everything documents, mails and public pages print about the city."""

    name = StringField(
        _l("市の名称"),
        validators=[DataRequired(_l("入力してください。")), Length(max=100)],
        description=_l("契約書類・メール・公開ページに印字します（例：みほん市）。"),
    )
    name_kana = StringField(_l("よみがな"), validators=[Optional(), Length(max=200)])
    postal_code = StringField(
        _l("郵便番号"),
        validators=[
            Optional(),
            Regexp(
                r"^[0-9０-９]{3}[-－ー]?[0-9０-９]{4}$",
                message=_l("郵便番号は 123-4567 の形で入力してください。"),
            ),
        ],
    )
    address = StringField(
        _l("所在地"),
        validators=[Optional(), Length(max=300)],
        description=_l("契約書類の発注者住所として印字します。"),
    )
    mayor_title = StringField(
        _l("長の職名"),
        validators=[Optional(), Length(max=50)],
        description=_l("市の名称に続けて印字します（例：市長）。"),
    )
    mayor_name = StringField(_l("長の氏名"), validators=[Optional(), Length(max=100)])
    phone = StringField(_l("代表電話番号"), validators=[Optional(), Length(max=40)])
    email = EmailField(
        _l("代表メールアドレス"),
        validators=[
            Optional(),
            Email(_l("メールアドレスの形式が正しくありません。"), check_deliverability=False),
            Length(max=254),
        ],
    )
    security_department = StringField(
        _l("情報セキュリティを所管する課"),
        validators=[Optional(), Length(max=100)],
        description=_l("例：情報政策課"),
    )
    impersonation_contact = TextAreaField(
        _l("なりすまし等の連絡先（公開ページに表示）"),
        validators=[Optional(), Length(max=300)],
        description=_l("例：情報政策課（電話 0000-00-0000）"),
    )
