"""Keep each evidence request's ``department_id`` equal to its arrangement's, in the same flush.

One department's request list and home page pick their first rows by this copy: by the
arrangement's department alone, PostgreSQL walked the whole city's unsettled requests in due
order and probed the arrangement of each, about 1,000 probes for a department's 25 rows. The
copy is filled when a request is inserted and rewritten when its arrangement moves to another
department; both happen in the flush that makes the change, through the ORM (every write path
does; ``vg seed-scale``'s bulk rows carry the value themselves). Who may read a request is still
decided by its arrangement (``arrangements.access.visible_to``): a copy gone stale could put a
request under another department's filter, never show it to someone who may not read it.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, event, inspect, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapper, object_session
from sqlalchemy.orm.attributes import set_committed_value

from vendorguard.arrangements.models import Arrangement
from vendorguard.evidence.models import EvidenceRequest

_ARRANGEMENTS = cast(Table, inspect(Arrangement).local_table)
_REQUESTS = cast(Table, inspect(EvidenceRequest).local_table)


def _arrangement_department(connection: Connection, request: EvidenceRequest) -> int:
    """The department of ``request``'s arrangement: from the loaded arrangement when there is one
    (the schedule inserts a contract's requests with it at hand), else read by key."""
    session = object_session(request)
    loaded = inspect(request).attrs.arrangement.loaded_value
    arrangement = loaded if isinstance(loaded, Arrangement) else None
    if arrangement is None and session is not None:
        key = session.identity_key(Arrangement, request.arrangement_id)
        found = session.identity_map.get(key)
        arrangement = found if isinstance(found, Arrangement) else None
    # read from the object's dict: an expired attribute would be loaded in the middle of the flush
    known = inspect(arrangement).dict if arrangement is not None else {}
    department_id = known.get("department_id")
    if known.get("id") != request.arrangement_id:  # a request moved: its old arrangement is loaded
        department_id = None
    if department_id is not None:
        return int(department_id)
    return connection.execute(
        select(_ARRANGEMENTS.c.department_id).where(_ARRANGEMENTS.c.id == request.arrangement_id)
    ).scalar_one()


@event.listens_for(EvidenceRequest, "before_insert")
def _fill(mapper: Mapper[Any], connection: Connection, request: EvidenceRequest) -> None:
    # The flush has set ``arrangement_id`` by now, also for a request given its arrangement object.
    request.department_id = _arrangement_department(connection, request)


@event.listens_for(EvidenceRequest, "before_update")
def _refill(mapper: Mapper[Any], connection: Connection, request: EvidenceRequest) -> None:
    if inspect(request).attrs.arrangement_id.history.has_changes():
        request.department_id = _arrangement_department(connection, request)


@event.listens_for(Arrangement, "after_update", propagate=True)
def _follow(mapper: Mapper[Any], connection: Connection, arrangement: Arrangement) -> None:
    moved = inspect(arrangement).attrs.department_id.history
    if not moved.added:
        return
    connection.execute(
        update(_REQUESTS)
        .where(_REQUESTS.c.arrangement_id == arrangement.id)
        .values(department_id=arrangement.department_id)
    )
    session = object_session(arrangement)
    if session is None:
        return
    for obj in list(session.identity_map.values()):
        # the session's own copies of the rows just rewritten, so they do not read the old value
        if (
            isinstance(obj, EvidenceRequest)
            and inspect(obj).dict.get("arrangement_id") == arrangement.id
        ):
            set_committed_value(obj, "department_id", arrangement.department_id)
