"""Forms of the questionnaire pages (answers themselves are read per question by the views)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from vendorguard.core.concurrency import VersionedForm
from vendorguard.core.forms import (
    CHOOSE,
    REQUIRED,
    DateField,
    LineField,
    enum_options,
    optional_int,
)
from vendorguard.questionnaires.models import Attachment, QuestionType, Severity


class TemplateForm(FlaskForm):
    """A new template."""

    code = LineField(_l("コード"), validators=[DataRequired(REQUIRED), Length(max=30)])
    title = LineField(_l("名称"), validators=[DataRequired(REQUIRED), Length(max=200)])
    applies_to = SelectField(_l("対象"), validators=[InputRequired(CHOOSE)])


class VersionForm(FlaskForm):
    """A draft's title, instructions and change note."""

    title = LineField(_l("名称"), validators=[DataRequired(REQUIRED), Length(max=200)])
    instructions = TextAreaField(_l("回答者への説明"), validators=[Length(max=5000)])
    note = TextAreaField(_l("変更の理由"), validators=[Length(max=2000)])


class SectionForm(FlaskForm):
    """A section of a draft."""

    title = LineField(_l("区分の名称"), validators=[DataRequired(REQUIRED), Length(max=200)])
    position = IntegerField(_l("表示順"), default=0, validators=[Optional()])


class QuestionForm(FlaskForm):
    """A question of a draft; the condition is chosen, never typed as JSON."""

    section_id = SelectField(_l("区分"), coerce=optional_int, validators=[InputRequired(CHOOSE)])
    code = LineField(_l("設問コード"), validators=[DataRequired(REQUIRED), Length(max=30)])
    position = IntegerField(_l("表示順"), default=0, validators=[Optional()])
    text = TextAreaField(_l("設問"), validators=[DataRequired(REQUIRED), Length(max=2000)])
    help = TextAreaField(_l("補足説明"), validators=[Length(max=2000)])
    qtype = SelectField(_l("回答の種類"), choices=enum_options(QuestionType))
    choices = TextAreaField(
        _l("選択肢（1行に1つ）"),
        validators=[Length(max=5000)],
        description=_l("「選択（1つ）」「選択（複数）」の場合だけ使います。"),
    )
    required = BooleanField(_l("回答を必須にする"), default=True)
    attachment = SelectField(_l("資料の添付"), choices=enum_options(Attachment))
    requirement_code = SelectField(
        _l("対応する要件"),
        validators=[Optional()],
        description=_l("選ぶと、その要件が案件に適用される（適用除外でない）場合だけ質問します。"),
    )
    fact = SelectField(_l("案件の条件"), validators=[Optional()])
    after_code = SelectField(
        _l("前の設問の回答による条件"),
        validators=[Optional()],
        description=_l("選んだ設問の回答が次の値のときだけ質問します。"),
    )
    after_value = LineField(
        _l("その回答"),
        validators=[Length(max=200)],
        description=_l("はい／いいえの設問は yes・no・na、選択式は選択肢の文字列。"),
    )
    weight = IntegerField(
        _l("重み"), default=1, validators=[InputRequired(REQUIRED), NumberRange(0, 100)]
    )
    finding_answers = TextAreaField(
        _l("指摘とする回答（1行に1つ）"),
        validators=[Length(max=2000)],
        description=_l("はい／いいえの設問は yes・no・na、選択式は選択肢の文字列。"),
    )


class SendForm(FlaskForm):
    """Send one questionnaire to one arrangement's contractor."""

    template_id = SelectField(_l("点検票"), coerce=optional_int, validators=[InputRequired(CHOOSE)])
    fiscal_year = IntegerField(
        _l("年度"), validators=[InputRequired(REQUIRED), NumberRange(2000, 2199)]
    )
    due_on = DateField(
        _l("回答期限"),
        validators=[InputRequired(REQUIRED)],
        description=_l("閉庁日の場合は次の開庁日になります。"),
    )
    message = TextAreaField(_l("委託事業者への連絡事項"), validators=[Length(max=2000)])


class BulkSendForm(SendForm):
    """Send one questionnaire to every arrangement of a department (or all the user manages)."""

    department_id = SelectField(_l("所管課"), coerce=optional_int, validators=[Optional()])
    tier = SelectField(
        _l("リスク区分"),
        validators=[Optional()],
        description=_l("選ぶと、その区分の業務委託だけに送ります。"),
    )


class LinkForm(FlaskForm):
    """A signed link for answering without an account."""

    days = IntegerField(
        _l("有効日数"), default=14, validators=[InputRequired(REQUIRED), NumberRange(1, 90)]
    )


class FindingForm(FlaskForm):
    """A finding on one answer: it becomes an action (措置)."""

    severity = SelectField(_l("重要度"), choices=enum_options(Severity))
    remediation = TextAreaField(
        _l("求める改善"), validators=[DataRequired(REQUIRED), Length(max=2000)]
    )
    owner_id = SelectField(_l("措置の担当者"), coerce=optional_int, validators=[Optional()])
    due_on = DateField(_l("措置の期限"), validators=[InputRequired(REQUIRED)])


class ReturnForm(VersionedForm, FlaskForm):
    """Send back for correction."""

    reason = TextAreaField(
        _l("修正を依頼する内容"), validators=[DataRequired(REQUIRED), Length(max=5000)]
    )


class CloseActionForm(FlaskForm):
    """Close the action of a finding once the remediation is confirmed."""

    resolution = TextAreaField(
        _l("確認した改善の内容"), validators=[DataRequired(REQUIRED), Length(max=5000)]
    )


class WorkbookForm(FlaskForm):
    """Upload a filled-in workbook."""

    workbook = FileField(_l("記入済みの Excel ファイル（.xlsx）"))


class ResponseForm(FlaskForm):
    """The contractor's reply to a finding (files come through the streaming upload)."""

    response = TextAreaField(
        _l("実施した改善の内容"), validators=[DataRequired(REQUIRED), Length(max=5000)]
    )


class VersionOnlyForm(VersionedForm, FlaskForm):
    """A one-click action on a questionnaire carrying the version it was shown with."""

    token = HiddenField()
