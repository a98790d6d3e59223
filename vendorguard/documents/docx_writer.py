"""Render a Word template from contract_templates/ with facts and numbered articles (docxtpl).

Why docxtpl: the city keeps the whole layout — letterhead, fonts, margins, the wording around
the placeholders, the signature block — in an ordinary .docx that it edits in Word; the code only
supplies values and the list of articles. The template's Jinja runs in a sandbox with
autoescaping, and the values are data: a clause text like ``{{ config }}`` is printed as written.

Template settings are custom document properties (see contract_templates/build_templates.py):
「日付表記」 (和暦 | 西暦) and 「条番号の数字」 (半角 | 全角).
"""

from __future__ import annotations

import io
import os
import re
import threading
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree

from vendorguard.core.timeutil import wareki
from vendorguard.documents import references

BUILTIN_DIR = Path(__file__).resolve().parent.parent.parent / "contract_templates"
WAREKI, WESTERN = "wareki", "western"
DATE_STYLE_NAMES = {"和暦": WAREKI, "西暦": WESTERN, WAREKI: WAREKI, WESTERN: WESTERN}
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_CUSTOM_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"
# Characters XML 1.0 cannot carry; a pasted clause must not break the document.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_BRACKETS = "（）()「」 　"


class TemplateNotFound(LookupError):
    """No template of that name in the configured folder nor in contract_templates/."""


@dataclass(frozen=True)
class Template:
    """A template file read once: its bytes and its settings."""

    path: Path
    data: bytes
    mtime: float
    settings: dict[str, str]

    @property
    def date_style(self) -> str:
        return DATE_STYLE_NAMES.get(self.settings.get("日付表記", "").strip(), WAREKI)

    @property
    def fullwidth_numbers(self) -> bool:
        return self.settings.get("条番号の数字", "").strip() == "全角"


_cache: dict[Path, Template] = {}
_cache_lock = threading.Lock()


def read_settings(data: bytes) -> dict[str, str]:
    """The custom document properties of a .docx (name -> text)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        try:
            xml = archive.read("docProps/custom.xml")
        except KeyError:
            return {}
    root = etree.fromstring(xml)
    return {
        prop.get("name", ""): "".join(prop.itertext()).strip()
        for prop in root.iter(f"{_CUSTOM_NS}property")
    }


def find_template(name: str, directories: Sequence[str | os.PathLike[str] | None] = ()) -> Template:
    """Load ``name`` from the first folder that has it (configured folders, then the built-in one);
    reread only when the file changed, so a template edited in Word is used at once."""
    if "/" in name or "\\" in name or name.startswith("."):
        raise TemplateNotFound(name)
    for directory in [*directories, BUILTIN_DIR]:
        if not directory:
            continue
        path = Path(directory) / name
        try:
            mtime = path.stat().st_mtime
        except FileNotFoundError:
            continue
        with _cache_lock:
            cached = _cache.get(path)
            if cached is None or cached.mtime != mtime:
                data = path.read_bytes()
                cached = _cache[path] = Template(path, data, mtime, read_settings(data))
        return cached
    raise TemplateNotFound(name)


def resolve_date_style(
    template_name: str,
    date_style: str | None,
    template_dirs: Sequence[str | os.PathLike[str] | None] = (),
) -> str:
    """``wareki`` or ``western``: the one asked for, else the template's 「日付表記」 setting."""
    return (
        DATE_STYLE_NAMES.get(date_style or "", None)
        or find_template(template_name, template_dirs).date_style
    )


def format_date(day: date | None, style: str) -> str:
    """令和8年4月1日 (wareki) or 2026年4月1日 (western); empty for no date."""
    if day is None:
        return ""
    return wareki(day) if style == WAREKI else f"{day.year}年{day.month}月{day.day}日"


def blank_date(style: str) -> str:
    """The date line of a signature block, left for the signing day: 令和　　年　　月　　日."""
    return "令和　　年　　月　　日" if style == WAREKI else "　　　　年　　月　　日"


def period(start: date | None, end: date | None, style: str) -> str:
    """A contract period in words: 令和8年4月1日から令和9年3月31日まで."""
    if start is None and end is None:
        return ""
    if end is None:
        return f"{format_date(start, style)}から"
    if start is None:
        return f"{format_date(end, style)}まで"
    return f"{format_date(start, style)}から{format_date(end, style)}まで"


def clean_text(value: Any) -> str:
    """Text safe for the document: str, no XML-illegal characters, Windows newlines unified."""
    text = "" if value is None else str(value)
    return _XML_ILLEGAL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def article_heading(heading: str) -> str:
    """「秘密の保持」 or 「（秘密の保持）」 both print as （秘密の保持）."""
    core = clean_text(heading).strip(_BRACKETS)
    return f"（{core}）" if core else ""


def _number(value: int, fullwidth: bool) -> str:
    return str(value).translate(FULLWIDTH) if fullwidth else str(value)


# A line that starts with an item marker is a 号 (item) of the paragraph before it: （1）, (2),
# 一　, ア　. Items are indented and carry no paragraph number of their own.
_ITEM = re.compile(
    r"^(?:[（(][0-9０-９一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+[　 ]|[アイウエオカキクケコ][　 ])"
)


def numbered_articles(articles: Iterable[Any], fullwidth: bool = False) -> list[dict[str, Any]]:
    """Number articles 第1条, 第2条 … and their paragraphs 2, 3 … as Japanese contracts do.

    ``articles`` are objects with ``heading`` and ``paragraphs`` (the catalog's Article, or any
    look-alike); ``clause_version_id`` and ``requirement_codes`` are carried into the snapshot.
    """
    result = []
    for index, article in enumerate(articles, start=1):
        label = f"第{_number(index, fullwidth)}条"
        paragraphs: list[dict[str, Any]] = []
        count = 0
        for text in article.paragraphs:
            text = clean_text(text).strip()
            if not text:
                continue
            if _ITEM.match(text) and count:
                paragraphs.append({"label": "", "text": text, "item": True})
                continue
            count += 1
            paragraphs.append(
                {"label": label if count == 1 else _number(count, fullwidth), "text": text}
            )
        result.append(
            {
                "number": index,
                "label": label,
                "heading": article_heading(article.heading),
                "paragraphs": paragraphs,
                "clause_version_id": getattr(article, "clause_version_id", None),
                "requirement_codes": list(getattr(article, "requirement_codes", []) or []),
            }
        )
    return result


def _template_values(facts: Mapping[str, Any], style: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, value in facts.items():
        if isinstance(value, date):
            values[key] = format_date(value, style)
        elif isinstance(value, (list, tuple)):
            values[key] = "\n".join(clean_text(item) for item in value)
        elif isinstance(value, bool):
            values[key] = value
        else:
            values[key] = clean_text(value)
    return values


@dataclass(frozen=True)
class Rendered:
    """A rendered document and what it was rendered with."""

    data: bytes
    date_style: str
    articles: list[dict[str, Any]]
    template: str


class _CompilingOnceEnvironment(SandboxedEnvironment):
    """The sandbox, remembering the templates it compiled from a part's XML.

    docxtpl compiles each part of the .docx into a Jinja template on every render; a document
    made from the same Word template compiles the same XML each time, which was a third of the
    render. Compiled templates are immutable and safe to share between threads.
    """

    _LIMIT = 64  # parts of a few dozen templates; an edited template brings new XML

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._compiled: dict[tuple[str, bool], Any] = {}
        self._compiled_lock = threading.Lock()

    def from_string(self, source, globals=None, template_class=None):
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        key = (source, bool(self.autoescape))
        with self._compiled_lock:
            template = self._compiled.get(key)
        if template is None:
            template = super().from_string(source)
            with self._compiled_lock:
                if len(self._compiled) >= self._LIMIT:
                    self._compiled.clear()
                self._compiled[key] = template
        return template


class _PatchingOnceTemplate(DocxTemplate):
    """docxtpl's template, remembering the cleaned-up XML of each part it has patched before.

    ``patch_xml`` (docxtpl's regular expressions that mend tags Word split across runs) costs
    as much as compiling; its result depends only on the part's XML.
    """

    _patched: dict[str, str] = {}
    _patched_lock = threading.Lock()
    _LIMIT = 64

    def patch_xml(self, src_xml: str) -> str:
        with self._patched_lock:
            patched = self._patched.get(src_xml)
        if patched is None:
            patched = super().patch_xml(src_xml)
            with self._patched_lock:
                if len(self._patched) >= self._LIMIT:
                    self._patched.clear()
                self._patched[src_xml] = patched
        return patched


_ENV = _CompilingOnceEnvironment(autoescape=True)


def render(
    template_name: str,
    facts: Mapping[str, Any],
    articles: Iterable[Any],
    date_style: str | None = None,
    template_dirs: Sequence[str | os.PathLike[str] | None] = (),
) -> Rendered:
    """Render a template to .docx bytes.

    ``facts``: values for the template's placeholders (dates are formatted in the chosen style;
    ``starts_on``/``ends_on`` also give ``period``). ``date_style``: ``wareki`` or ``western``;
    None means the template's 「日付表記」 setting.
    """
    template = find_template(template_name, template_dirs)
    style = DATE_STYLE_NAMES.get(date_style or "", None) or template.date_style
    numbered = references.resolve(
        numbered_articles(articles, template.fullwidth_numbers), template.fullwidth_numbers
    )
    context = _template_values(facts, style)
    context.setdefault("period", period(facts.get("starts_on"), facts.get("ends_on"), style))
    context["blank_date"] = blank_date(style)
    context["articles"] = numbered
    document = _PatchingOnceTemplate(io.BytesIO(template.data))
    document.render(context, jinja_env=_ENV, autoescape=True)
    out = io.BytesIO()
    document.save(out)
    return Rendered(out.getvalue(), style, numbered, template_name)
