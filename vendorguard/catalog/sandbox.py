"""Clause bodies are small Jinja texts rendered in a sandbox: placeholders and loops, nothing else.

Checked when a clause is saved (``check_body``) so that an unknown placeholder or a dangerous
construct is refused then, not when a document is made; rendered (``render_body``) with a
sandboxed environment that has no globals, few filters, and only plain str/list/dict values.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from flask_babel import gettext as _
from jinja2 import (
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
    Undefined,
    UndefinedError,
    meta,
    nodes,
    pass_eval_context,
)
from jinja2.exceptions import SecurityError
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment

from vendorguard.arrangements.models import ArrangementKind
from vendorguard.catalog.placeholder_list import placeholders_for
from vendorguard.catalog.syntax_messages import syntax_message
from vendorguard.core.errors import DomainError

MAX_BODY = 20_000
# A clause is a few paragraphs; anything past this is a body built to exhaust memory.
MAX_OUTPUT = 100_000
ALLOWED_FILTERS = ("join", "default", "length", "first", "last", "trim", "replace", "sort")


class ClauseBodyError(DomainError):
    """A clause body that may not be saved or could not be rendered; the message says why."""

    def __init__(self, message: str):
        super().__init__(message, field="body")


class _ClauseEnvironment(ImmutableSandboxedEnvironment):
    """No globals, a handful of filters, and no arithmetic that could blow up memory."""

    intercepted_binops = frozenset({"*", "**", "/", "//", "%"})

    def call_binop(self, context, operator, left, right):
        """Refuse every intercepted operator (the save check already refuses them)."""
        raise SecurityError(f"operator {operator!r} is not allowed")

    def getattr(self, obj, attribute):
        """``a.b`` reads a field of a dict value (``s.name``) or of ``loop``; nothing else —
        ``contractor_name.upper`` would otherwise print a method's repr with a memory address."""
        if isinstance(obj, dict):
            return self.getitem(obj, attribute)
        if isinstance(obj, (LoopContext, Undefined)):
            return super().getattr(obj, attribute)
        raise SecurityError(f"{attribute!r} is not a field of a {type(obj).__name__} value")


def _bounded_replace(original):
    @pass_eval_context
    def replace(eval_ctx, value, old, new, count=None):
        text, old_text, new_text = str(value), str(old), str(new)
        hits = text.count(old_text) if old_text else len(text) + 1
        if count is not None:
            hits = min(hits, max(int(count), 0))
        if len(text) + hits * (len(new_text) - len(old_text)) > MAX_OUTPUT:
            raise SecurityError("the result of replace would be too long")
        return original(eval_ctx, value, old, new, count)

    return replace


def _make_environment() -> _ClauseEnvironment:
    env = _ClauseEnvironment(
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
        auto_reload=False,
    )
    env.globals.clear()
    env.filters = {name: env.filters[name] for name in ALLOWED_FILTERS}
    env.filters["replace"] = _bounded_replace(env.filters["replace"])
    return env


ENV = _make_environment()

_FORBIDDEN_TAGS: tuple[tuple[type, str], ...] = (
    (nodes.Import, "{% import %}"),
    (nodes.FromImport, "{% from … import %}"),
    (nodes.Include, "{% include %}"),
    (nodes.Extends, "{% extends %}"),
    (nodes.Macro, "{% macro %}"),
    (nodes.CallBlock, "{% call %}"),
    (nodes.Assign, "{% set %}"),
    (nodes.AssignBlock, "{% set %}"),
    (nodes.Block, "{% block %}"),
    (nodes.With, "{% with %}"),
    (nodes.FilterBlock, "{% filter %}"),
    (nodes.EvalContextModifier, "{% autoescape %}"),
    (nodes.ScopedEvalContextModifier, "{% autoescape %}"),
)
_ARITHMETIC = (nodes.Mul, nodes.Pow, nodes.Div, nodes.FloorDiv, nodes.Mod)


def check_body(body: str, kind: ArrangementKind | str) -> None:
    """Refuse a body that does not parse, uses an unknown placeholder, or reaches past plain values."""
    if len(body) > MAX_BODY:
        raise ClauseBodyError(_("本文が長すぎます（%(max)d文字まで）。", max=MAX_BODY))
    try:
        tree = ENV.parse(body)
    except TemplateSyntaxError as error:
        raise ClauseBodyError(syntax_message(error)) from None
    _check_constructs(tree)
    allowed = {p.name for p in placeholders_for(kind)}
    loop_names = {
        node.name
        for loop in tree.find_all(nodes.For)
        for node in (loop.target, *loop.target.find_all(nodes.Name))
        if isinstance(node, nodes.Name)
    }
    bad_loop_names = sorted(
        name for name in loop_names if name.startswith("_") or name in {"self", "loop"} | allowed
    )
    if bad_loop_names:
        raise ClauseBodyError(
            _(
                "繰り返しの変数名「%(names)s」は使えません。別の名前にしてください。",
                names="」「".join(bad_loop_names),
            )
        )
    for node in tree.find_all(nodes.Getattr):
        # Placeholders are texts and lists: "contractor_name.upper" names a method, not a value.
        if isinstance(node.node, nodes.Name) and node.node.name in allowed:
            raise ClauseBodyError(
                _(
                    "%(line)d行目：「%(name)s.%(attr)s」のように項目の後ろに「.」を付ける書き方は使えません。",
                    line=node.lineno,
                    name=node.node.name,
                    attr=node.attr,
                )
            )
    used = {node.name for node in tree.find_all(nodes.Name) if node.ctx == "load"}
    unknown = sorted(
        (used | meta.find_undeclared_variables(tree)) - allowed - loop_names - {"loop"}
    )
    if unknown:
        raise ClauseBodyError(
            _(
                "使えない差し込み項目があります：%(names)s。使える項目：%(allowed)s",
                names="、".join(unknown),
                allowed="、".join(sorted(allowed)),
            )
        )


def _check_constructs(tree: nodes.Template) -> None:
    for node_type, tag in _FORBIDDEN_TAGS:
        node = next(tree.find_all(node_type), None)
        if node is not None:
            raise ClauseBodyError(
                _("%(line)d行目：%(tag)s は条項の本文では使えません。", line=node.lineno, tag=tag)
            )
    for node in tree.find_all((nodes.Call, *_ARITHMETIC)):
        if isinstance(node, nodes.Call):
            raise ClauseBodyError(
                _(
                    "%(line)d行目：関数やメソッドの呼び出し「( )」は使えません（フィルタ「|」を使ってください）。",
                    line=node.lineno,
                )
            )
        raise ClauseBodyError(
            _("%(line)d行目：計算（*、/、%% など）は使えません。", line=node.lineno)
        )
    for node in tree.find_all(nodes.Getattr):
        if node.attr.startswith("_"):
            raise ClauseBodyError(
                _(
                    "%(line)d行目：「_」で始まる名前（%(name)s）は使えません。",
                    line=node.lineno,
                    name=node.attr,
                )
            )
    for node in tree.find_all(nodes.Getitem):
        key = node.arg
        if not isinstance(key, nodes.Const) or not isinstance(key.value, (int, str)):
            raise ClauseBodyError(
                _("%(line)d行目：[ ] の中には固定の番号か項目名だけを書けます。", line=node.lineno)
            )
        if isinstance(key.value, str) and key.value.startswith("_"):
            raise ClauseBodyError(
                _(
                    "%(line)d行目：「_」で始まる名前（%(name)s）は使えません。",
                    line=node.lineno,
                    name=key.value,
                )
            )
    for node in tree.find_all(nodes.Name):
        if node.name.startswith("_"):
            raise ClauseBodyError(
                _(
                    "%(line)d行目：「_」で始まる名前（%(name)s）は使えません。",
                    line=node.lineno,
                    name=node.name,
                )
            )
    for node in tree.find_all(nodes.Filter):
        if node.name not in ALLOWED_FILTERS:
            raise ClauseBodyError(
                _(
                    "%(line)d行目：フィルタ「%(name)s」は使えません。使えるフィルタ：%(allowed)s",
                    line=node.lineno,
                    name=node.name,
                    allowed="、".join(ALLOWED_FILTERS),
                )
            )


@lru_cache(maxsize=512)
def _compiled(body: str):
    return ENV.from_string(body)


def _ensure_plain(value: Any, where: str = "values") -> None:
    """Only str/list/dict (and None, int for convenience) may reach a clause: never model objects."""
    if isinstance(value, (str, int, type(None))) and not isinstance(value, bool):
        return
    if isinstance(value, list):
        for item in value:
            _ensure_plain(item, where)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{where}: non-string key {key!r}")
            _ensure_plain(item, f"{where}.{key}")
        return
    raise TypeError(f"{where}: {type(value).__name__} may not be given to a clause")


def render_body(body: str, values: dict[str, Any]) -> str:
    """Render a (checked) clause body with plain values; a failure becomes a ClauseBodyError."""
    _ensure_plain(values)
    pieces, length = [], 0
    try:
        for piece in _compiled(body).generate(values):
            length += len(piece)
            if length > MAX_OUTPUT:
                raise ClauseBodyError(
                    _(
                        "差し込んだ結果が長すぎます（%(max)d文字まで）。繰り返しや置換を見直してください。",
                        max=MAX_OUTPUT,
                    )
                )
            pieces.append(piece)
        return "".join(pieces)
    except SecurityError as error:
        raise ClauseBodyError(
            _("安全のため、この書き方は実行できません（%(detail)s）。", detail=str(error))
        ) from None
    except UndefinedError as error:
        raise ClauseBodyError(
            _("差し込み項目の値がありません（%(detail)s）。", detail=str(error))
        ) from None
    except TemplateError as error:
        raise ClauseBodyError(
            _("条項を差し込みできませんでした（%(detail)s）。", detail=str(error))
        ) from None
    except (TypeError, ValueError, LookupError) as error:
        raise ClauseBodyError(
            _("条項を差し込みできませんでした（%(detail)s）。", detail=str(error))
        ) from None


def paragraphs(text: str) -> list[str]:
    """Split rendered text into paragraphs: one per non-blank line."""
    return [line.strip() for line in text.splitlines() if line.strip()]
