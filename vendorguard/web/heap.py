"""A served process keeps the cyclic garbage collector off what lives as long as it does.

``create_app`` freezes the startup heap (modules, mappers, compiled templates). Serving then fills
caches that live as long: SQLAlchemy's compiled statements, the home page's kept statements, layout
fragments and the like (~64,000 objects after one pass over the page benchmark's pages). Every full
collection walked them: 35–48 ms, about one request in a hundred (the lists' p95 at city scale).
So the heap is frozen again after the process's 100th, 1,000th and 10,000th request, once the
response has been sent and after a full collection, so that nothing unreachable is frozen; later
full collections walk only what changed since (~2 ms measured).
"""

from __future__ import annotations

import gc
import itertools

from flask import Flask, Response

REFREEZE_AFTER = (100, 1_000, 10_000)  # requests served by this process


def freeze() -> None:
    """Collect what is unreachable, then keep every survivor out of later collections."""
    gc.collect()
    gc.freeze()


def init_app(app: Flask) -> None:
    """Freeze ``app``'s process heap again after the requests of ``REFREEZE_AFTER``."""
    served = itertools.count(1)
    schedule = frozenset(REFREEZE_AFTER)
    due = [False]

    @app.after_request
    def _refreeze_on_schedule(response: Response) -> Response:
        if next(served) in schedule:
            due[0] = True
        # Werkzeug drops a passthrough response's close callbacks (static files): the next
        # other response does it.
        if due[0] and not response.direct_passthrough:
            due[0] = False
            response.call_on_close(freeze)
        return response
