"""The columns an ISMAP list is read by: for each, the name reported, the header texts it has been
published with and the words its header may contain (FACTS §2: the layout is not fixed)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any


@dataclass(frozen=True)
class ColumnSpec:
    """A column we look for: the name we report, header texts it may have, and texts it may contain."""

    name: str
    examples: tuple[str, ...]  # whole header texts, as people write them
    contains: tuple[str, ...]
    required: bool = False

    @cached_property
    def exact(self) -> frozenset[str]:
        return frozenset(normalise_header(text) for text in self.examples)


COLUMNS: dict[str, ColumnSpec] = {
    "number": ColumnSpec(
        "登録番号", ("登録番号", "ISMAP登録番号", "登録No.", "登録No"), ("登録番号",), True
    ),
    "service": ColumnSpec(
        "サービス名称",
        (
            "サービス名称",
            "クラウドサービス名",
            "サービス名",
            "クラウドサービス名称",
            "クラウドサービスの名称",
            "サービスの名称",
        ),
        ("サービス名", "サービスの名称"),
        True,
    ),
    "provider": ColumnSpec(
        "事業者名",
        (
            "事業者名",
            "クラウドサービス事業者名",
            "申請者",
            "申請者名",
            "クラウドサービス事業者",
            "事業者",
            "提供事業者名",
            "提供者",
        ),
        ("事業者名", "事業者", "申請者"),
        True,
    ),
    "registered_on": ColumnSpec(
        "登録日", ("登録日", "登録年月日", "登録日付", "初回登録日"), ("登録日", "登録年月日")
    ),
    # The basic rules (3.5) speak of 「監査の対象期間」; lists have printed it with and without 「の」,
    # as 「外部監査…」, and split into start / end columns under one heading.
    "audit_period": ColumnSpec(
        "監査対象期間",
        (
            "監査対象期間",
            "監査の対象期間",
            "監査期間",
            "対象期間",
            "外部監査対象期間",
            "外部監査の対象期間",
            "監査対象期間(終了日)",
            "監査対象期間終了日",
            "監査の対象期間の末日",
        ),
        ("監査対象期間", "監査の対象期間", "監査期間"),
    ),
    "valid_until": ColumnSpec(
        "有効期限",
        (
            "有効期限",
            "有効期間",
            "登録有効期限",
            "登録の有効期限",
            "有効期限日",
            "登録の有効期間",
            "有効期間満了日",
        ),
        ("有効期限", "有効期間"),
    ),
    "remarks": ColumnSpec("備考", ("備考", "備考欄", "特記事項"), ("備考",)),
}
REQUIRED = tuple(key for key, spec in COLUMNS.items() if spec.required)
PERIOD_FIELDS = ("audit_period", "valid_until")


def normalise_header(value: Any) -> str:
    """A header cell as compared: NFKC, no white space, case folded."""
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    return re.sub(r"\s+", "", text).casefold()


def map_header(cells: Iterable[Any]) -> dict[str, int]:
    """Column key -> index for one candidate header row (exact texts first, then contained texts)."""
    texts = [normalise_header(cell) for cell in cells]
    mapping: dict[str, int] = {}
    used: set[int] = set()
    for exact in (True, False):
        for key, spec in COLUMNS.items():
            if key in mapping:
                continue
            for index, text in enumerate(texts):
                if not text or index in used:
                    continue
                if (text in spec.exact) if exact else any(part in text for part in spec.contains):
                    mapping[key] = index
                    used.add(index)
                    break
    return mapping
