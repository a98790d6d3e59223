"""Forms of the SSO settings pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, PasswordField, SelectChoice, SelectField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from vendorguard.auth.roles import INTERNAL_ROLES, ROLE_LABELS
from vendorguard.core.forms import CHOOSE, REQUIRED, LineField, enum_options, optional_int
from vendorguard.sso.models import MatchClaim


class ProviderForm(FlaskForm):
    """An OpenID provider as the administrator registers it."""

    name = LineField(
        _l("名称"),
        validators=[DataRequired(REQUIRED), Length(max=100)],
        description=_l("ログイン画面のボタンに表示します（例：庁内アカウント）。"),
    )
    discovery_url = LineField(
        _l("ディスカバリーURL"),
        validators=[DataRequired(REQUIRED), Length(max=500)],
        description=_l(
            "…/.well-known/openid-configuration で終わるURL"
            "（Entra ID: https://login.microsoftonline.com/<テナントID>/v2.0/.well-known/openid-configuration）"
        ),
    )
    client_id = LineField(
        _l("クライアントID"), validators=[DataRequired(REQUIRED), Length(max=255)]
    )
    client_secret = PasswordField(
        _l("クライアントシークレット"),
        validators=[Optional(), Length(max=500)],
        description=_l("保存した値は表示しません。変更するときだけ入力してください。"),
    )
    scopes = LineField(
        _l("スコープ"),
        default="openid email profile",
        validators=[Optional(), Length(max=255)],
        description=_l("空白区切り。openid は常に要求します。"),
    )
    match_claim = SelectField(
        _l("利用者の照合に使う項目"),
        choices=[],
        validators=[DataRequired(CHOOSE)],
        description=_l(
            "メールアドレス：登録済みの利用者とメールアドレスで照合し、初回に識別子を記録します。"
            "利用者識別子：記録済みの識別子（または自動登録）だけで照合します。"
        ),
    )
    provisioning = BooleanField(
        _l("未登録の利用者を自動登録する（ジャストインタイム登録）"),
        description=_l("役割の対応表に当てはまる人だけを、初回ログイン時に登録します。"),
    )
    enabled = BooleanField(_l("有効（ログイン画面に表示する）"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.match_claim.choices = enum_options(MatchClaim)


class MappingForm(FlaskForm):
    """One claim value → role and department row."""

    claim = LineField(
        _l("クレーム名"),
        default="groups",
        validators=[DataRequired(REQUIRED), Length(max=100)],
        description=_l("例：groups、roles、email"),
    )
    value = LineField(
        _l("値"),
        validators=[DataRequired(REQUIRED), Length(max=255)],
        description=_l("クレームがこの値（または値の一覧にこれを含む）のとき当てはまります。"),
    )
    role = SelectField(_l("役割"), choices=[], validators=[DataRequired(CHOOSE)])
    department_id = SelectField(_l("所属"), coerce=optional_int, choices=[])
    position = IntegerField(
        _l("順位"),
        default=0,
        validators=[Optional(), NumberRange(min=0, max=9999)],
        description=_l("小さい順に調べ、最初に当てはまった行を使います。"),
    )

    def __init__(self, departments, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = [SelectChoice("", _l("（選択してください）"))] + [
            SelectChoice(role.value, label)
            for role, label in ROLE_LABELS.items()
            if role in INTERNAL_ROLES
        ]
        self.department_id.choices = [SelectChoice("", _l("（なし）"))] + [
            SelectChoice(department.id, department.name) for department in departments
        ]
