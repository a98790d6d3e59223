"""The condition builder: an applicability rule as rows of field / operator / value with all/any.

It edits the rules people write most (and every shipped one): ``{"always": true}``, one test,
``{"not": test}``, and ``{"all"|"any": [test or {"not": test}, ...]}`` with two or more items.
Anything else (nested groups) stays editable as JSON. The rule it produces is the evaluator's own
JSON, checked by :func:`rules.validate_rule` when saved.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from vendorguard.arrangements.models import ArrangementKind
from vendorguard.catalog import rule_facts, rules
from vendorguard.catalog.rules import RuleError

MODES = ("always", "all", "any", "json")
MAX_ROWS = 20
BLANK_ROWS = 1  # the form always offers one empty row to add a condition without JavaScript

# Operators in words, as a row reads: 「<field> <operator> <value>」.
OPERATOR_LABELS = {
    "is": _l("が次のとおり"),
    "eq": _l("が次と同じ"),
    "ne": _l("が次と異なる"),
    "in": _l("が次のいずれか"),
    "contains": _l("に次を含む"),
}


@dataclass
class Row:
    """One condition: a fact, an operator, its value(s) as form texts, and whether it is negated."""

    fact: str = ""
    op: str = ""
    values: list[str] = field(default_factory=list)
    negate: bool = False


@dataclass
class Builder:
    """The builder's state: how rows combine (or ``always`` / ``json``) and the rows."""

    mode: str = "all"
    rows: list[Row] = field(default_factory=list)


def _row_from_test(test: Any) -> Row | None:
    negate = False
    if isinstance(test, dict) and set(test) == {"not"}:
        negate, test = True, test["not"]
    if not isinstance(test, dict) or set(test) != {"fact", "op", "value"}:
        return None
    value = test["value"]
    if isinstance(value, bool):
        values = ["true" if value else "false"]
    elif isinstance(value, list) and test["op"] == "in":
        values = [str(item) for item in value]
    elif isinstance(value, str):
        values = [value]
    else:
        return None
    return Row(str(test["fact"]), str(test["op"]), values, negate)


def from_rule(rule: Any) -> Builder | None:
    """The builder for a stored rule, or None when only JSON can express it."""
    if not isinstance(rule, dict):
        return None
    if rule == {"always": True}:
        return Builder("always", [])
    for mode in ("all", "any"):
        if set(rule) == {mode}:
            items = rule[mode]
            if not isinstance(items, list) or len(items) < 2:
                return None  # a one-item group would save back as a bare test
            rows = [_row_from_test(item) for item in items]
            if any(row is None for row in rows):
                return None
            return Builder(mode, [row for row in rows if row is not None])
    row = _row_from_test(rule)
    return Builder("all", [row]) if row is not None else None


def from_form(form: Mapping[str, Any]) -> Builder:
    """The builder as posted: ``rule_mode`` and ``cond-<n>-fact|op|value|negate`` (blank rows dropped)."""
    mode = form.get("rule_mode", "json")
    builder = Builder(mode if mode in MODES else "json", [])
    getlist = getattr(form, "getlist", lambda key: [form[key]] if key in form else [])
    for number in range(MAX_ROWS + BLANK_ROWS + 5):
        fact = (form.get(f"cond-{number}-fact") or "").strip()
        if not fact:
            continue
        values = [value.strip() for value in getlist(f"cond-{number}-value") if value.strip()]
        builder.rows.append(
            Row(
                fact,
                (form.get(f"cond-{number}-op") or "").strip(),
                values,
                bool(form.get(f"cond-{number}-negate")),
            )
        )
    return builder


def _test(row: Row, number: int) -> dict[str, Any]:
    fact = rule_facts.FACTS.get(row.fact)
    where = _("%(n)d行目：", n=number)
    if fact is None:
        raise RuleError(where + _("項目を選んでください。"))
    if row.op not in rules.OPERATORS[fact.type]:
        raise RuleError(
            where
            + _(
                "「%(label)s」に使える演算子を選んでください（%(ops)s）。",
                label=fact.label,
                ops="、".join(str(OPERATOR_LABELS[op]) for op in rules.OPERATORS[fact.type]),
            )
        )
    if not row.values:
        raise RuleError(where + _("値を選んでください。"))
    value: Any
    if fact.type == "bool":
        if row.values[0] not in ("true", "false"):
            raise RuleError(where + _("値を一覧から選んでください。"))
        value = row.values[0] == "true"
    elif row.op == "in":
        value = list(row.values)
    else:
        if len(row.values) > 1:
            raise RuleError(where + _("値は1つだけ選んでください。"))
        value = row.values[0]
    test: dict[str, Any] = {"fact": row.fact, "op": row.op, "value": value}
    return {"not": test} if row.negate else test


def to_rule(builder: Builder) -> dict[str, Any]:
    """The evaluator's JSON for the builder; a RuleError names the row that is incomplete."""
    if builder.mode == "always":
        return {"always": True}
    if not builder.rows:
        raise RuleError(
            _("条件を1つ以上追加するか、「すべてに適用（条件なし）」を選んでください。")
        )
    if len(builder.rows) > MAX_ROWS:
        raise RuleError(_("条件は%(max)d行までです。", max=MAX_ROWS))
    tests = [_test(row, number) for number, row in enumerate(builder.rows, start=1)]
    if len(tests) == 1:
        return tests[0]
    return {builder.mode: tests}


def in_words(builder: Builder, kind: ArrangementKind | str | None) -> str:
    """The builder's rule in words (「個人情報を取り扱う、かつ、再委託先がある場合」), or why not."""
    if kind is None:
        return ""
    try:
        rule = to_rule(builder)
    except RuleError as error:
        return _("（条件を読み取れません：%(error)s）", error=error.message)
    return rules.describe(rule, kind)


def fact_options(kind: ArrangementKind | str | None) -> list[dict[str, Any]]:
    """Per fact, what the builder offers: its label, type, operators and values (value, label)."""
    facts = (
        rule_facts.facts_available(kind) if kind is not None else list(rule_facts.FACTS.values())
    )
    options = []
    for fact in facts:
        if fact.type == "bool":
            values = [("true", str(fact.when_true)), ("false", str(fact.when_false))]
        else:
            values = (
                [(key, str(label)) for key, label in (fact.choices() or {}).items()]
                if fact.choices
                else []
            )
        options.append(
            {
                "name": fact.name,
                "label": str(fact.label),
                "type": fact.type,
                "ops": [(op, str(OPERATOR_LABELS[op])) for op in rules.OPERATORS[fact.type]],
                "values": values,
            }
        )
    return options
