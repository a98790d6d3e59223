"""Assessment and action forms; the owner choices are filled in by the views."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from vendorguard.assessments.models import AssessmentMethod, AssessmentResult
from vendorguard.assessments.services import split_findings
from vendorguard.core.concurrency import VersionedForm
from vendorguard.core.forms import REQUIRED, DateField, optional_int

CHOOSE = _l("選択してください。")


class AssessmentForm(FlaskForm):
    """Record an assessment; each line of ``findings`` becomes an action."""

    assessed_on = DateField(_l("確認日"), validators=[InputRequired(REQUIRED)])
    result = RadioField(_l("確認の結果"), validators=[InputRequired(CHOOSE)])
    method = SelectField(_l("確認の方法"), default=AssessmentMethod.DOCUMENT.value)
    summary = TextAreaField(
        _l("確認の概要"),
        validators=[DataRequired(REQUIRED), Length(max=5000)],
        description=_l(
            "何を、どの資料で確認したか。例: 令和8年度上期の定期報告書と作業従事者名簿を確認した。"
        ),
    )
    findings = TextAreaField(
        _l("指摘事項（1行に1件）"),
        validators=[Optional(), Length(max=50000)],
        description=_l("1行ごとに措置が1件作られます。「一部不適合」「不適合」の場合は必須です。"),
    )
    owner_id = SelectField(
        _l("措置の担当者"),
        coerce=optional_int,
        validators=[Optional()],
        description=_l("指摘事項ごとの担当者と期限は、記録した後で個別に変更できます。"),
    )
    due_on = DateField(_l("措置の期限"), validators=[Optional()])
    valid_until = DateField(
        _l("確認の有効期限（次回確認日）"),
        validators=[Optional()],
        description=_l(
            "空欄の場合は確認日の1年後（リスク区分のある業務委託は区分の確認間隔の後）になります。"
            "案件の次回確認日に反映されます。"
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.result.choices = [(result.value, result.label) for result in AssessmentResult]
        self.method.choices = [(method.value, method.label) for method in AssessmentMethod]

    def validate(self, extra_validators=None) -> bool:
        """Field checks, and in the same pass the rule that a finding needs a line: one submit
        shows every error (the service checks the rule again)."""
        valid = super().validate(extra_validators)
        result = self.result.data
        if (
            result in {r.value for r in AssessmentResult}
            and result != AssessmentResult.CONFORMING.value
            and not split_findings(self.findings.data or "")
            and not self.findings.errors
        ):
            self.findings.errors = [
                *self.findings.errors,
                _(
                    "「%(result)s」の場合は、指摘事項を1件以上入力してください（1行に1件）。",
                    result=AssessmentResult(result).label,
                ),
            ]
            valid = False
        return valid


class ActionForm(VersionedForm, FlaskForm):
    """Add or change an action. The person in charge who may not manage the arrangement only
    gets ``contractor_response`` (the view removes the other fields)."""

    finding = TextAreaField(_l("指摘事項"), validators=[DataRequired(REQUIRED), Length(max=5000)])
    owner_id = SelectField(_l("担当者"), coerce=optional_int, validators=[DataRequired(CHOOSE)])
    due_on = DateField(_l("期限"), validators=[InputRequired(REQUIRED)])
    contractor_response = TextAreaField(
        _l("委託事業者等の対応状況"),
        validators=[Optional(), Length(max=5000)],
        description=_l("相手方からの回答、改善計画、進み具合などを記録します。"),
    )


class CloseForm(VersionedForm, FlaskForm):
    """Close an action: what was done (required) and when."""

    resolution = TextAreaField(
        _l("対応の結果（措置の内容）"),
        validators=[DataRequired(REQUIRED), Length(max=5000)],
        description=_l("是正された内容と、それを何で確認したかを記録します。"),
    )
    closed_on = DateField(_l("完了日"), validators=[InputRequired(REQUIRED)])
