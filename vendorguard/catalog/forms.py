"""Forms of the catalog: requirements, clauses (with preview) and waivers."""

from __future__ import annotations

import json
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from vendorguard.arrangements.models import ArrangementKind
from vendorguard.catalog.models import RequirementKind
from vendorguard.core.forms import REQUIRED, LineField, MultiCheckboxField

CODE = Regexp(
    r"^[A-Za-z0-9_-]+$", message=_l("半角英数字、ハイフン、アンダースコアで入力してください。")
)


def kind_choices() -> list[tuple[str, Any]]:
    """Requirement kinds for a select."""
    return [(kind.value, kind.lazy_label) for kind in RequirementKind]


def applies_to_choices() -> list[tuple[str, str]]:
    """Arrangement kinds for a select."""
    return [(kind.value, kind.label) for kind in ArrangementKind]


class RequirementForm(FlaskForm):
    """Create or edit a requirement; code, kind and arrangement kind only when creating."""

    code = LineField(
        _l("要件コード"),
        validators=[DataRequired(REQUIRED), Length(max=20), CODE],
        description=_l("例：OUT-14、CL-13。登録後は変更できません。"),
    )
    kind = SelectField(_l("区分"), choices=[], validators=[DataRequired(REQUIRED)])
    applies_to = SelectField(_l("対象"), choices=[], validators=[DataRequired(REQUIRED)])
    title_ja = LineField(_l("要件名"), validators=[DataRequired(REQUIRED), Length(max=200)])
    title_en = LineField(_l("要件名（英語）"), validators=[Optional(), Length(max=200)])
    explanation = TextAreaField(_l("説明"), validators=[Optional(), Length(max=4000)])
    source = LineField(
        _l("根拠（ガイドライン・法令の条項）"), validators=[Optional(), Length(max=300)]
    )
    rule = TextAreaField(
        _l("適用条件（JSON）"),
        validators=[Optional(), Length(max=10000)],
        render_kw={"rows": 10, "spellcheck": "false"},
        description=_l(
            '例：{"fact": "handles_my_number", "op": "is", "value": true}。'
            '"all"（すべて）、"any"（いずれか）、"not"（否定）、{"always": true}（常に）で組み合わせます。'
        ),
    )
    sort_order = IntegerField(
        _l("表示順"), default=0, validators=[Optional(), NumberRange(min=0, max=100000)]
    )
    active = BooleanField(_l("使用する（オフにすると判定の対象外）"), default=True)

    def __init__(self, *args, creating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = kind_choices()
        self.applies_to.choices = applies_to_choices()
        if not creating:
            for name in ("code", "kind", "applies_to"):
                delattr(self, name)

    @staticmethod
    def rule_as_text(rule) -> str:
        """A stored rule, indented for editing."""
        return json.dumps(rule, ensure_ascii=False, indent=2)


class ClauseForm(FlaskForm):
    """A clause's place in the library and the text of its next version; 「プレビュー」 saves nothing."""

    code = LineField(
        _l("条項コード"),
        validators=[DataRequired(REQUIRED), Length(max=20), CODE],
        description=_l("例：ENG-18。登録後は変更できません。"),
    )
    applies_to = SelectField(_l("対象"), choices=[], validators=[DataRequired(REQUIRED)])
    title = LineField(
        _l("条項名（一覧での名前）"), validators=[DataRequired(REQUIRED), Length(max=200)]
    )
    sort_order = IntegerField(
        _l("並び順（条の順番）"), default=0, validators=[Optional(), NumberRange(min=0, max=100000)]
    )
    heading = LineField(
        _l("見出し（文書に印字）"),
        validators=[DataRequired(REQUIRED), Length(max=200)],
        description=_l("例：秘密の保持。文書では「第○条（秘密の保持）」のように番号が付きます。"),
    )
    body = TextAreaField(
        _l("本文"),
        validators=[DataRequired(REQUIRED), Length(max=20000)],
        render_kw={"rows": 16, "spellcheck": "false"},
        description=_l(
            "1行が1項になります。差し込み項目は {{ contractor_name }} のように書きます。"
        ),
    )
    requirement_codes = MultiCheckboxField(_l("網羅する要件"), choices=[])
    note = TextAreaField(
        _l("変更の理由"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2}
    )
    preview_arrangement = SelectField(
        _l("プレビューに使う案件"), choices=[], coerce=int, validate_choice=False
    )
    preview = SubmitField(_l("プレビュー"))
    save = SubmitField(_l("保存（新しい版を下書きとして作成）"))

    def __init__(self, *args, creating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.applies_to.choices = applies_to_choices()
        if not creating:
            for name in ("code", "applies_to"):
                delattr(self, name)


class PreviewForm(FlaskForm):
    """The live preview request sent by clause-preview.js."""

    body = TextAreaField(validators=[Length(max=20000)])
    applies_to = SelectField(choices=[], validators=[DataRequired()])
    preview_arrangement = IntegerField(validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.applies_to.choices = applies_to_choices()


class WaiverForm(FlaskForm):
    """Record why an arrangement need not cover a requirement."""

    requirement_id = SelectField(
        _l("要件"), choices=[], coerce=int, validators=[DataRequired(_l("要件を選んでください。"))]
    )
    reason = TextAreaField(
        _l("適用除外の理由"),
        validators=[DataRequired(REQUIRED), Length(max=2000)],
        render_kw={"rows": 3},
        description=_l("例：本業務は紙の帳票のみを扱い、電子データへのアクセスがないため。"),
    )
