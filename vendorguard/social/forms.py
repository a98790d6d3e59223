"""Social-media account forms."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, SelectField, StringField, TextAreaField, URLField,
                     ValidationError)
from wtforms.validators import DataRequired, Length, Optional

from vendorguard.arrangements.models import ArrangementState
from vendorguard.cloud.forms import CHOOSE, REQUIRED, IdSelectField, enum_options, http_url, state_choices
from vendorguard.social.models import Platform


class SocialAccountForm(FlaskForm):
    """Register or change an official account. Field names are the column names."""

    title = StringField(_l("アカウント名（表示名）"), validators=[DataRequired(REQUIRED), Length(max=200)])
    platform = SelectField(_l("プラットフォーム"), choices=lambda: enum_options(Platform),
                           validators=[DataRequired(CHOOSE)], invalid_choice_message=CHOOSE)
    platform_other = StringField(_l("プラットフォーム名（その他の場合）"), validators=[Length(max=100)])
    handle = StringField(_l("アカウントID"), validators=[DataRequired(REQUIRED), Length(max=100)],
                         description=_l("例：@toyooka_city"))
    account_url = URLField(_l("アカウントのURL"), validators=[Optional(), Length(max=500), http_url])
    department_id = IdSelectField(_l("所管課"), validators=[DataRequired(CHOOSE)])
    responsible_officer_id = IdSelectField(_l("責任者"), description=_l("アカウントごとに責任者を定めます。"))
    operators = TextAreaField(_l("運用担当者"), validators=[Optional(), Length(max=2000)],
                              description=_l("1行に1人ずつ入力してください。"))
    purpose = TextAreaField(_l("運用目的"), validators=[Optional(), Length(max=5000)])
    posting_rules = TextAreaField(_l("投稿ルール（投稿してよい内容・してはいけない内容）"),
                                  validators=[Optional(), Length(max=10000)],
                                  description=_l("機密性2以上の情報は投稿できません。"))
    operating_procedure = TextAreaField(_l("運用手順"), validators=[Optional(), Length(max=20000)])
    official_list_url = URLField(_l("市公式サイトの掲載ページURL"),
                                 validators=[Optional(), Length(max=500), http_url],
                                 description=_l("なりすまし対策として、公式アカウントを一覧にしている市のページです。"))
    mfa_enabled = BooleanField(_l("多要素認証を有効にしている"))
    credential_custodian = StringField(_l("認証情報（パスワード等）の管理者"), validators=[Optional(), Length(max=100)])
    recovery_contact = StringField(_l("アカウント復旧用の連絡先"), validators=[Optional(), Length(max=200)])
    verified_badge = BooleanField(_l("認証バッジを取得している"))
    state = SelectField(_l("状態"), choices=state_choices, default=ArrangementState.DRAFT.value,
                        invalid_choice_message=CHOOSE)
    next_review_on = DateField(_l("次回見直し日"), validators=[Optional()])

    def validate_platform_other(self, field) -> None:
        """"Other" is not a platform: it needs a name."""
        if self.platform.data == Platform.OTHER.value and not (field.data or "").strip():
            raise ValidationError(_l("「その他」を選んだ場合はプラットフォーム名を入力してください。"))


class ApproveForm(FlaskForm):
    """The security office approves an account."""

    approval_comment = TextAreaField(_l("コメント"), validators=[Optional(), Length(max=2000)])


class RejectForm(FlaskForm):
    """The security office rejects an account; the department needs to know why."""

    reject_comment = TextAreaField(_l("却下の理由"), validators=[DataRequired(REQUIRED), Length(max=2000)])
