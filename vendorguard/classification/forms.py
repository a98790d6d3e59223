"""Classification forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from vendorguard.core.forms import LineField


class LevelForm(FlaskForm):
    """The wording of one level; its code and rank stay fixed because records compare by rank."""

    label = LineField(
        _l("表示名"), validators=[DataRequired(_l("入力してください。")), Length(max=50)]
    )
    description = TextAreaField(
        _l("説明"),
        validators=[Optional(), Length(max=2000)],
        description=_l("どのような情報がこの区分に当たるかを、職員が判断できるように書きます。"),
    )
