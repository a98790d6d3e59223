"""Portal forms: invitation, set password, upload, upload link."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    IntegerField,
    MultipleFileField,
    PasswordField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from vendorguard.auth.forms import MIN_PASSWORD
from vendorguard.core.forms import REQUIRED, LineField
from vendorguard.portal.services import MAX_LINK_DAYS

EMAIL_FORMAT = _l("メールアドレスの形式が正しくありません。")
DEFAULT_LINK_DAYS = 14


class InviteForm(FlaskForm):
    """Invite a contractor's staff member to the portal."""

    name = LineField(_l("氏名"), validators=[DataRequired(REQUIRED), Length(max=100)])
    name_kana = LineField(_l("よみがな"), validators=[Optional(), Length(max=200)])
    email = EmailField(
        _l("メールアドレス"),
        validators=[
            DataRequired(REQUIRED),
            Email(EMAIL_FORMAT, check_deliverability=False),
            Length(max=254),
        ],
        description=_l("パスワード設定用のリンクをこのアドレスに送ります。"),
    )


class SetPasswordForm(FlaskForm):
    """Choose the portal password (from the invitation link)."""

    password = PasswordField(
        _l("パスワード"),
        validators=[
            DataRequired(REQUIRED),
            Length(
                min=MIN_PASSWORD,
                max=200,
                message=_l("%(min)d文字以上で入力してください。", min=MIN_PASSWORD),
            ),
        ],
        description=_l("%(min)d文字以上。推測されにくい文字列にしてください。", min=MIN_PASSWORD),
    )
    confirm = PasswordField(
        _l("パスワード（確認）"),
        validators=[
            DataRequired(REQUIRED),
            EqualTo("password", message=_l("確認用のパスワードが一致しません。")),
        ],
    )


class UploadForm(FlaskForm):
    """One or more files and a comment."""

    files = MultipleFileField(
        _l("提出するファイル"),
        description=_l(
            "複数のファイルを一度に選べます。PDF、Word・Excel・PowerPoint（マクロなし）、PNG・JPEG、CSV・テキスト、ZIPを受け付けます。"
        ),
    )
    comment = TextAreaField(
        _l("コメント"),
        validators=[Optional(), Length(max=2000)],
        description=_l("担当課への補足があれば記入してください（任意）。"),
    )


class UploadLinkForm(FlaskForm):
    """Create a single-request upload link."""

    days = IntegerField(
        _l("有効日数"),
        default=DEFAULT_LINK_DAYS,
        validators=[
            InputRequired(REQUIRED),
            NumberRange(
                1, MAX_LINK_DAYS, message=_l("1〜%(max)d日で指定してください。", max=MAX_LINK_DAYS)
            ),
        ],
        description=_l("今日から数えた日数です。最終日の23時59分まで使えます。"),
    )
    recipient_email = EmailField(
        _l("送信先メールアドレス"),
        validators=[Optional(), Email(EMAIL_FORMAT, check_deliverability=False), Length(max=254)],
        description=_l("入力すると、このアドレスにリンクをメールで送ります（任意）。"),
    )
