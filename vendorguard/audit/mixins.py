"""The marker every audited model carries."""

from __future__ import annotations


class Audited:
    """Models with this mixin get a create/update/archive audit event on every flush.

    ``__audit_label__`` names the attribute shown as the object's label;
    ``__audit_exclude__`` lists columns whose values are never written into the trail;
    ``__audit_ignore__`` lists bookkeeping columns whose changes alone are not events.
    """

    __audit_label__: str = "id"
    __audit_exclude__: frozenset[str] = frozenset()
    __audit_ignore__: frozenset[str] = frozenset()
