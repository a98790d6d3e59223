"""What the approval panel of a detail page shows (``templates/approvals/_panel.html``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from vendorguard.approvals.forms import ApproveForm, RejectForm
from vendorguard.approvals.models import ApplicationStatus, Approvable, ApprovalRequest


@dataclass
class ApprovalPanel:
    """The approval in force, the request under review with the decision forms, and the history.

    A kind fills in its URLs, who may decide or withdraw, and its own wording; the template shows
    the kind's request details through the macro's ``caller``.
    """

    subject: Approvable
    history: Sequence[ApprovalRequest]
    approve_url: str
    reject_url: str
    approve_form: ApproveForm
    reject_form: RejectForm
    can_decide: bool = False
    withdraw_url: str | None = None
    history_url: str | None = None
    renewal_days: int | None = None
    heading: str = _l("承認")
    pending_heading: str = _l("審査中の申請")
    empty_text: str = _l("申請はまだありません。")
    no_request_text: str = _l("申請書のない申請です。所管課に申請を依頼してください。")
    history_text: str = _l("申請の履歴")

    @property
    def pending(self) -> ApprovalRequest | None:
        """The request under review, if any."""
        return next((r for r in self.history if r.status == ApplicationStatus.SUBMITTED), None)

    @property
    def last_decided(self) -> ApprovalRequest | None:
        """The newest request the security office decided (withdrawals are not decisions)."""
        return next(
            (
                r
                for r in self.history
                if r.decided_at is not None and r.status != ApplicationStatus.WITHDRAWN
            ),
            None,
        )
