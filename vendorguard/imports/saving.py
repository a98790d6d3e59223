"""What every table's handler shares: cell readers, the department check, what a save changed."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import fields, replace
from enum import Enum
from typing import Any

from flask_babel import gettext as _

from vendorguard.audit.capture import snapshot
from vendorguard.auth.permissions import can_change
from vendorguard.imports import cells
from vendorguard.imports.engine import CREATED, UNCHANGED, UPDATED, Outcome, RowRefused
from vendorguard.imports.lookups import Lookups

# Columns a save touches by itself; they are no change a person made.
_BOOKKEEPING = {"updated_at", "created_at", "version"}


def text(raw: Any, lookups: Lookups) -> str:
    """Free text (several lines allowed), trimmed."""
    return cells.text(raw)


def line(raw: Any, lookups: Lookups) -> str:
    """One line of text, spaces collapsed."""
    return cells.one_line(raw)


def day(raw: Any, lookups: Lookups) -> Any:
    return cells.day(raw)


def flag(raw: Any, lookups: Lookups) -> bool:
    return cells.flag(raw)


def corporate_number(raw: Any, lookups: Lookups) -> str:
    return cells.corporate_number(raw)


def department(raw: Any, lookups: Lookups) -> Any:
    return lookups.department(raw)


def staff(raw: Any, lookups: Lookups) -> Any:
    return lookups.staff(raw)


def enum_of(
    members: Iterable[Any], extra: dict[str, Any] | None = None
) -> Callable[[Any, Lookups], Any]:
    """A reader for one of an enum's labels."""
    listed = list(members)
    return lambda raw, lookups: cells.choice(raw, listed, extra)


def enum_labels(members: Iterable[Any]) -> Callable[[Lookups], list[str]]:
    """The labels for a template drop-down."""
    return lambda lookups: [str(member.label) for member in members]


def yes_no_choices(lookups: Lookups) -> list[str]:
    return [_("はい"), _("いいえ")]


def department_choices(lookups: Lookups) -> list[str]:
    return lookups.department_names()


def overlay(base: Any, values: dict[str, Any]) -> Any:
    """A service's data object with the file's values for the fields the file has."""
    names = {f.name for f in fields(base)}
    # A blank enum cell keeps the value (a state or a cycle cannot be empty); other blanks clear.
    return replace(
        base,
        **{
            k: v
            for k, v in values.items()
            if k in names and not (v is None and isinstance(getattr(base, k), Enum))
        },
    )


def ensure_department(lookups: Lookups, permission: str, *department_ids: int | None) -> None:
    """Refuse a row whose department (before or after) the person may not change."""
    for department_id in department_ids:
        if department_id is not None and not can_change(lookups.user, permission, department_id):
            raise RowRefused(
                _("この所属の台帳には取り込めません（ご自分の所属の分だけ取り込めます）。"),
                column="department",
            )


def require(values: dict[str, Any], *keys_and_messages: tuple[str, Any]) -> None:
    """Refuse a new record missing a required value (messages are lazy: read only when needed)."""
    for key, message in keys_and_messages:
        if values.get(key) in (None, ""):
            raise RowRefused(str(message), column=key)


def saved(
    obj: Any,
    before: dict[str, Any] | None,
    label: str,
    columns: dict[str, str],
    extra_changes: Iterable[str] = (),
) -> Outcome:
    """The outcome of a save: created, or the columns whose stored value changed (or unchanged)."""
    if before is None:
        return Outcome(CREATED, label)
    after = snapshot(obj)
    changed = [
        name
        for name, value in after.items()
        if name not in _BOOKKEEPING and before.get(name) != value
    ]
    changed.extend(extra_changes)
    if not changed:
        return Outcome(UNCHANGED, label)
    keys = list(dict.fromkeys(columns.get(name, name) for name in changed))
    return Outcome(UPDATED, label, [key for key in keys if key in columns.values()])


def unchanged(label: str) -> Outcome:
    return Outcome(UNCHANGED, label)


__all__ = ["CREATED", "UNCHANGED", "UPDATED", "snapshot"]
