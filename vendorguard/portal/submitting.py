"""What the portal and upload links need around an upload: whether the form is offered, and
draining a body we refuse unread. Receiving and recording is ``evidence.intake``."""

from __future__ import annotations

import logging

from flask import request

from vendorguard.evidence.models import UNSETTLED, EvidenceRequest

log = logging.getLogger(__name__)


def drain_request_body(limit: int = 256 * 1024 * 1024) -> None:
    """Read and drop an upload we refuse without looking at it (a dead link), so the browser gets
    our answer instead of a reset connection. Bounded; the app's MAX_CONTENT_LENGTH applies too."""
    try:
        stream = request.stream
        while limit > 0 and (chunk := stream.read(min(1024 * 1024, limit))):
            limit -= len(chunk)
    except Exception:  # the client went away or the body is over the limit: nothing more to do
        pass


def may_submit(evidence_request: EvidenceRequest) -> bool:
    """Whether the upload form is offered: not yet accepted, not withdrawn, arrangement not archived."""
    return evidence_request.status in UNSETTLED and evidence_request.arrangement.archived_at is None
