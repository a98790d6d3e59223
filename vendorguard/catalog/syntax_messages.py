"""Jinja's English syntax errors said in plain Japanese for the person editing a clause body."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from jinja2 import TemplateSyntaxError

_BLOCK_ENDS = {"if": "{% endif %}", "for": "{% endfor %}"}


def _innermost(message: str) -> str | None:
    found = re.search(r"innermost block that needs to be closed is '(\w+)'", message)
    return found.group(1) if found else None


def _explain(message: str) -> str:
    """What went wrong, without the template engine's vocabulary (gettext without arguments does
    not %-format, so a literal % is written once there and twice where arguments follow)."""
    block = _innermost(message)
    unknown = re.match(r"Encountered unknown tag '(\w+)'", message)
    if message.startswith("Unexpected end of template") and block:
        return _(
            "「%(start)s」に対応する「%(end)s」がありません",
            start="{% " + block + " … %}",
            end=_BLOCK_ENDS.get(block, "{% end" + block + " %}"),
        )
    if unknown and block:
        return _(
            "「%(tag)s」の位置が正しくありません（先に「%(end)s」で閉じてください）",
            tag="{% " + unknown.group(1) + " %}",
            end=_BLOCK_ENDS.get(block, "{% end" + block + " %}"),
        )
    if unknown:
        name = unknown.group(1)
        if name.startswith("end") or name in ("else", "elif"):
            return _("「%(tag)s」に対応する始まりの命令がありません", tag="{% " + name + " %}")
        return _("「%(tag)s」という命令は使えません（使えるのは if と for です）", tag=name)
    if "end of print statement" in message and message.startswith("unexpected end of template"):
        return _("「{{」に対応する「}}」がありません")
    if message.startswith("unexpected end of template"):
        return _("「{%」に対応する「%}」がありません")
    if message.startswith("Expected an expression"):
        return _("「{{ }}」や「{% %}」の中に差し込み項目や条件が書かれていません")
    got = re.match(r"expected token '[^']+', got '([^']+)'", message)
    if got:
        return _(
            "差し込み項目の後に余分な語「%(word)s」があります（項目名に空白は入りません）",
            word=got.group(1),
        )
    if message.startswith("unexpected char"):
        return _("閉じていない引用符（' や \"）があります")
    if message.startswith("unexpected '"):
        return _("括弧や「}}」「%}」の対応が取れていません")
    return _("「{{ }}」「{% %}」の書き方を確認してください")


def syntax_message(error: TemplateSyntaxError) -> str:
    """E.g. 「3行目：「{% if … %}」に対応する「{% endif %}」がありません。」"""
    return _(
        "%(line)d行目：差し込みの書き方に誤りがあります。%(reason)s。",
        line=error.lineno or 1,
        reason=_explain(error.message or ""),
    )
