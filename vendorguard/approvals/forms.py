"""The security office's decision forms, shared by every kind that is approved.

Each carries the request's id and ``version`` as the page showed it, so a decision taken on a stale page
is refused (``core.concurrency``) instead of overwriting someone else's.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from vendorguard.approvals.services import Decision
from vendorguard.core.concurrency import VersionedForm

REQUIRED = _l("入力してください。")


class DecisionForm(VersionedForm, FlaskForm):
    """The request the page showed (its id, and its version through ``VersionedForm``)."""

    request_id = HiddenField()


class ApproveForm(DecisionForm):
    """Approve the request under review, with an optional comment."""

    approval_comment = TextAreaField(_l("コメント"), validators=[Optional(), Length(max=2000)])

    def decision(self) -> Decision:
        """What was entered, for the kind's ``approve`` service."""
        until = self.approval_valid_until.data if "approval_valid_until" in self else None
        return Decision(self.approval_comment.data or "", until, self.expected_version)


class ApproveUntilForm(ApproveForm):
    """Approve until a date (kinds whose approval expires and is renewed)."""

    approval_valid_until = DateField(_l("承認の有効期限"), validators=[InputRequired(REQUIRED)])
    approval_comment = TextAreaField(
        _l("コメント"),
        validators=[Optional(), Length(max=2000)],
        description=_l(
            "未対応・未回答の項目があるまま承認する場合は、理由や条件を必ず記入してください。"
        ),
    )


class RejectForm(DecisionForm):
    """Reject the request under review; the department needs to know why."""

    reject_comment = TextAreaField(
        _l("却下の理由"), validators=[DataRequired(REQUIRED), Length(max=2000)]
    )

    def decision(self) -> Decision:
        """What was entered, for the kind's ``reject`` service."""
        return Decision(self.reject_comment.data or "", None, self.expected_version)
