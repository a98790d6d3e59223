"""The approve / reject pages of every approved kind: one request flow, told per kind what differs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import flash, redirect, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.orm import Session

from vendorguard.approvals import queries
from vendorguard.approvals.forms import ApproveForm, DecisionForm, RejectForm
from vendorguard.approvals.models import ApprovalRequest
from vendorguard.approvals.services import Decision
from vendorguard.auth import signin
from vendorguard.core.errors import DomainError
from vendorguard.core.web import show_domain_error
from vendorguard.extensions import db

RequestT = TypeVar("RequestT", bound=ApprovalRequest)

# A kind's service: (session, arrangement, the request the form names or the pending one,
# approver, what was entered) → raises DomainError when refused.
DecisionService = Callable[[Session, Any, RequestT | None, Any, Decision], object]


@dataclass(frozen=True)
class DecisionPages(Generic[RequestT]):
    """What one kind tells the shared approve / reject views.

    ``load`` returns the arrangement or aborts (404); ``show_again(id, approve_form=…|reject_form=…)``
    renders the detail page with the refused form; ``approved`` / ``rejected`` are the flash
    messages (``%(name)s`` is the arrangement's title); with ``nothing_pending`` a decision posted
    when no request is under review is redirected with that message instead of being tried.
    """

    load: Callable[[int], Any]
    approve: DecisionService[RequestT]
    reject: DecisionService[RequestT]
    # The kind's request class: ``ApprovalRequest``, or its subclass when the kind asks for more.
    request_model: type[RequestT]
    approved: str
    rejected: str
    detail_url: Callable[[Any], str]
    show_again: Callable[..., ResponseReturnValue]
    approve_form: type[ApproveForm] = ApproveForm
    nothing_pending: str | None = None


def decide(
    form: DecisionForm,
    decision: Callable[[], object],
    done: str,
    success_url: str,
    show_again: Callable[[], ResponseReturnValue],
) -> ResponseReturnValue:
    """Validate the form, run the kind's decision (one service call), commit once, flash and
    redirect; on invalid input or a refused decision (a stale page too) show the page again with
    the reason and nothing saved."""
    if form.validate_on_submit():
        try:
            decision()
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(done, "success")
            return redirect(success_url)
    return show_again()


def _decision_page(
    pages: DecisionPages[RequestT],
    record_id: int,
    form: ApproveForm | RejectForm,
    run: DecisionService[RequestT],
    done: str,
    key: str,
) -> ResponseReturnValue:
    record = pages.load(record_id)
    if not signin.auth_is_recent():  # a decision is a sensitive action: ask who is deciding
        return signin.reauth_redirect()
    # The form names the request its page showed, so a decision never lands on a newer one.
    stmt = queries.decision_target(record.id, request.form.get("request_id"), pages.request_model)
    target = db.session.scalars(stmt).first()
    if target is None and pages.nothing_pending:
        flash(str(pages.nothing_pending), "error")
        return redirect(pages.detail_url(record))
    return decide(
        form,
        lambda: run(db.session, record, target, current_user, form.decision()),
        str(done) % {"name": record.title},
        pages.detail_url(record),
        lambda: pages.show_again(record_id, **{key: form}),
    )


def approve_page(pages: DecisionPages[Any], record_id: int) -> ResponseReturnValue:
    """POST of the approve form: approve the request the page showed."""
    return _decision_page(
        pages, record_id, pages.approve_form(), pages.approve, pages.approved, "approve_form"
    )


def reject_page(pages: DecisionPages[Any], record_id: int) -> ResponseReturnValue:
    """POST of the reject form: reject the request the page showed, saying why."""
    return _decision_page(
        pages, record_id, RejectForm(), pages.reject, pages.rejected, "reject_form"
    )
