"""Applicability rules: JSON data over an arrangement's facts, validated, evaluated and put into words.

A rule is one of::

    {"always": true}
    {"all": [rule, ...]}          every sub-rule holds
    {"any": [rule, ...]}          at least one holds
    {"not": rule}
    {"fact": "handles_my_number", "op": "is", "value": true}
    {"fact": "segments", "op": "contains", "value": "my_number"}
    {"fact": "terms_type", "op": "eq", "value": "standard_terms"}

The facts a rule may test, and their values for one arrangement (``facts_for``), are in
``rule_facts``; they arrive here as a plain dict, and nothing here evaluates code.
"""

from __future__ import annotations

import json
from typing import Any

from flask_babel import gettext as _

from vendorguard.arrangements.kinds import kind_label
from vendorguard.arrangements.models import ArrangementKind
from vendorguard.catalog.rule_facts import FACTS, Fact, facts_available
from vendorguard.core.errors import DomainError

MAX_DEPTH = 8
OPERATORS = {"bool": ("is",), "choice": ("eq", "ne", "in"), "list": ("contains",)}


class RuleError(DomainError):
    """A rule that cannot be used; the message says where and why, in Japanese."""

    def __init__(self, message: str):
        super().__init__(message, field="rule")


# -- reading and checking -------------------------------------------------------------------------


def parse_rule(text: str) -> dict[str, Any]:
    """Read a rule typed as JSON; the error says on which line JSON broke."""
    try:
        rule = json.loads(text)
    except json.JSONDecodeError as error:
        raise RuleError(
            _(
                "JSONとして読めません（%(line)d行目%(col)d文字目：%(msg)s）。",
                line=error.lineno,
                col=error.colno,
                msg=error.msg,
            )
        ) from None
    if not isinstance(rule, dict):
        raise RuleError(_("条件はJSONのオブジェクト（{ … }）で書いてください。"))
    return rule


def _where(path: list[str]) -> str:
    return " › ".join(path) + "：" if path else ""


def validate_rule(rule: Any, kind: ArrangementKind | str, _path: list[str] | None = None) -> None:
    """Refuse a rule with unknown keys, facts, operators or values for this kind of arrangement."""
    path = _path or []
    kind = str(kind)
    where = _where(path)
    if len(path) > MAX_DEPTH:
        raise RuleError(
            _("%(where)s条件の入れ子が深すぎます（%(max)d段まで）。", where=where, max=MAX_DEPTH)
        )
    if not isinstance(rule, dict):
        raise RuleError(
            _("%(where)s条件はJSONのオブジェクト（{ … }）で書いてください。", where=where)
        )
    keys = set(rule)
    if keys == {"always"}:
        if rule["always"] is not True:
            raise RuleError(_('%(where)s"always" の値は true だけです。', where=where))
        return
    if keys in ({"all"}, {"any"}):
        key = next(iter(keys))
        items = rule[key]
        if not isinstance(items, list) or not items:
            raise RuleError(
                _(
                    '%(where)s"%(key)s" には条件を1つ以上並べたリスト（[ … ]）を書いてください。',
                    where=where,
                    key=key,
                )
            )
        for number, item in enumerate(items, start=1):
            validate_rule(item, kind, path + [_("%(key)sの%(n)d番目", key=key, n=number)])
        return
    if keys == {"not"}:
        validate_rule(rule["not"], kind, path + ["not"])
        return
    if keys == {"fact", "op", "value"}:
        _validate_test(rule, kind, where)
        return
    raise RuleError(
        _(
            '%(where)s条件には "all"、"any"、"not"、"always"、または "fact"・"op"・"value" の組を使ってください'
            "（書かれていたキー：%(keys)s）。",
            where=where,
            keys=", ".join(sorted(map(str, keys))) or _("なし"),
        )
    )


def _validate_test(rule: dict[str, Any], kind: str, where: str) -> None:
    name, op, value = rule["fact"], rule["op"], rule["value"]
    fact = FACTS.get(name) if isinstance(name, str) else None
    if fact is None:
        raise RuleError(
            _(
                "%(where)s不明な項目「%(fact)s」です。使える項目：%(names)s",
                where=where,
                fact=name,
                names=", ".join(f.name for f in facts_available(kind)),
            )
        )
    if kind not in fact.kinds:
        raise RuleError(
            _(
                "%(where)s項目「%(fact)s」は%(kind)sの条件には使えません。",
                where=where,
                fact=name,
                kind=kind_label(kind),
            )
        )
    if op not in OPERATORS[fact.type]:
        raise RuleError(
            _(
                "%(where)s項目「%(fact)s」に演算子「%(op)s」は使えません。使える演算子：%(ops)s",
                where=where,
                fact=name,
                op=op,
                ops=", ".join(OPERATORS[fact.type]),
            )
        )
    if fact.type == "bool":
        if not isinstance(value, bool):
            raise RuleError(
                _(
                    "%(where)s項目「%(fact)s」の値は true か false で書いてください。",
                    where=where,
                    fact=name,
                )
            )
        return
    choices = fact.choices() if fact.choices else {}
    values = value if op == "in" else [value]
    if op == "in" and (not isinstance(value, list) or not value):
        raise RuleError(
            _(
                "%(where)s演算子「in」の値は候補を並べたリスト（[ … ]）で書いてください。",
                where=where,
            )
        )
    for item in values:
        if not isinstance(item, str) or item not in choices:
            raise RuleError(
                _(
                    "%(where)s項目「%(fact)s」の値「%(value)s」は使えません。使える値：%(values)s",
                    where=where,
                    fact=name,
                    value=item,
                    values=", ".join(choices),
                )
            )


# -- evaluating -----------------------------------------------------------------------------------


def evaluate(rule: dict[str, Any], facts: dict[str, Any]) -> bool:
    """Whether a (validated) rule holds for these facts."""
    if "always" in rule:
        return bool(rule["always"])
    if "all" in rule:
        return all(evaluate(item, facts) for item in rule["all"])
    if "any" in rule:
        return any(evaluate(item, facts) for item in rule["any"])
    if "not" in rule:
        return not evaluate(rule["not"], facts)
    name, op = rule.get("fact"), rule.get("op")
    value: Any = rule.get("value")  # JSON as validated: a list for "in", else a scalar
    if name not in facts:
        raise RuleError(_("項目「%(fact)s」はこの案件では判定できません。", fact=name))
    actual = facts[name]
    if op == "is":
        return bool(actual) is value
    if op == "eq":
        return actual == value
    if op == "ne":
        return actual != value
    if op == "in":
        return actual in value
    if op == "contains":
        return value in (actual or [])
    raise RuleError(_("演算子「%(op)s」は使えません。", op=op))


# -- in words -------------------------------------------------------------------------------------


def _value_label(fact: Fact, value: str) -> str:
    choices = fact.choices() if fact.choices else {}
    return str(choices.get(value, value))


def _condition(rule: dict[str, Any]) -> str:
    """The condition as a phrase without 「場合」, for use inside a larger sentence."""
    if "always" in rule:
        return _("常に")
    if "all" in rule:
        return "（" + _("、かつ、").join(_condition(item) for item in rule["all"]) + "）"
    if "any" in rule:
        return "（" + _("、又は、").join(_condition(item) for item in rule["any"]) + "）"
    if "not" in rule:
        inner = rule["not"]
        if "fact" in inner and inner.get("op") == "is":
            return _condition({**inner, "value": not inner["value"]})
        return _("%(condition)sに該当しない", condition=_condition(inner))
    fact = FACTS[rule["fact"]]
    op, value = rule["op"], rule["value"]
    if op == "is":
        return str(fact.when_true if value else fact.when_false)
    if op == "eq":
        return _(
            "%(label)sが「%(value)s」である", label=fact.label, value=_value_label(fact, value)
        )
    if op == "ne":
        return _(
            "%(label)sが「%(value)s」でない", label=fact.label, value=_value_label(fact, value)
        )
    if op == "in":
        return _(
            "%(label)sが%(values)sのいずれかである",
            label=fact.label,
            values="".join(f"「{_value_label(fact, item)}」" for item in value),
        )
    return _("%(label)sに「%(value)s」を含む", label=fact.label, value=_value_label(fact, value))


def describe(rule: dict[str, Any], kind: ArrangementKind | str) -> str:
    """The rule as a Japanese sentence, e.g. 「マイナンバー（特定個人情報）を取り扱う場合」."""
    try:
        validate_rule(rule, kind)
    except RuleError as error:
        return _("（条件を読み取れません：%(error)s）", error=error.message)
    if "always" in rule:
        return _("すべての%(kind)sに適用", kind=kind_label(kind))
    for key, lead in (
        ("all", _("次のすべてに該当する場合：")),
        ("any", _("次のいずれかに該当する場合：")),
    ):
        if key in rule:
            return lead + _("、").join(_condition(item) for item in rule[key])
    return _("%(condition)s場合", condition=_condition(rule))
