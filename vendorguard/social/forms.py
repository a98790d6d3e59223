"""Social-media account forms: the guided registration, approval, procedure upload,
periodic attestation and the incident checklist."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    RadioField,
    SelectField,
    TextAreaField,
    URLField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from vendorguard.arrangements.models import ArrangementState
from vendorguard.core.forms import (
    CHOOSE,
    REQUIRED,
    DateField,
    IdSelectField,
    LineField,
    enum_options,
    http_url,
    options,
)
from vendorguard.social.models import IncidentKind, Platform

# The MFA question has three answers: a new account's state may not be known yet.
MFA_ON, MFA_OFF, MFA_UNKNOWN = "on", "off", "unknown"
MFA_VALUES = {MFA_ON: True, MFA_OFF: False, MFA_UNKNOWN: None}


def mfa_choice(value: bool | None) -> str:
    """The radio value for a stored MFA state."""
    if value is None:
        return MFA_UNKNOWN
    return MFA_ON if value else MFA_OFF


def _mfa_choices():
    return options(
        [
            (MFA_ON, _l("有効にしている")),
            (MFA_OFF, _l("有効にしていない（できない）")),
            (MFA_UNKNOWN, _l("未確認")),
        ]
    )


class SocialAccountForm(FlaskForm):
    """Register or change an official account, in the order a clerk thinks about it.
    Field names are the column names (``mfa`` maps to ``mfa_enabled``)."""

    # 1. the account
    title = LineField(
        _l("アカウント名（表示名）"),
        validators=[DataRequired(REQUIRED), Length(max=200)],
        description=_l("例：○○市公式（広報課）"),
    )
    platform = SelectField(
        _l("プラットフォーム"),
        choices=lambda: enum_options(Platform),
        validators=[DataRequired(CHOOSE)],
        invalid_choice_message=CHOOSE,
    )
    platform_other = LineField(
        _l("プラットフォーム名（その他の場合）"), validators=[Length(max=100)]
    )
    handle = LineField(
        _l("アカウントID"),
        validators=[DataRequired(REQUIRED), Length(max=100)],
        description=_l("例：@example_city"),
    )
    account_url = URLField(
        _l("アカウントのURL"),
        validators=[Optional(), Length(max=500), http_url],
        description=_l("公開一覧に載るURLです。プロフィール画面のURLを入力してください。"),
    )
    department_id = IdSelectField(_l("所管課"), validators=[DataRequired(CHOOSE)])
    purpose = TextAreaField(_l("運用目的"), validators=[Optional(), Length(max=5000)])
    state = SelectField(
        _l("運用状況"),
        choices=lambda: enum_options(ArrangementState),
        default=ArrangementState.ACTIVE.value,
        invalid_choice_message=CHOOSE,
        description=_l(
            "開設準備中は「下書き」、休止中は「停止中」を選びます。"
            "承認済みで「有効」のアカウントだけが公開一覧に載ります。"
        ),
    )
    # 2. people
    responsible_officer_id = IdSelectField(
        _l("責任者"), description=_l("アカウントごとに責任者を定めます。")
    )
    operators = TextAreaField(
        _l("運用担当者"),
        validators=[Optional(), Length(max=2000)],
        description=_l("1行に1人ずつ入力してください。"),
    )
    # 3. rules and procedure
    posting_rules = TextAreaField(
        _l("投稿ルール（投稿してよい内容・してはいけない内容）"),
        validators=[Optional(), Length(max=10000)],
        description=_l(
            "機密性2以上の情報は投稿できません。災害情報など必ず届ける必要がある情報"
            "（可用性2）は、市の公式ウェブサイトにも掲載します。"
        ),
    )
    operating_procedure = TextAreaField(
        _l("運用手順"),
        validators=[Optional(), Length(max=20000)],
        description=_l(
            "ここに記入するほか、登録後にアカウントの画面から手順書ファイルを登録するか、"
            "登録内容から「SNS運用手順」（Word）を作成することもできます。"
        ),
    )
    # 4. impersonation
    official_list_url = URLField(
        _l("市公式サイトの掲載ページURL"),
        validators=[Optional(), Length(max=500), http_url],
        description=_l("なりすまし対策として、公式アカウントを一覧にしている市のページです。"),
    )
    profile_names_department = BooleanField(_l("プロフィールに所管課名を明記している"))
    verified_badge = BooleanField(
        _l("認証バッジを取得している"),
        description=_l("プラットフォームが提供している場合は取得してください。"),
    )
    # 5. credentials
    mfa = RadioField(
        _l("多要素認証"),
        choices=_mfa_choices,
        default=MFA_UNKNOWN,
        validators=[DataRequired(CHOOSE)],
        invalid_choice_message=CHOOSE,
        description=_l(
            "乗っ取り対策として必ず有効にしてください。「未確認」のままでは申請できません。"
        ),
    )
    credential_custodian = LineField(
        _l("認証情報（パスワード等）の管理者"),
        validators=[Optional(), Length(max=100)],
        description=_l("パスワード・認証コード・認証に使う端末を管理する人（役職名でも可）。"),
    )
    recovery_contact = LineField(
        _l("アカウント復旧用の連絡先"),
        validators=[Optional(), Length(max=200)],
        description=_l("課の共有メールアドレスなど、担当者が異動しても受け取れる連絡先にします。"),
    )

    def validate_platform_other(self, field) -> None:
        """ "Other" is not a platform: it needs a name."""
        if self.platform.data == Platform.OTHER.value and not (field.data or "").strip():
            raise ValidationError(
                _l("「その他」を選んだ場合はプラットフォーム名を入力してください。")
            )


class ProcedureUploadForm(FlaskForm):
    """The department's own operating procedure as a file."""

    file = FileField(
        _l("手順書ファイル"),
        validators=[FileRequired(_l("ファイルを選んでください。"))],
        description=_l("Word・PDF・Excel などの手順書（PDF, DOCX, DOC, XLSX, XLS, ODT, TXT）。"),
        render_kw={"accept": ".pdf,.docx,.doc,.xlsx,.xls,.odt,.txt"},
    )


class AttestationForm(FlaskForm):
    """The periodic confirmation of operators, MFA and credentials."""

    attested_on = DateField(_l("確認日"), validators=[InputRequired(REQUIRED)])
    operators = TextAreaField(
        _l("現在の運用担当者"),
        validators=[DataRequired(REQUIRED), Length(max=2000)],
        description=_l("1行に1人ずつ。異動・退職した人は削除してください。"),
    )
    mfa = RadioField(
        _l("多要素認証"),
        choices=lambda: options(
            [(MFA_ON, _l("有効であることを確認した")), (MFA_OFF, _l("有効になっていない"))]
        ),
        validators=[DataRequired(CHOOSE)],
        invalid_choice_message=CHOOSE,
    )
    credential_custodian = LineField(
        _l("認証情報（パスワード等）の管理者"), validators=[DataRequired(REQUIRED), Length(max=100)]
    )
    password_changed_on = DateField(
        _l("最後にパスワードを変更した日"),
        validators=[Optional()],
        description=_l("運用担当者が替わったときは、直ちにパスワードを変更してください。"),
    )
    recovery_contact_checked = BooleanField(
        _l("アカウント復旧用の連絡先が有効であることを確認した")
    )
    notes = TextAreaField(_l("備考"), validators=[Optional(), Length(max=5000)])


class IncidentForm(FlaskForm):
    """Record a hijack or impersonation as soon as it is noticed."""

    kind = RadioField(
        _l("種類"),
        choices=lambda: enum_options(IncidentKind),
        validators=[DataRequired(CHOOSE)],
        invalid_choice_message=CHOOSE,
    )
    detected_at = DateTimeLocalField(
        _l("発見日時"), format="%Y-%m-%dT%H:%M", validators=[InputRequired(REQUIRED)]
    )
    description = TextAreaField(
        _l("何が起きたか"),
        validators=[DataRequired(REQUIRED), Length(max=10000)],
        description=_l("不審な投稿の内容、偽アカウントのID・URL、気付いたきっかけなど。"),
    )


class StepForm(FlaskForm):
    """Check (or undo) one step of the response checklist."""

    step = HiddenField()
    done = HiddenField(default="1")
    note = LineField(_l("メモ"), validators=[Optional(), Length(max=2000)])


class CloseIncidentForm(FlaskForm):
    """Close an incident; a note is needed when a step was left undone."""

    closing_note = TextAreaField(
        _l("完了時のメモ"),
        validators=[Optional(), Length(max=5000)],
        description=_l("未完了の手順がある場合は、不要だった理由を記入してください。"),
    )
