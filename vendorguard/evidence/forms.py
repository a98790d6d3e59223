"""Evidence forms: requirements, ad-hoc requests, review, internal upload, withdrawal."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    IntegerField,
    MultipleFileField,
    RadioField,
    SelectChoice,
    SelectField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from vendorguard.core.concurrency import VersionedForm
from vendorguard.core.forms import REQUIRED, DateField, LineField
from vendorguard.evidence.models import Cadence, EvidenceProvider, ReviewDecision

CHOOSE = _l("選択してください。")


class NumberField(IntegerField):
    """A whole-number input whose parse error is in the user's language."""

    def process_formdata(self, valuelist):
        """Read an integer; an empty input is no number (validators decide whether that is allowed)."""
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        try:
            self.data = int(str(valuelist[0]).strip())
        except ValueError:
            self.data = None
            raise ValueError(_("半角数字で入力してください。")) from None


def cadence_choices() -> list[SelectChoice]:
    """Every cadence, in schedule order."""
    return [SelectChoice(cadence.value, cadence.lazy_label) for cadence in Cadence]


def provider_choices() -> list[SelectChoice]:
    """Contractor or the city itself."""
    return [SelectChoice(provider.value, provider.lazy_label) for provider in EvidenceProvider]


class RequirementForm(FlaskForm):
    """Add or edit an evidence requirement of one arrangement."""

    title = LineField(_l("証跡項目名"), validators=[DataRequired(REQUIRED), Length(max=200)])
    description = TextAreaField(
        _l("求める内容"),
        validators=[Optional(), Length(max=2000)],
        description=_l("提出者に表示されます。何を、どの形式で出してほしいかを書いてください。"),
    )
    cadence = SelectField(
        _l("提出の頻度"),
        choices=cadence_choices,
        validators=[DataRequired(CHOOSE)],
        description=_l(
            "期間は年度（4月〜翌3月）に合わせて区切ります。随時の項目は手動で依頼します。"
        ),
    )
    due_offset_days = NumberField(
        _l("提出期限（日後）"),
        default=14,
        validators=[
            InputRequired(REQUIRED),
            NumberRange(min=0, max=365, message=_l("0〜365の範囲で入力してください。")),
        ],
        description=_l(
            "各期間の末日（開始時は開始日、終了時は終了日）から何日後を期限にするか。"
            "閉庁日に当たる場合は翌開庁日になります。"
        ),
    )
    provider = SelectField(
        _l("提出する者"), choices=provider_choices, validators=[DataRequired(CHOOSE)]
    )
    validity_days = NumberField(
        _l("受理後の有効日数"),
        validators=[
            Optional(),
            NumberRange(min=1, max=3650, message=_l("1〜3650の範囲で入力してください。")),
        ],
        description=_l("空欄の場合、受理した証跡は次の提出まで有効です。"),
    )


class AdhocRequestForm(FlaskForm):
    """The officer asks for evidence now; ``requirement_id`` 0 creates a new ad-hoc item."""

    requirement_id = SelectField(_l("証跡項目"), coerce=int, validators=[InputRequired(CHOOSE)])
    title = LineField(
        _l("新しい項目の名前"),
        validators=[Optional(), Length(max=200)],
        description=_l("「新しい項目を作る」を選んだときに入力してください。"),
    )
    provider = SelectField(
        _l("提出する者（新しい項目）"),
        choices=provider_choices,
        default=EvidenceProvider.CONTRACTOR.value,
        validators=[DataRequired(CHOOSE)],
    )
    description = TextAreaField(
        _l("求める内容（新しい項目）"), validators=[Optional(), Length(max=2000)]
    )
    due_on = DateField(
        _l("提出期限"),
        validators=[InputRequired(REQUIRED)],
        description=_l("閉庁日（土日祝日・12月29日〜1月3日）の場合は翌開庁日になります。"),
    )
    note = TextAreaField(
        _l("依頼内容・連絡事項"),
        validators=[Optional(), Length(max=2000)],
        description=_l("提出者に表示されます。"),
    )


class ReviewForm(VersionedForm, FlaskForm):
    """Accept or reject the latest version of a request's evidence."""

    decision = RadioField(
        _l("確認結果"),
        choices=[
            SelectChoice(ReviewDecision.ACCEPTED.value, _l("受理する")),
            SelectChoice(ReviewDecision.REJECTED.value, _l("差し戻す")),
        ],
        validators=[InputRequired(CHOOSE)],
    )
    reason = TextAreaField(
        _l("理由・コメント"),
        validators=[Optional(), Length(max=2000)],
        description=_l("差し戻すときは必須です。提出者に表示されます。"),
    )
    valid_until = DateField(
        _l("有効期限"),
        validators=[Optional()],
        description=_l("受理するとき、空欄なら証跡項目の有効日数から計算します。"),
    )


class UploadForm(FlaskForm):
    """Internal upload for a request the city itself provides; files are read by ``uploads``."""

    files = MultipleFileField(
        _l("ファイル"),
        description=_l(
            "PDF、Word・Excel・PowerPoint（マクロなし）、PNG・JPEG、CSV・テキスト、ZIP を選べます。複数選択できます。"
        ),
    )
    comment = TextAreaField(_l("コメント"), validators=[Optional(), Length(max=2000)])


class CloseForm(FlaskForm):
    """Withdraw a request that is no longer needed."""

    reason = LineField(_l("取下げの理由"), validators=[DataRequired(REQUIRED), Length(max=200)])
