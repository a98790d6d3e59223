"""Cross-references between articles: ``[[OUT-09]]`` in a clause text becomes 「第11条」.

A clause names the requirement the target article covers (``[[OUT-09]]``, or ``[[OUT-10#2]]`` for
its second paragraph), never a number: numbers are only known once the document's articles are
assembled, and they move when an article is added or removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

REFERENCE = re.compile(r"\[\[([A-Za-z]+-[0-9]+)(?:#([0-9]+))?\]\]")
# What an unresolvable reference prints: visible on paper, and the document lint refuses it.
MISSING = "（参照先の条なし：{code}）"
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def targets(articles: Iterable[dict[str, Any]]) -> dict[str, str]:
    """Requirement code -> the label (第N条) of the first article that covers it."""
    found: dict[str, str] = {}
    for article in articles:
        for code in article.get("requirement_codes") or ():
            found.setdefault(code.upper(), article["label"])
    return found


def resolve_text(text: str, labels: dict[str, str], fullwidth: bool = False) -> str:
    """``text`` with every reference replaced by its article (and paragraph) number."""

    def replace(match: re.Match) -> str:
        label = labels.get(match[1].upper())
        if label is None:
            return MISSING.format(code=match[1].upper())
        if match[2]:
            number = match[2].translate(FULLWIDTH) if fullwidth else match[2]
            return f"{label}第{number}項"
        return label

    return REFERENCE.sub(replace, text)


def resolve(articles: list[dict[str, Any]], fullwidth: bool = False) -> list[dict[str, Any]]:
    """Resolve the references in numbered articles (changes and returns them)."""
    labels = targets(articles)
    for article in articles:
        for paragraph in article["paragraphs"]:
            paragraph["text"] = resolve_text(paragraph["text"], labels, fullwidth)
    return articles
