"""A document lint: what a legal officer would send back, checked on the generated .docx itself.

``lint_docx(data, city_name)`` reads the document as Word holds it (body paragraphs with their
styles, the tables, the header) and returns the problems found, in Japanese, empty when none:

- template syntax left over (``{{``, ``{%``) or a reference that found no article;
- a defined term (「以下「X」という。」) defined twice, or its undefined twin used (「この契約」
  beside 「本契約」), or two words for the permission to subcontract (承諾 and 許諾);
- a 第N条 (第M項) that points at no article (paragraph) of the document;
- an empty cell next to a label in the cover table or the signature block;
- another city than ``city_name`` named as a party (cover table, signature block, preamble, header);
- 「次のとおり」/「次に掲げる」 in an article not followed by numbered items.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from docx import Document

from vendorguard.documents.references import MISSING

ARTICLE_STYLES = ("条文", "条文号")
_DEFINITION = re.compile(r"以下(?:単に)?「([^」]+)」という")
# Terms whose bare demonstrative form must not appear once 「本…」 is defined.
_TWINS = {
    "本契約": "この契約",
    "本特記事項": "この特記事項",
    "本手順": "この手順",
    "本業務": "この業務",
}
_ARTICLE_LABEL = re.compile(r"^第([0-9０-９]+)条")
# 第N条 not part of a law's own citation (番号法第10条, 同法第…, 法律第57号 is 号 anyway).
_REFERENCE = re.compile(r"(?<![法令則])第([0-9０-９]+)条(?:第([0-9０-９]+)項)?")
_ANNOUNCES = re.compile(r"次のとおり|次に掲げる")
_ITEM = re.compile(r"^[（(][0-9０-９一二三四五六七八九十]+[)）]")
_PARTY = re.compile(r"^(.+?)（以下「発注者」という。）")
_TEMPLATE_SYNTAX = ("{{", "}}", "{%", "%}", "[[", "]]")
_TO_HALF = str.maketrans("０１２３４５６７８９", "0123456789")


@dataclass(frozen=True)
class Problem:
    """One finding: what kind, and the text it was found in."""

    kind: str
    message: str

    def __str__(self) -> str:
        return f"[{self.kind}] {self.message}"


def _int(text: str) -> int:
    return int(text.translate(_TO_HALF))


def lint_docx(data: bytes, city_name: str) -> list[Problem]:
    """Every problem found in a generated document (see the module's docstring)."""
    document = Document(io.BytesIO(data))
    # A paragraph without a style of its own reads as unstyled body text.
    paragraphs = [(p.style.name if p.style else "", p.text) for p in document.paragraphs]
    tables = [[[cell.text for cell in row.cells] for row in t.rows] for t in document.tables]
    header = " ".join(
        p.text for section in document.sections for p in section.header.paragraphs
    ).strip()
    everything = [text for _, text in paragraphs] + [
        cell for table in tables for row in table for cell in row
    ]
    everything.append(header)
    problems: list[Problem] = []
    problems += _template_left(everything)
    problems += _terms(paragraphs)
    problems += _references(paragraphs)
    problems += _blanks(tables)
    problems += _city(paragraphs, tables, header, city_name)
    problems += _announced_items(paragraphs)
    return problems


def _template_left(texts: list[str]) -> list[Problem]:
    found = []
    missing_marker = MISSING.split("{")[0]
    for text in texts:
        if any(mark in text for mark in _TEMPLATE_SYNTAX):
            found.append(Problem("template", f"差し込みの書式が残っています：{text[:80]}"))
        if missing_marker in text:
            found.append(Problem("reference", f"参照先の条がありません：{text[:80]}"))
    return found


def _terms(paragraphs: list[tuple[str, str]]) -> list[Problem]:
    found = []
    text = "\n".join(t for _, t in paragraphs)
    defined: dict[str, int] = {}
    for match in _DEFINITION.finditer(text):
        defined[match[1]] = defined.get(match[1], 0) + 1
    for term, count in defined.items():
        if count > 1:
            found.append(Problem("term", f"「{term}」が{count}回定義されています。"))
    for term, twin in _TWINS.items():
        if term in defined and twin in text:
            found.append(Problem("term", f"「{term}」と定義したのに「{twin}」が使われています。"))
    for _style, paragraph in paragraphs:
        for sentence in re.split(r"(?<=。)", paragraph):
            if "再委託" in sentence and "承諾" in sentence and "許諾" not in sentence:
                found.append(
                    Problem("term", f"再委託の許可に「承諾」が使われています：{sentence[:60]}")
                )
    return found


def _articles(paragraphs: list[tuple[str, str]]) -> dict[int, int]:
    """Article number -> its number of paragraphs (項)."""
    counts: dict[int, int] = {}
    current = None
    for style, text in paragraphs:
        if style != "条文":
            continue
        label = _ARTICLE_LABEL.match(text)
        if label:
            current = _int(label[1])
            counts[current] = 1
        elif current is not None:
            counts[current] += 1
    return counts


def _references(paragraphs: list[tuple[str, str]]) -> list[Problem]:
    articles = _articles(paragraphs)
    found = []
    for style, text in paragraphs:
        if style not in ARTICLE_STYLES:
            continue
        body = _ARTICLE_LABEL.sub("", text, count=1)
        for match in _REFERENCE.finditer(body):
            number = _int(match[1])
            if number not in articles:
                found.append(Problem("reference", f"第{number}条がありません：{text[:60]}"))
            elif match[2] and _int(match[2]) > articles[number]:
                found.append(
                    Problem(
                        "reference", f"第{number}条第{_int(match[2])}項がありません：{text[:60]}"
                    )
                )
    return found


def _blanks(tables: list[list[list[str]]]) -> list[Problem]:
    found = []
    for table in tables:
        for row in table:
            # The cell right after the last label is the value; 印 columns are marks, not values.
            if len(row) == 2:
                label, value = row
            elif len(row) >= 3:
                label, value = row[1], row[2]
            else:
                continue
            if label.strip() and not value.strip():
                found.append(
                    Problem("blank", f"「{label}」の欄が空欄です（記入欄なら表示が必要）。")
                )
    return found


def _city(paragraphs, tables, header: str, city_name: str) -> list[Problem]:
    found = []
    named: list[str] = []
    for table in tables:
        party = None
        for row in table:
            if len(row) == 2 and row[0] == "発注者":
                named.append(row[1])
            if len(row) >= 3:
                party = row[0] or party
                if party == "発注者" and row[1] == "名称":
                    named.append(row[2])
    for _style, text in paragraphs:
        match = _PARTY.match(text)
        if match:
            named.append(match[1])
    # 「みほん市　広報課」: the SNS procedure's and the use record's header name the city first.
    if "　" in header and not header.startswith("契約番号"):
        first = header.split("　")[0]
        if first.endswith(("市", "町", "村", "区")):
            named.append(first)
    for name in named:
        if name.strip() != city_name:
            found.append(
                Problem("city", f"別の団体名が印字されています：「{name}」（{city_name}）")
            )
    return found


def _announced_items(paragraphs: list[tuple[str, str]]) -> list[Problem]:
    found = []
    for index, (style, text) in enumerate(paragraphs):
        if style != "条文" or not _ANNOUNCES.search(text):
            continue
        following = paragraphs[index + 1] if index + 1 < len(paragraphs) else ("", "")
        if not (following[0] == "条文号" or _ITEM.match(following[1])):
            found.append(
                Problem("items", f"「次のとおり」の後に号（（1）…）がありません：{text[:60]}")
            )
    return found
