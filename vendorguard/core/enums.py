"""Enums whose members carry their label (translated when shown) and a badge CSS class."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from vendorguard.core.catalogue import message_id, translations


class LabelledEnum(StrEnum):
    """A StrEnum declared as ``NAME = "value", _l("ラベル")`` or ``… , _l("ラベル"), "badge-ok"``.

    The value is what the database and URLs hold; ``label`` is the text in the request's
    language and ``badge`` the CSS class that shows it at a glance (empty when none).
    """

    _label: Any
    _msgid: str | None
    _badge: str

    # ``label`` has a default only for type checkers, which read ``Kind("value")`` as a call of
    # this method; declaring a member without a label is an error.
    def __new__(cls, value: str, label: Any = None, badge: str = "") -> LabelledEnum:
        if label is None:
            raise TypeError(f"{cls.__name__} member {value!r} needs a label")
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label
        # A plain ``_l("…")``: its message id, looked up in the request's catalogue directly
        # (``str()`` of the lazy string goes through Flask-Babel's context lookups, ~60 per page).
        member._msgid = message_id(label)
        member._badge = badge
        return member

    @property
    def label(self) -> str:
        """The member's name for people, in the current language."""
        if self._msgid is None:
            return str(self._label)
        return translations().ugettext(self._msgid)

    @property
    def lazy_label(self) -> Any:
        """The label as declared (a lazy string): for choices built once, at import, which must
        still be shown in each request's language."""
        return self._label

    @property
    def badge(self) -> str:
        """The CSS badge class (``badge-ok``, ``badge-warn`` …)."""
        return self._badge
