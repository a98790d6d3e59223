"""Inspection forms; choices (inspectors, owners) and the checklist fields are added by the views."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from vendorguard.core.concurrency import VersionedForm
from vendorguard.core.forms import (
    REQUIRED,
    DateField,
    LineField,
    MultiCheckboxField,
    enum_options,
    optional_int,
)
from vendorguard.inspections.models import InspectionMethod, ItemResult


class PlanForm(FlaskForm):
    """Create the annual plan for a fiscal year (the departments the user may change)."""

    fiscal_year = IntegerField(
        _l("年度（西暦）"),
        validators=[
            InputRequired(REQUIRED),
            NumberRange(2000, 2199, _l("2000〜2199の年を入力してください。")),
        ],
    )


class RecordForm(VersionedForm, FlaskForm):
    """The inspection record; ``result_<item id>`` / ``notes_<item id>`` come from ``with_items``."""

    inspected_on = DateField(_l("実施日"), validators=[Optional()])
    method = SelectField(_l("検査の方法"), default=InspectionMethod.ON_SITE.value)
    method_detail = TextAreaField(
        _l("方法の詳細"),
        validators=[Optional(), Length(max=5000)],
        description=_l("訪問した場所、映像や写真で確認した範囲など。"),
    )
    inspector_ids = MultiCheckboxField(_l("検査員（市の職員）"), coerce=int)
    other_inspectors = TextAreaField(
        _l("その他の検査員"),
        validators=[Optional(), Length(max=5000)],
        description=_l("システムの利用者でない検査員の氏名・所属（1行に1人）。"),
    )
    contractor_attendees = TextAreaField(
        _l("委託事業者の立会者"), validators=[Optional(), Length(max=5000)]
    )
    summary = TextAreaField(_l("検査の概要"), validators=[Optional(), Length(max=5000)])
    findings = TextAreaField(
        _l("その他の指摘事項（1行に1件）"),
        validators=[Optional(), Length(max=5000)],
        description=_l("「不適合」の確認項目は、確定時に自動で指摘事項になります。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.method.choices = enum_options(InspectionMethod)


def record_form_class(item_ids: list[int]) -> type[RecordForm]:
    """A record form with one result select and one notes field per checklist item."""
    fields = {}
    for item_id in item_ids:
        fields[f"result_{item_id}"] = SelectField(
            _l("結果"),
            choices=enum_options(ItemResult),
            default=ItemResult.UNCHECKED.value,
        )
        fields[f"notes_{item_id}"] = TextAreaField(
            _l("所見"), validators=[Optional(), Length(max=5000)]
        )
    return type("ChecklistRecordForm", (RecordForm,), fields)


class CompleteForm(VersionedForm, FlaskForm):
    """Complete the inspection: whoever handles the findings' actions, and by when."""

    owner_id = SelectField(
        _l("措置の担当者"),
        coerce=optional_int,
        validators=[Optional()],
        description=_l("指摘事項がある場合は必須です。指摘事項ごとに措置が作られます。"),
    )
    due_on = DateField(_l("措置の期限"), validators=[Optional()])


class PhotoForm(FlaskForm):
    """One photograph (JPEG or PNG) with a caption."""

    file = FileField(
        _l("写真"),
        validators=[FileRequired(_l("ファイルを選んでください。"))],
        description=_l("JPEGまたはPNGの画像。内容を確認してから登録します。"),
        render_kw={"accept": ".jpg,.jpeg,.png,image/jpeg,image/png"},
    )
    caption = LineField(_l("説明"), validators=[Optional(), Length(max=200)])
