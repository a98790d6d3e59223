"""Forms of the tier pages: a rule (factors and the tier they give), the policy, overrides, cloud use."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from vendorguard.core.concurrency import VersionedForm
from vendorguard.core.forms import REQUIRED, LineField, MultiCheckboxField, enum_options, options
from vendorguard.engagements.models import RiskTier
from vendorguard.evidence.models import Cadence

CHOOSE = _l("選択してください。")
PERIODIC = [Cadence.MONTHLY, Cadence.QUARTERLY, Cadence.HALF_YEARLY, Cadence.YEARLY]


class RuleForm(VersionedForm, FlaskForm):
    """「次の条件に該当すれば区分X」; the factor choices are filled in by the view."""

    label = LineField(_l("名称"), validators=[Optional(), Length(max=200)])
    tier = SelectField(_l("区分"), validators=[DataRequired(CHOOSE)])
    match = RadioField(
        _l("条件の組合せ"),
        choices=options([("any", _l("いずれかに該当")), ("all", _l("すべてに該当"))]),
        default="any",
        validators=[InputRequired(CHOOSE)],
    )
    factors = MultiCheckboxField(
        _l("条件"), validators=[DataRequired(_l("条件を1つ以上選んでください。"))]
    )
    position = IntegerField(
        _l("評価の順番"),
        validators=[Optional(), NumberRange(min=0, max=9999)],
        description=_l("小さい順に評価し、最初に該当したルールの区分になります。"),
    )
    active = BooleanField(_l("このルールを使う"), default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tier.choices = enum_options(RiskTier)


class PolicyRow(FlaskForm):
    """One tier's values (a sub-form, no CSRF of its own)."""

    class Meta:
        csrf = False

    evidence_cadence = SelectField(_l("定期的な証跡の頻度"))
    review_interval_months = IntegerField(
        _l("確認（見直し）の間隔（月）"), validators=[InputRequired(REQUIRED), NumberRange(1, 120)]
    )
    self_check_interval_months = IntegerField(
        _l("自己点検の間隔（月）"), validators=[InputRequired(REQUIRED), NumberRange(1, 120)]
    )
    inspections_per_year = IntegerField(
        _l("年間の実地検査等の回数"), validators=[InputRequired(REQUIRED), NumberRange(0, 12)]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.evidence_cadence.choices = options((c.value, c.label) for c in PERIODIC)


class PolicyForm(FlaskForm):
    """Every tier's values in one form, A to D."""

    rows = FieldList(FormField(PolicyRow), min_entries=len(RiskTier), max_entries=len(RiskTier))


class OverrideForm(VersionedForm, FlaskForm):
    """Set or clear a manual tier; the reason goes into the audit trail."""

    tier = SelectField(_l("区分"), validators=[Optional()])
    reason = TextAreaField(
        _l("理由"), validators=[DataRequired(_l("理由を入力してください。")), Length(max=2000)]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tier.choices = options(
            [("", _l("（手動設定を解除し、計算した区分に戻す）"))]
            + [(tier.value, tier.label) for tier in RiskTier]
        )


class CloudUseForm(FlaskForm):
    """The registered cloud services the engagement's work runs on."""

    cloud_service_ids = MultiCheckboxField(_l("この業務で利用するクラウドサービス"), coerce=int)
