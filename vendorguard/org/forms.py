"""Department forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from vendorguard.core.forms import REQUIRED, LineField


class DepartmentForm(FlaskForm):
    """Create or edit a department."""

    code = LineField(
        _l("所属コード"),
        validators=[
            DataRequired(REQUIRED),
            Length(max=20),
            Regexp(
                r"^[A-Za-z0-9_-]+$",
                message=_l("半角英数字、ハイフン、アンダースコアで入力してください。"),
            ),
        ],
    )
    name = LineField(_l("所属名"), validators=[DataRequired(REQUIRED), Length(max=100)])
    name_kana = LineField(
        _l("よみがな"),
        validators=[DataRequired(REQUIRED), Length(max=200)],
        description=_l("並べ替えに使います（ひらがな・カタカナ）。"),
    )
    parent_name = LineField(_l("部局名"), validators=[Optional(), Length(max=100)])
    security_manager_name = LineField(
        _l("情報セキュリティ管理者"), validators=[Optional(), Length(max=100)]
    )
    email = EmailField(
        _l("連絡先メールアドレス"),
        validators=[
            Optional(),
            Email(_l("メールアドレスの形式が正しくありません。"), check_deliverability=False),
            Length(max=254),
        ],
    )
    phone = LineField(_l("電話番号"), validators=[Optional(), Length(max=40)])
