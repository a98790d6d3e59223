"""The file types uploads may be, told from their content: magic numbers, text checks, names.

What is accepted and refused, and why, is written once in ``filecheck`` (the entry point,
``check``). ZIP containers are checked by ``archives``, which this module never imports:
``detect`` is handed the container check, so the two do not import each other.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from flask import current_app
from flask_babel import gettext as _

from config import Settings
from vendorguard.core.errors import DomainError
from vendorguard.storage.base import Readable

HEAD_SIZE = 8192  # bytes the type is decided from; uploads peek this much before storing
MB = 1024 * 1024
MAX_FILENAME_LENGTH = 200
_CHUNK = MB


class FileRefused(DomainError):
    """The file is not one we accept; ``message`` says why, in Japanese, for the user."""


@dataclass(frozen=True)
class DetectedType:
    """What the content turned out to be."""

    kind: str  # pdf, docx, xlsx, pptx, png, jpeg, text, zip
    content_type: str  # recorded with the file and sent on download

    @property
    def label(self) -> str:
        """The kind in words, for messages (「PNG画像」)."""
        return _KIND_LABELS[self.kind]()


@dataclass(frozen=True)
class Limits:
    """Bounds for archives (ZIP uploads and the ZIP container of Office files)."""

    max_expanded: int = 500 * MB
    max_members: int = 1000
    max_ratio: int = 100

    @classmethod
    def from_config(cls, config=None) -> Limits:
        """The limits set in the app configuration (EVIDENCE_ZIP_*), defaults otherwise."""
        if config is None:
            config = current_app.config if current_app else {}
        settings = Settings.from_config(config)
        return cls(
            max_expanded=settings.evidence_zip_max_expanded,
            max_members=settings.evidence_zip_max_members,
            max_ratio=settings.evidence_zip_max_ratio,
        )


_KIND_LABELS = {
    "pdf": lambda: "PDF",
    "docx": lambda: _("Word文書"),
    "xlsx": lambda: _("Excelブック"),
    "pptx": lambda: _("PowerPointプレゼンテーション"),
    "png": lambda: _("PNG画像"),
    "jpeg": lambda: _("JPEG画像"),
    "text": lambda: _("テキスト"),
    "zip": lambda: "ZIP",
}
_EXECUTABLE_MAGIC = (
    b"MZ",
    b"\x7fELF",
    b"\xfe\xed\xfa",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"#!",
    b"\x00asm",
    b"dex\n",
)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_ZIP_MAGIC = b"PK\x03\x04"
_EMPTY_ZIP_MAGIC = b"PK\x05\x06"
# Bytes that never occur in text we accept (tab, LF, VT, FF, CR and DOS EOF 0x1a are fine).
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x19\x1b-\x1f\x7f]")
_MARKUP = re.compile(
    rb"<\s*(?:script|html|svg|!doctype|iframe|body|head|object|embed|\?xml|\?php)"
    rb"|javascript:",
    re.IGNORECASE,
)
_MARKUP_TAIL = 32  # bytes kept between chunks so a tag split across two chunks is still seen

# Programs, scripts and shortcuts Windows runs or follows when opened: refused anywhere, also
# inside a ZIP or an Office file.
EXECUTABLE_EXTENSIONS = frozenset(
    """
    exe dll com scr bat cmd ps1 ps1xml ps2 ps2xml psc1 psc2 psd1 psm1 msh msh1 msh2 mshxml msh1xml
    msh2xml vb vbs vbe js jse mjs ws wsc wsf wsh hta sct shb shs msi msp mst msu msix msixbundle
    appx appxbundle application appref-ms gadget lnk jar jnlp sh bash csh ksh zsh py pyw pl rb php
    cgi asp aspx jsp cpl pif reg url inf scf msc settingcontent-ms library-ms searchconnector-ms
    website desktop diagcab xbap xll apk dmg app elf so dylib bin run ins isp hlp chm nsh
""".split()
)
DANGEROUS_EXTENSIONS = EXECUTABLE_EXTENSIONS | frozenset(
    """
    iso img vhd vhdx one onepkg cab swf html htm xhtml shtml mht mhtml svg svgz xml xsl xslt
    docm dotm xlsm xltm xlam xla xlsb ppsm pptm potm ppam ppa sldm
    iqy dqy oqy rqy slk sylk dif prn mdb mde accdb accde accdr adp ade mda mam maf mdz rdp theme
    themepack
""".split()
)
# Bidirectional formatting characters reorder what a person reads ("fdp.exe" shows as "exe.pdf").
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
# A known extension must name the detected kind (images among themselves are lenient).
FAMILIES = {
    "pdf": {"pdf"},
    "png": {"png", "jpeg"},
    "jpg": {"png", "jpeg"},
    "jpeg": {"png", "jpeg"},
    "jpe": {"png", "jpeg"},
    "docx": {"docx"},
    "dotx": {"docx"},
    "xlsx": {"xlsx"},
    "xltx": {"xlsx"},
    "pptx": {"pptx"},
    "ppsx": {"pptx"},
    "potx": {"pptx"},
    "csv": {"text"},
    "txt": {"text"},
    "tsv": {"text"},
    "zip": {"zip"},
}


def allowed_types_message() -> str:
    """The sentence naming what is accepted, appended to refusals."""
    return _(
        "受け付けるのは PDF、Word・Excel・PowerPoint（マクロなし）、PNG・JPEG画像、"
        "CSV・テキスト、ZIP（中のファイルも同じ条件）です。"
    )


def _rename_advice() -> str:
    return _("ファイル名を変えてから送信してください。")


def clean_filename(raw: str | None) -> str:
    """The name to display and check: NFC, without folders, invisible characters, trailing dots
    or spaces; refused rather than changed when it hides something.

    Refused: NUL and other control characters, bidirectional overrides (U+202E shows "fdp.exe" as
    "exe.pdf"), backslash paths and ``..`` segments (a crafted request, never a browser), and names
    longer than 200 characters (cutting one could cut off what it really is). The result is only
    ever shown, never used as a storage path.
    """
    raw = raw or ""
    if "\x00" in raw:
        raise FileRefused(_("ファイル名に使えない文字（NUL）が含まれています。") + _rename_advice())
    name = unicodedata.normalize("NFC", raw)
    if any(segment.strip() == ".." for segment in re.split(r"[\\/]", name)):
        raise FileRefused(
            _("ファイル名にフォルダをさかのぼる指定（../）が含まれています。") + _rename_advice()
        )
    if "\\" in name:
        raise FileRefused(
            _("ファイル名に「\\」（フォルダの区切り）が含まれています。") + _rename_advice()
        )
    if any(ch in _BIDI_CONTROLS for ch in name):
        raise FileRefused(
            _("ファイル名に文字の並び順を変える制御文字が含まれています。") + _rename_advice()
        )
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        raise FileRefused(
            _("ファイル名に使えない制御文字（タブ・改行など）が含まれています。") + _rename_advice()
        )
    # A browser uploading a folder sends "folder/sub/name.pdf": the name is the last segment.
    name = name.rsplit("/", 1)[-1]
    # Zero-width and other invisible format characters would only hide the real extension.
    name = "".join(ch for ch in name if unicodedata.category(ch) != "Cf")
    # Windows drops trailing dots and spaces: "report.hta." is saved (and run) as "report.hta".
    name = name.strip().rstrip(". ")
    if name == "":
        raise FileRefused(_("ファイル名がありません。ファイル名を付けてから送信してください。"))
    if len(name) > MAX_FILENAME_LENGTH:
        raise FileRefused(
            _(
                "ファイル名が長すぎます（%(length)d文字、上限%(limit)d文字）。"
                "短いファイル名に変えてから送信してください。",
                length=len(name),
                limit=MAX_FILENAME_LENGTH,
            )
        )
    return name


def extension(filename: str) -> str:
    """The lower-case extension without the dot ('' when there is none); trailing dots and spaces,
    which Windows ignores, are ignored here too."""
    stem, dot, ext = filename.rstrip(". \t").rpartition(".")
    return ext.lower() if dot and stem.strip(".") else ""


def needs_whole_file(head: bytes) -> bool:
    """Whether checking this content needs the whole file (ZIP containers: the central directory
    is at the end); the other kinds are decided from the head and checked while streaming."""
    return head.startswith(_ZIP_MAGIC)


def guard(detected: DetectedType, stream: Readable) -> Readable:
    """A stream that validates what passes through (text: encoding, control bytes, markup) and
    raises FileRefused as soon as something is wrong; other kinds pass unchanged."""
    return _TextGuard(stream) if detected.kind == "text" else stream


ContainerCheck = Callable[[BinaryIO, "Limits", int], "DetectedType"]


def detect(
    head: bytes, reader: BinaryIO | None, limits: Limits, depth: int, container: ContainerCheck
) -> DetectedType:
    """The kind decided from ``head`` (and for ZIP containers by ``container`` from ``reader``);
    ``depth`` is 1 inside a ZIP."""
    if not head:
        raise FileRefused(_("空のファイル（0バイト）は受け付けられません。"))
    if head.startswith(b"%PDF-"):
        return DetectedType("pdf", "application/pdf")
    if head.startswith(_PNG_MAGIC) and head[12:16] == b"IHDR":
        return DetectedType("png", "image/png")
    if head.startswith(b"\xff\xd8\xff"):
        return DetectedType("jpeg", "image/jpeg")
    if head.startswith(_ZIP_MAGIC):
        if reader is None:
            raise ValueError("a ZIP container can only be checked with the whole file (reader)")
        return container(reader, limits, depth)
    if head.startswith(_EMPTY_ZIP_MAGIC):
        raise FileRefused(_("中身のないZIPファイルは受け付けられません。"))
    if head.startswith(_OLE_MAGIC):
        raise FileRefused(
            _(
                "旧形式のOffice文書（.doc・.xls・.ppt）はマクロの有無を確認できないため受け付けられません。"
                "Word・Excel・PowerPointで .docx・.xlsx・.pptx 形式かPDFに保存し直してください。"
            )
        )
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileRefused(
            _(
                "UTF-16のテキストは受け付けられません。UTF-8かShift_JIS（CP932）で保存し直してください。"
            )
        )
    if is_executable(head):
        raise FileRefused(
            _("プログラム（実行ファイル・スクリプト）は受け付けられません。")
            + allowed_types_message()
        )
    if _looks_like_text(head):
        _check_text_head(head)
        return DetectedType("text", "text/plain")
    controls = len(_CONTROL_BYTES.findall(head))
    if controls <= max(4, len(head) // 100) and _decodable(_CONTROL_BYTES.sub(b"", head)):
        raise FileRefused(_control_message())  # text with a few stray bytes, not a binary format
    raise FileRefused(_("この種類のファイルは受け付けられません。") + allowed_types_message())


def is_executable(head: bytes) -> bool:
    """Whether the bytes start like a program (PE, ELF, Mach-O, a script with #!, WebAssembly, dex)."""
    return head.startswith(_EXECUTABLE_MAGIC)


# --- text ------------------------------------------------------------------------------------


def _looks_like_text(head: bytes) -> bool:
    return not _CONTROL_BYTES.search(head) and _decodable(head) is not None


def _decodable(data: bytes) -> str | None:
    for encoding in ("utf-8", "cp932"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(data, final=False)
        except UnicodeDecodeError:
            continue
        return encoding
    return None


def _control_message() -> str:
    return _(
        "テキストファイルに使えない制御文字（NULなど）が含まれています。"
        "UTF-8かShift_JIS（CP932）のテキストとして保存し直してください。"
    )


def _markup_message() -> str:
    return _(
        "HTML・XML・SVGなどのマークアップやスクリプトを含むファイルは受け付けられません。PDFにして送信してください。"
    )


def _check_text_head(head: bytes) -> None:
    start = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if start.startswith(b"<") or _MARKUP.search(head):
        raise FileRefused(_markup_message())
    if head.removeprefix(codecs.BOM_UTF8).startswith(b"ID;P"):
        # Excel opens text starting "ID;P" as SYLK, which can carry formulas that run programs.
        raise FileRefused(
            _("SYLK形式（Excelが数式ごと開く形式）のファイルは受け付けられません。")
            + allowed_types_message()
        )


class _TextGuard:
    """Reads through, refusing NUL/control bytes, markup, and bytes that are neither UTF-8 nor CP932."""

    def __init__(self, source: Readable):
        self._source = source
        self._decoders = {name: codecs.getincrementaldecoder(name)() for name in ("utf-8", "cp932")}
        self._tail = b""
        self._first = True

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self._source.read(size)
        if self._first:
            self._first = False
            _check_text_head(data[:HEAD_SIZE])
        if _CONTROL_BYTES.search(data):
            raise FileRefused(_control_message())
        # A tag split between two reads is seen in the joint (tail of the last + head of this).
        if _MARKUP.search(data) or _MARKUP.search(self._tail + data[:_MARKUP_TAIL]):
            raise FileRefused(_markup_message())
        self._tail = (self._tail + data[-_MARKUP_TAIL:])[-_MARKUP_TAIL:]
        view = memoryview(data)
        for name in list(self._decoders):
            try:
                # In slices: decoding a whole 8 MiB part at once would build a large str.
                for start in range(0, len(data), _CHUNK):
                    self._decoders[name].decode(view[start : start + _CHUNK])
                if not data:  # every consumer reads until an empty result: that ends the text
                    self._decoders[name].decode(b"", final=True)
            except UnicodeDecodeError:
                del self._decoders[name]
        if not self._decoders:
            raise FileRefused(
                _(
                    "テキストファイルの文字コードを読み取れません。UTF-8かShift_JIS（CP932）で保存してください。"
                )
            )
        return data


def read_through(stream: Readable) -> int:
    """Read a stream to its end (validating it when it is a guard); returns the byte count."""
    total = 0
    while chunk := stream.read(_CHUNK):
        total += len(chunk)
    return total
