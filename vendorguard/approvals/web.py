"""The request flow of a decision page, shared by every approved kind's approve / reject views."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect
from flask.typing import ResponseReturnValue

from vendorguard.approvals.forms import DecisionForm
from vendorguard.core.errors import DomainError
from vendorguard.core.web import show_domain_error
from vendorguard.extensions import db


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
