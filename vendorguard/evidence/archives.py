"""ZIP containers: ZIP archives (every member checked like an upload of its own, one level deep)
and the ZIP container of Word/Excel/PowerPoint files (macros, remote templates, bounds).

Bounds come from :class:`~vendorguard.evidence.filecheck.Limits` (EVIDENCE_ZIP_*): the declared
expanded size and member count are checked from the central directory first, then the bytes really
inflated are counted too, since declared sizes can lie (zipfile stops at the declared size and the
CRC check then fails).
"""

from __future__ import annotations

import re
import tempfile
import zipfile
import zlib
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as parse_xml
from flask_babel import gettext as _

from vendorguard.evidence.filetypes import (
    DANGEROUS_EXTENSIONS,
    EXECUTABLE_EXTENSIONS,
    FAMILIES,
    HEAD_SIZE,
    MB,
    DetectedType,
    FileRefused,
    Limits,
    allowed_types_message,
    detect,
    extension,
    guard,
    is_executable,
    needs_whole_file,
    read_through,
)
from vendorguard.storage.base import Readable

_CHUNK = MB
# What zipfile and zlib raise on a damaged archive or member (bad CRC, truncated or corrupt data).
_BROKEN = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    OSError,
    EOFError,
    ValueError,
    NotImplementedError,
)
_XML_PART_MAX = MB  # [Content_Types].xml and .rels parts are read whole: keep them small
_RATIO_MIN_SIZE = MB  # small members may compress extremely well without harm
OOXML_MAX_PARTS = 10000  # a large workbook or deck has a few thousand parts
_OOXML_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
# Main part content types (document, template, slide show) → kind.
_OOXML_MAIN = re.compile(
    r"officedocument\.(wordprocessingml|spreadsheetml|presentationml)\."
    r"(document|template|sheet|presentation|slideshow)\.main\+xml$"
)
_OOXML_FAMILY = {"wordprocessingml": "docx", "spreadsheetml": "xlsx", "presentationml": "pptx"}
_APPLEDOUBLE_MAGIC = b"\x00\x05\x16\x07"
_DS_STORE_MAGIC = b"\x00\x00\x00\x01Bud1"
_MACRO_PART = re.compile(
    r"(^|/)(vbaProject\.bin|vbaData\.xml|vbaProjectSignature\w*\.bin)$"
    r"|(^|/)activeX/|\.(docm|dotm|xlsm|xltm|xlam|xlsb|pptm|potm|ppsm|ppam|bas|vba)$",
    re.IGNORECASE,
)
_MACRO_CONTENT_TYPE = re.compile(
    r"macroEnabled|vbaProject|vbaData|ms-office\.activeX", re.IGNORECASE
)
# External relationships Office follows on open: remote templates (macro injection) and linked
# OLE objects / frames / sub-documents (CVE-2017-0199 style). Hyperlinks and images stay allowed.
# Read with a real XML parser (entities such as "&#69;xternal" decoded, any namespace prefix),
# never with patterns over the bytes.
_DANGEROUS_REL_TYPES = frozenset({"attachedtemplate", "oleobject", "frame", "subdocument"})
_CONTENT_TYPES = "[content_types].xml"


def _open_zip(reader: BinaryIO) -> zipfile.ZipFile:
    reader.seek(0)
    try:
        return zipfile.ZipFile(reader)
    except _BROKEN as error:
        raise FileRefused(_("ZIP形式のファイルが壊れているため読み取れません。")) from error


def _member_name(info: zipfile.ZipInfo) -> str:
    """The member's real name: Windows writes Japanese names in CP932 without the UTF-8 flag."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("cp932")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _check_member_path(name: str) -> None:
    segments = re.split(r"[\\/]", name)
    if (
        "\x00" in name
        or name.startswith(("/", "\\"))
        or re.match(r"^[A-Za-z]:", name)
        or any(segment == ".." for segment in segments)
    ):
        raise FileRefused(
            _(
                "ZIP内に、展開先のフォルダの外を指すファイル名（「%(name)s」）が含まれています。",
                name=name.replace("\x00", ""),
            )
        )


def _check_bounds(
    infos: list[zipfile.ZipInfo], limits: Limits, max_members: int, ratio: bool
) -> None:
    if len(infos) > max_members:
        raise FileRefused(
            _(
                "ZIP内のファイルが多すぎます（%(count)s 個、上限 %(limit)s 個）。",
                count=len(infos),
                limit=max_members,
            )
        )
    expanded = sum(info.file_size for info in infos)
    if expanded > limits.max_expanded:
        raise FileRefused(
            _(
                "ZIPを展開したときの大きさが上限（%(limit)s MB）を超えます。",
                limit=format(limits.max_expanded / MB, "g"),
            )
        )
    for info in infos:
        if info.flag_bits & 0x1:
            raise FileRefused(
                _(
                    "パスワード付き（暗号化された）ZIPは中身を確認できないため受け付けられません。"
                    "パスワードを外してから送信してください。"
                )
            )
        too_compressed = info.file_size > limits.max_ratio * max(info.compress_size, 1)
        if ratio and info.file_size > _RATIO_MIN_SIZE and too_compressed:
            raise FileRefused(
                _("ZIP内のファイルの圧縮率が異常に高いため受け付けられません（ZIP爆弾の疑い）。")
            )


def check_zip(reader: BinaryIO, limits: Limits, depth: int) -> DetectedType:
    """Check a whole ZIP container: an Office file (OOXML) or an archive whose members pass."""
    try:
        return _check_zip(reader, limits, depth)
    except _BROKEN as error:
        raise FileRefused(_("ZIP形式のファイルが壊れているため読み取れません。")) from error


def _check_zip(reader: BinaryIO, limits: Limits, depth: int) -> DetectedType:
    with _open_zip(reader) as archive:
        infos = archive.infolist()
        names = {info.filename for info in infos}
        # Part names in Office files are case-insensitive: "[CONTENT_TYPES].XML" is the same part.
        if any(name.lower() == _CONTENT_TYPES for name in names):
            return _check_ooxml(archive, infos, limits)
        if (
            "mimetype" in names
            and archive.getinfo("mimetype").file_size < 200
            and archive.read("mimetype").startswith(b"application/vnd.oasis.opendocument")
        ):
            raise FileRefused(
                _(
                    "OpenDocument形式（.odt・.ods・.odp）はマクロの有無を確認できないため受け付けられません。"
                    "PDFか .docx・.xlsx・.pptx 形式で保存し直してください。"
                )
            )
        if depth > 0:
            raise FileRefused(_("ZIPの中にZIPは入れられません。1つのZIPにまとめ直してください。"))
        _check_bounds(infos, limits, limits.max_members, ratio=True)
        budget = _Budget(limits.max_expanded)
        for info in infos:
            name = _member_name(info)
            _check_member_path(name)
            if (info.external_attr >> 16) & 0o170000 == 0o120000:
                raise FileRefused(
                    _("ZIP内にシンボリックリンク（「%(name)s」）が含まれています。", name=name)
                )
            if info.is_dir() or info.file_size == 0:
                continue
            try:
                _check_member(archive, info, name, limits, budget)
            except FileRefused as error:
                raise FileRefused(
                    _("ZIP内の「%(name)s」：%(reason)s", name=name, reason=error.message)
                ) from error
            except _BROKEN as error:
                raise FileRefused(
                    _(
                        "ZIP内の「%(name)s」が壊れているか、対応していない圧縮方式のため読み取れません。",
                        name=name,
                    )
                ) from error
    return DetectedType("zip", "application/zip")


class _Budget:
    """Counts bytes really decompressed: declared sizes are checked first, but may lie."""

    def __init__(self, limit: int):
        self.left = limit

    def spend(self, amount: int) -> None:
        self.left -= amount
        if self.left < 0:
            raise FileRefused(_("ZIPを展開したときの大きさが上限を超えます。"))


def _check_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, limits: Limits, budget: _Budget
) -> None:
    base = name.rsplit("/", 1)[-1]
    with archive.open(info) as member:
        head = member.read(HEAD_SIZE)
        budget.spend(len(head))
        # Finder's resource forks and folder settings: harmless metadata with a fixed signature.
        if (name.startswith("__MACOSX/") and head.startswith(_APPLEDOUBLE_MAGIC)) or (
            base == ".DS_Store" and head.startswith(_DS_STORE_MAGIC)
        ):
            _spend_rest(member, budget)
            return
        ext = extension(base)
        if ext in DANGEROUS_EXTENSIONS:
            raise FileRefused(_("拡張子が .%(ext)s のファイルは受け付けられません。", ext=ext))
        if needs_whole_file(head):
            with tempfile.TemporaryFile() as spool:
                spool.write(head)
                while chunk := member.read(_CHUNK):
                    budget.spend(len(chunk))
                    spool.write(chunk)
                detected = detect(head, spool, limits, depth=1, container=check_zip)
        else:
            detected = detect(head, None, limits, depth=1, container=check_zip)
            rest = guard(detected, _Prefixed(head, member)) if detected.kind == "text" else member
            if detected.kind == "text":
                budget.spend(read_through(rest) - len(head))
            else:
                _spend_rest(member, budget)  # also makes zipfile verify the CRC
        expected = FAMILIES.get(ext)
        if expected is not None and detected.kind not in expected:
            raise FileRefused(
                _(
                    "ファイルの拡張子（.%(ext)s）と内容（%(kind)s）が一致しません。",
                    ext=ext,
                    kind=detected.label,
                )
            )


def _spend_rest(member, budget: _Budget) -> None:
    while chunk := member.read(_CHUNK):
        budget.spend(len(chunk))


class _Prefixed:
    """``head`` followed by the rest of ``stream`` (the head was already read to decide the type)."""

    def __init__(self, head: bytes, stream: Readable):
        self._head, self._stream = head, stream

    def read(self, size: int = -1) -> bytes:
        if self._head:
            data, self._head = self._head, b""
            return data
        return self._stream.read(size)


def _check_ooxml(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: Limits
) -> DetectedType:
    # Office opens its parts itself; only the total and the count are bounded (a large sheet's XML
    # may legitimately compress more than the ratio allowed for ZIP members).
    _check_bounds(infos, limits, OOXML_MAX_PARTS, ratio=False)
    seen: set[str] = set()
    for info in infos:
        _check_member_path(info.filename)
        folded = info.filename.lower()
        if folded in seen:
            # Two parts one name apart in case: which one Office reads is not ours to guess.
            raise FileRefused(_("Office文書が壊れているため読み取れません。"))
        seen.add(folded)
        if _MACRO_PART.search(info.filename):
            raise FileRefused(_macro_message())
        _check_not_executable(archive, info)
    content_types = _read_xml_part(
        archive, next(i for i in infos if i.filename.lower() == _CONTENT_TYPES)
    )
    kinds = set()
    for element in content_types.iter():
        value = element.get("ContentType") or ""
        if _MACRO_CONTENT_TYPE.search(value):
            raise FileRefused(_macro_message())
        match = _OOXML_MAIN.search(value)
        if match and _local_name(element) == "Override":
            kinds.add(_OOXML_FAMILY[match.group(1)])
    if len(kinds) != 1:
        raise FileRefused(
            _("Word・Excel・PowerPoint以外のOffice形式のファイルは受け付けられません。")
            + allowed_types_message()
        )
    for info in infos:
        if info.filename.lower().endswith(".rels"):
            _check_relationships(_read_xml_part(archive, info))
    kind = kinds.pop()
    return DetectedType(kind, _OOXML_TYPES[kind])


def _local_name(element: Element) -> str:
    """The tag without its namespace (``{…}Relationship`` → ``Relationship``)."""
    return element.tag.rpartition("}")[2] if isinstance(element.tag, str) else ""


def _check_relationships(root: Element) -> None:
    for element in root.iter():
        if _local_name(element) != "Relationship":
            continue
        attributes = {name.rpartition("}")[2].lower(): value for name, value in element.items()}
        external = attributes.get("targetmode", "").strip().lower() == "external"
        kind = attributes.get("type", "").strip().rstrip("/").rpartition("/")[2].lower()
        if external and kind in _DANGEROUS_REL_TYPES:
            raise FileRefused(
                _(
                    "外部のテンプレートやオブジェクトを読み込む設定を含むOffice文書は受け付けられません。"
                    "（マクロを持ち込む手口に使われるためです。）"
                )
            )


def _check_not_executable(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """No program in any part, whatever folder it sits in (word/media/setup.exe)."""
    base = info.filename.rsplit("/", 1)[-1]
    if extension(base) in EXECUTABLE_EXTENSIONS:
        raise FileRefused(_executable_message(info.filename))
    if info.is_dir() or info.file_size == 0:
        return
    try:
        with archive.open(info) as part:
            head = part.read(16)
    except _BROKEN as error:
        raise FileRefused(_("Office文書が壊れているため読み取れません。")) from error
    if is_executable(head):
        raise FileRefused(_executable_message(info.filename))


def _executable_message(name: str) -> str:
    return _(
        "Office文書の中にプログラム（「%(name)s」）が含まれているため受け付けられません。",
        name=name,
    )


def _macro_message() -> str:
    return _(
        "マクロを含むOffice文書（.docm・.xlsm・.pptm など）は受け付けられません。"
        "マクロを含まない形式（.docx・.xlsx・.pptx）で保存し直すか、PDFにしてください。"
    )


def _read_small(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    if info.file_size > _XML_PART_MAX:
        raise FileRefused(_("Office文書の構成情報が異常に大きいため受け付けられません。"))
    try:
        with archive.open(info) as part:
            return part.read(_XML_PART_MAX + 1)[:_XML_PART_MAX]
    except _BROKEN as error:
        raise FileRefused(_("Office文書が壊れているため読み取れません。")) from error


def _read_xml_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Element:
    # defusedxml: no DTD, no entity declarations, no external references — Office writes none.
    data = _read_small(archive, info)
    try:
        return parse_xml(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException, ValueError) as error:
        raise FileRefused(_("Office文書が壊れているため読み取れません。")) from error
