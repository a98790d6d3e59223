"""Article-by-article comparison of two document versions, from their JSON snapshots."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

ADDED, REMOVED, CHANGED, UNCHANGED = "added", "removed", "changed", "unchanged"


@dataclass(frozen=True)
class Segment:
    """A run of characters: ``equal``, ``insert`` (only in the new text) or ``delete``."""

    op: str
    text: str


@dataclass(frozen=True)
class ParagraphChange:
    """One paragraph: ``equal``, ``insert``, ``delete`` or ``replace`` (with character segments)."""

    op: str
    old: str = ""
    new: str = ""
    segments: tuple[Segment, ...] = ()


@dataclass(frozen=True)
class ArticleChange:
    """How one article differs between versions."""

    status: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    paragraphs: tuple[ParagraphChange, ...] = ()
    unified: tuple[str, ...] = field(default=())

    @property
    def heading(self) -> str:
        return (self.new or self.old or {}).get("heading", "")

    @property
    def heading_changed(self) -> bool:
        return bool(self.old and self.new and self.old.get("heading") != self.new.get("heading"))

    @property
    def old_label(self) -> str:
        return self.old.get("label") or f"第{self.old['number']}条" if self.old else ""

    @property
    def new_label(self) -> str:
        return self.new.get("label") or f"第{self.new['number']}条" if self.new else ""

    @property
    def renumbered(self) -> bool:
        return bool(self.old and self.new and self.old.get("number") != self.new.get("number"))


def _texts(article: dict[str, Any]) -> list[str]:
    return [p["text"] if isinstance(p, dict) else str(p) for p in article.get("paragraphs", [])]


def _lines(article: dict[str, Any]) -> list[str]:
    labelled = [
        f"{p.get('label', '')}　{p.get('text', '')}" if isinstance(p, dict) else str(p)
        for p in article.get("paragraphs", [])
    ]
    return [article.get("heading", "")] + labelled


def _match(old: Sequence[dict], new: Sequence[dict]) -> dict[int, int]:
    """new index -> old index. By the same clause version first, then the same heading, then the
    same requirement codes: a clause edit keeps its heading, a retitled clause its requirements."""
    pairs: dict[int, int] = {}
    used: set[int] = set()
    keys = (
        lambda a: a.get("clause_version_id"),
        lambda a: a.get("heading") or None,
        lambda a: tuple(sorted(a.get("requirement_codes") or ())) or None,
    )
    for key in keys:
        index: dict[Any, list[int]] = {}
        for i, article in enumerate(old):
            if i not in used and key(article) is not None:
                index.setdefault(key(article), []).append(i)
        for j, article in enumerate(new):
            if j in pairs or key(article) is None:
                continue
            candidates = [i for i in index.get(key(article), []) if i not in used]
            if candidates:
                pairs[j] = candidates[0]
                used.add(candidates[0])
    return pairs


def _segments(old: str, new: str) -> tuple[Segment, ...]:
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    segments: list[Segment] = []
    opcodes = matcher.get_opcodes()
    for n, (op, i1, i2, j1, j2) in enumerate(opcodes):
        # A single shared character between two changes reads as noise in Japanese: fold it in.
        if op == "equal" and i2 - i1 == 1 and 0 < n < len(opcodes) - 1:
            segments += [Segment("delete", old[i1:i2]), Segment("insert", new[j1:j2])]
            continue
        if op == "equal":
            segments.append(Segment("equal", old[i1:i2]))
        if op in ("delete", "replace"):
            segments.append(Segment("delete", old[i1:i2]))
        if op in ("insert", "replace"):
            segments.append(Segment("insert", new[j1:j2]))
    # Put each changed stretch as "all deletions, then all insertions" for easy reading.
    merged: list[Segment] = []
    pending = {"delete": "", "insert": ""}
    for segment in segments + [Segment("equal", "")]:
        if segment.op == "equal":
            merged += [Segment(op, text) for op, text in pending.items() if text]
            pending = {"delete": "", "insert": ""}
            if segment.text:
                merged.append(segment)
        else:
            pending[segment.op] += segment.text
    return tuple(merged)


def _paragraphs(old: list[str], new: list[str]) -> tuple[ParagraphChange, ...]:
    changes: list[ParagraphChange] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            changes += [ParagraphChange("equal", text, text) for text in old[i1:i2]]
            continue
        olds, news = old[i1:i2], new[j1:j2]
        for k in range(max(len(olds), len(news))):
            if k < len(olds) and k < len(news):
                changes.append(
                    ParagraphChange("replace", olds[k], news[k], _segments(olds[k], news[k]))
                )
            elif k < len(olds):
                changes.append(ParagraphChange("delete", olds[k], ""))
            else:
                changes.append(ParagraphChange("insert", "", news[k]))
    return tuple(changes)


def _added(new: dict[str, Any]) -> ArticleChange:
    return ArticleChange(
        ADDED,
        None,
        new,
        tuple(ParagraphChange("insert", "", t) for t in _texts(new)),
        tuple(difflib.unified_diff([], _lines(new), lineterm="")),
    )


def _removed(old: dict[str, Any]) -> ArticleChange:
    return ArticleChange(
        REMOVED,
        old,
        None,
        tuple(ParagraphChange("delete", t, "") for t in _texts(old)),
        tuple(difflib.unified_diff(_lines(old), [], lineterm="")),
    )


def _change(old: dict[str, Any], new: dict[str, Any]) -> ArticleChange:
    same = old.get("heading") == new.get("heading") and _texts(old) == _texts(new)
    unified = (
        ()
        if same
        else tuple(
            difflib.unified_diff(
                _lines(old),
                _lines(new),
                fromfile=f"第{old['number']}条",
                tofile=f"第{new['number']}条",
                lineterm="",
            )
        )
    )
    return ArticleChange(
        UNCHANGED if same else CHANGED, old, new, _paragraphs(_texts(old), _texts(new)), unified
    )


def diff_articles(
    old: Sequence[dict[str, Any]], new: Sequence[dict[str, Any]]
) -> list[ArticleChange]:
    """Compare two article snapshots; removed articles appear where they used to stand."""
    pairs = _match(old, new)
    matched_old = set(pairs.values())
    result: list[ArticleChange] = []
    emitted: set[int] = set()

    def flush_removed(upto: int) -> None:
        for i in range(upto):
            if i not in matched_old and i not in emitted:
                emitted.add(i)
                result.append(_removed(old[i]))

    for j, article in enumerate(new):
        if j in pairs:
            flush_removed(pairs[j])
            result.append(_change(old[pairs[j]], article))
        else:
            result.append(_added(article))
    flush_removed(len(old))
    return result
