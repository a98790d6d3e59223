"""The registry of arrangement kinds: everything that differs between kinds, one registration each.

A kind's own package registers it (``engagements/kind.py``, ``cloud/kind.py``, ``social/kind.py``;
the app factory imports every feature's ``kind`` module), and features that hang a panel under
every arrangement page register the panel (``evidence/kind.py`` …). Nothing outside the kind's
package names a kind: code asks the registry (``kind_of``, ``registered_kinds``), so a new kind
touches only its own package.

This module imports no model: the arrangement models read labels from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from vendorguard.auth.roles import Role
from vendorguard.core.catalogue import text

if TYPE_CHECKING:  # for annotations only: the models read their labels from this module
    from vendorguard.arrangements.models import Arrangement


@dataclass(frozen=True)
class ArrangementKindSpec:
    """One kind of arrangement: how it is called, where it lives, who may see it, who is reminded."""

    value: str  # the ``arrangement.kind`` column and the model's polymorphic identity
    label: Any  # a lazy string: the kind's name in the reader's language
    model: type[Arrangement]  # the Arrangement subclass
    detail_endpoint: str  # the register's own page for one arrangement …
    detail_arg: str  # … and the name of its id argument
    view_permission: str
    manage_permission: str
    # Which rows of ``model`` a user holding ``view_permission`` may read, as a SQL condition on
    # the model's own columns (None: all of them). The one definition: ``access.visible_to`` uses
    # it in queries and ``access.can_view`` evaluates the same condition on a loaded object.
    visibility: Callable[[Any], Any] | None = None
    # Roles of the arrangement's department reminded when it has no responsible officer.
    reminded_roles: frozenset[Role] = frozenset({Role.OFFICER})
    # The catalog and documents: the facts applicability rules read (arrangement -> dict), its own
    # clause placeholders ((arrangement, date_style) -> dict) and the query loading what those
    # read (arrangement_id, or a bound parameter for it -> Select). None: only the facts and
    # placeholders every kind has.
    rule_facts: Callable[[Any], dict[str, Any]] | None = None
    placeholder_values: Callable[[Any, str], dict[str, Any]] | None = None
    catalog_query: Callable[[Any], Any] | None = None
    # Names of the panels its detail page shows under its own fields (None: every panel).
    panels: tuple[str, ...] | None = None
    order: int = 100  # position in menus and filters


@dataclass(frozen=True)
class Step:
    """One step of the work on an arrangement, as the top of its page shows it (取扱情報 → … → 証跡):
    whether it is done, a one-line state, and where the next action is done."""

    key: str
    label: str
    order: int
    done: bool
    summary: str = ""
    action_label: str = ""
    action_url: str | None = None


@dataclass(frozen=True)
class Panel:
    """A section every (or some) arrangement detail page shows, registered by the feature owning it.

    ``step`` turns the panel's own context into its step of the page's step list (no query of its
    own), for kinds whose page shows one."""

    name: str
    template: str  # included with the context ``context`` returns
    context: Callable[[Any, Any, Any, date], dict[str, Any]]  # (session, arrangement, user, today)
    order: int = 100
    step: Callable[[Any, dict[str, Any]], Step | None] | None = None  # (arrangement, context)


_KINDS: dict[str, ArrangementKindSpec] = {}
_PANELS: dict[str, Panel] = {}
# page -> name -> (session, arrangement) -> what a feature adds to that page's context
_PAGE_CONTEXT: dict[str, dict[str, Callable[[Any, Any], dict[str, Any]]]] = {}


def register_kind(spec: ArrangementKindSpec) -> ArrangementKindSpec:
    """Add a kind (registering the same value again replaces it: modules may be reloaded)."""
    _KINDS[spec.value] = spec
    return spec


def register_panel(panel: Panel) -> Panel:
    """Add a detail-page panel (the same name again replaces it)."""
    _PANELS[panel.name] = panel
    return panel


def register_page_context(
    page: str, name: str, context: Callable[[Any, Any], dict[str, Any]]
) -> None:
    """Let a higher feature add to a lower feature's arrangement page (e.g. documents to coverage)."""
    _PAGE_CONTEXT.setdefault(page, {})[name] = context


def page_context(page: str, session, arrangement) -> dict[str, Any]:
    """What the registered features add to ``page`` for this arrangement."""
    context: dict[str, Any] = {}
    for name in sorted(_PAGE_CONTEXT.get(page, {})):
        context.update(_PAGE_CONTEXT[page][name](session, arrangement))
    return context


def kind_of(value: str) -> ArrangementKindSpec:
    """The registration of a kind; ``LookupError`` for a kind nobody registered."""
    try:
        return _KINDS[str(value)]
    except KeyError:
        raise LookupError(f"unknown arrangement kind {value!r}") from None


def registered_kinds() -> list[ArrangementKindSpec]:
    """Every registered kind, in menu order."""
    return sorted(_KINDS.values(), key=lambda spec: (spec.order, spec.value))


def kind_label(value: str) -> str:
    """The kind's name in the reader's language (the raw value for an unknown kind)."""
    spec = _KINDS.get(str(value))
    return text(spec.label) if spec is not None else str(value)


def panels_for(value: str) -> list[Panel]:
    """The panels a detail page of this kind shows, in order."""
    wanted = kind_of(value).panels
    panels = sorted(_PANELS.values(), key=lambda panel: (panel.order, panel.name))
    return [panel for panel in panels if wanted is None or panel.name in wanted]


def reminded_roles(value: str) -> frozenset[Role]:
    """Department roles reminded about an arrangement of this kind without a responsible officer."""
    return kind_of(value).reminded_roles
