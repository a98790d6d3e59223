"""What uploads are accepted: decided by content (magic bytes and structure), never by name."""

from __future__ import annotations

import io
import struct
import time
import zipfile

import pytest

from vendorguard.evidence.filecheck import HEAD_SIZE, FileRefused, Limits, check, clean_filename

MB = 1024 * 1024

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 48
    + b"This program cannot be run in DOS mode."
)
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
HTML = "<!DOCTYPE html><html><body><script>alert(1)</script>報告書</body></html>".encode()
CSV_UTF8 = "事業者名,認証,有効期限\n株式会社みなと,ISMS,2027-03-31\n".encode()
CSV_CP932 = "事業者名,認証,有効期限\n株式会社みなと情報処理,プライバシーマーク,2027-03-31\n".encode(
    "cp932"
)

WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
WORD_MACRO_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
PPT_MAIN = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"


def run_check(data: bytes, filename: str, limits: Limits | None = None):
    """Check as uploads do: the head decides, the whole content is given as a seekable reader."""
    return check(data[:HEAD_SIZE], filename, io.BytesIO(data), limits or Limits())


def refusal(data: bytes, filename: str, limits: Limits | None = None) -> str:
    with pytest.raises(FileRefused) as caught:
        run_check(data, filename, limits)
    return caught.value.message


def docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("情報セキュリティ対策の実施状況報告書")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.active["A1"] = "従事者名簿"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rewrite_zip(
    data: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None
) -> bytes:
    """A copy of a ZIP (an Office file) with some parts replaced or added."""
    replace, add = replace or {}, add or {}
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info)))
        for name, content in add.items():
            target.writestr(name, content)
    return out.getvalue()


def docm_bytes() -> bytes:
    """A real .docx turned into a macro-enabled document: vbaProject.bin and the macro content type."""
    data = docx_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        types = source.read("[Content_Types].xml").decode()
    types = types.replace(WORD_MAIN, WORD_MACRO_MAIN).replace(
        "</Types>",
        '<Override PartName="/word/vbaProject.bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
    )
    return rewrite_zip(
        data,
        replace={"[Content_Types].xml": types.encode()},
        add={
            "word/vbaProject.bin": OLE + b'Attribute VB_Name = "ThisDocument"',
            "word/_rels/vbaProject.bin.rels": b"<Relationships/>",
        },
    )


def pptx_bytes() -> bytes:
    types = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/ppt/presentation.xml" ContentType="{PPT_MAIN}"/></Types>'
    )
    return zip_of(
        {"[Content_Types].xml": types.encode(), "ppt/presentation.xml": b"<p:presentation/>"}
    )


def zip_of(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def zip_bomb(expanded: int) -> bytes:
    """``expanded`` bytes of zeros, deflated (about 1000:1), written in bounded time and memory."""
    out = io.BytesIO()
    block = b"\x00" * MB
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("zeros.txt", "w", force_zip64=True) as member:
            for _ in range(expanded // MB):
                member.write(block)
    return out.getvalue()


def patch_first_member(data: bytes, *, flag: int = 0, declared_size: int | None = None) -> bytes:
    """Set general-purpose flag bits or the declared uncompressed size of the first member, in
    both the local header and the central directory (what a crafted archive would do)."""
    patched = bytearray(data)
    local, central = 0, data.index(b"PK\x01\x02")
    patched[local + 6] |= flag
    patched[central + 8] |= flag
    if declared_size is not None:
        struct.pack_into("<I", patched, local + 22, declared_size)
        struct.pack_into("<I", patched, central + 24, declared_size)
    return bytes(patched)


# --- single files ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, name, kind, content_type",
    [
        (PDF, "報告書.pdf", "pdf", "application/pdf"),
        (PNG, "写真.png", "png", "image/png"),
        (JPEG, "写真.jpg", "jpeg", "image/jpeg"),
        (
            PNG,
            "スクリーンショット.jpg",
            "png",
            "image/png",
        ),  # images among themselves: content decides
        (CSV_UTF8, "名簿.csv", "text", "text/csv"),
        (codecs_bom := b"\xef\xbb\xbf" + CSV_UTF8, "名簿.csv", "text", "text/csv"),
        (CSV_CP932, "名簿.csv", "text", "text/csv"),
        ("報告事項なし\r\n".encode("cp932"), "メモ.txt", "text", "text/plain"),
        (PDF, "拡張子なし", "pdf", "application/pdf"),
    ],
)
def test_accepted_by_content(data, name, kind, content_type):
    detected = run_check(data, name)
    assert (detected.kind, detected.content_type) == (kind, content_type)


def test_office_files_without_macros_are_accepted():
    assert run_check(docx_bytes(), "報告書.docx").content_type.endswith("wordprocessingml.document")
    assert run_check(xlsx_bytes(), "名簿.xlsx").content_type.endswith("spreadsheetml.sheet")
    assert run_check(pptx_bytes(), "説明資料.pptx").kind == "pptx"


def test_an_executable_renamed_pdf_is_refused_by_its_content():
    assert "実行ファイル" in refusal(EXE, "請求書.pdf")
    assert "実行ファイル" in refusal(ELF, "data.csv")
    assert "実行ファイル" in refusal(b"#!/bin/sh\nrm -rf /\n", "readme.txt")


def test_dangerous_extensions_are_refused_whatever_the_content():
    assert ".exe" in refusal(PDF, "setup.exe")
    assert ".html" in refusal(HTML, "報告.html")
    assert ".svg" in refusal(b"<svg xmlns='http://www.w3.org/2000/svg'/>", "logo.svg")


@pytest.mark.parametrize(
    "data",
    [
        HTML,
        b"  \n<html><body>hi</body></html>",
        b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
        b'<?xml version="1.0"?><note/>',
        "備考\n".encode() * 4000
        + b"<ScRiPt>alert(1)</script>",  # past the head: found while reading
    ],
)
def test_markup_is_refused_even_when_named_txt(data):
    assert "マークアップ" in refusal(data, "報告.txt")


def test_markup_split_between_two_reads_is_found():
    from vendorguard.evidence.filecheck import DetectedType, guard

    stream = guard(
        DetectedType("text", "text/plain"), io.BytesIO(b"a" * (MB - 3) + b"<script>" + b"b" * 100)
    )
    with pytest.raises(FileRefused):
        while stream.read(MB):
            pass


def test_legacy_office_files_are_refused_with_advice():
    message = refusal(OLE, "名簿.xls")
    assert "旧形式" in message and ".xlsx" in message


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"", "空のファイル"),
        ("名簿".encode("utf-16"), "UTF-16"),
        (CSV_UTF8 + b"\x00\x00", "制御文字"),
        (CSV_UTF8 + b"\x1b[31m", "制御文字"),
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "受け付けるのは"),
    ],
)
def test_other_content_is_refused_with_a_clear_message(data, expected):
    assert expected in refusal(data, "file.txt")


def test_text_that_is_neither_utf8_nor_cp932_is_refused_even_after_the_head():
    data = "備考\n".encode() * 3000 + "退職者一覧".encode("euc_jp") + b"\xfd\xfe"
    assert "文字コード" in refusal(data, "一覧.csv")


def test_a_known_extension_must_match_the_content():
    message = refusal(PNG, "報告書.pdf")
    assert ".pdf" in message and "PNG" in message and "一致しません" in message
    assert "一致しません" in refusal(CSV_UTF8, "報告書.docx")


# --- Office macros ---------------------------------------------------------------------------------


def test_a_docm_is_refused_whatever_its_name():
    for name in ("報告書.docm", "報告書.docx", "報告書.zip"):
        assert "マクロ" in refusal(docm_bytes(), name), name


def test_the_macro_content_type_alone_or_the_vba_part_alone_is_enough_to_refuse():
    data = docx_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        types = source.read("[Content_Types].xml")
    only_type = rewrite_zip(
        data,
        replace={
            "[Content_Types].xml": types.replace(WORD_MAIN.encode(), WORD_MACRO_MAIN.encode())
        },
    )
    only_part = rewrite_zip(data, add={"word/vbaProject.bin": OLE})
    assert "マクロ" in refusal(only_type, "a.docx")
    assert "マクロ" in refusal(only_part, "a.docx")


def test_an_xlsm_is_refused():
    data = xlsx_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        types = source.read("[Content_Types].xml")
    xlsm = rewrite_zip(
        data,
        replace={
            "[Content_Types].xml": types.replace(b"spreadsheetml.sheet.main+xml", b"x").replace(
                b"application/vnd.openxmlformats-officedocument.x",
                b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
            )
        },
        add={"xl/vbaProject.bin": OLE},
    )
    assert "マクロ" in refusal(xlsm, "名簿.xlsx")


def test_a_remote_template_is_refused():
    rels = (
        b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'attachedTemplate" Target="http://203.0.113.5/t.dotm" TargetMode="External"/></Relationships>'
    )
    data = rewrite_zip(docx_bytes(), add={"word/_rels/settings.xml.rels": rels})
    assert "外部のテンプレート" in refusal(data, "報告書.docx")


def test_opendocument_is_refused_with_advice():
    odt = zip_of(
        {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"},
        zipfile.ZIP_STORED,
    )
    assert "OpenDocument" in refusal(odt, "報告書.odt")


# --- ZIP archives ------------------------------------------------------------------------------------


def test_a_zip_of_accepted_files_is_accepted_and_cp932_names_are_read():
    data = zip_of(
        {
            "報告書.pdf": PDF,
            "名簿.csv": CSV_CP932,
            "別紙.docx": docx_bytes(),
            "写真/現場.jpg": JPEG,
            "空.txt": b"",
            "写真/": b"",
        }
    )
    assert run_check(data, "提出物.zip").content_type == "application/zip"


def cp932_named_zip(name: str, content: bytes) -> bytes:
    """A member name in CP932 without the UTF-8 flag, as Windows' own ZIP writes it."""
    raw = name.encode("cp932")
    placeholder = b"X" * len(raw)
    return zip_of({placeholder.decode(): content}).replace(placeholder, raw)


def test_cp932_member_names_are_read_as_windows_wrote_them():
    # 表 is 0x95 0x5C in CP932: the second byte is a backslash, which must not count as a folder.
    assert run_check(cp932_named_zip("予定表.pdf", PDF), "提出物.zip").kind == "zip"
    assert "「予定表.pdf」" in refusal(cp932_named_zip("予定表.pdf", EXE), "提出物.zip")


def test_mac_metadata_in_a_zip_is_tolerated():
    data = zip_of(
        {
            "報告書.pdf": PDF,
            "__MACOSX/._報告書.pdf": b"\x00\x05\x16\x07\x00\x02\x00\x00" + b"\x00" * 40,
            ".DS_Store": b"\x00\x00\x00\x01Bud1" + b"\x00" * 40,
        }
    )
    assert run_check(data, "a.zip").kind == "zip"


@pytest.mark.parametrize(
    "member, expected",
    [
        ("../../etc/cron.d/job.txt", "フォルダの外"),
        ("docs/../../x.pdf", "フォルダの外"),
        ("/etc/passwd.txt", "フォルダの外"),
        ("C:/Windows/x.pdf", "フォルダの外"),
        ("..\\..\\x.pdf", "フォルダの外"),
    ],
)
def test_zip_members_outside_the_folder_are_refused(member, expected):
    assert expected in refusal(zip_of({member: PDF}), "a.zip")


@pytest.mark.parametrize(
    "members, expected",
    [
        ({"ok.pdf": PDF, "請求書.pdf": EXE}, "「請求書.pdf」"),
        ({"ok.pdf": PDF, "tool.exe": PDF}, ".exe"),
        ({"page.txt": HTML}, "マークアップ"),
        ({"inner.zip": b""}, None),  # an empty member is harmless and skipped
        ({"old.xls": OLE}, "旧形式"),
        ({"報告書.docx": docm_bytes()}, "マクロ"),
    ],
)
def test_every_member_passes_the_same_checks(members, expected):
    data = zip_of(members)
    if expected is None:
        assert run_check(data, "a.zip").kind == "zip"
    else:
        assert expected in refusal(data, "a.zip")


def test_no_zip_inside_a_zip():
    assert "ZIPの中にZIP" in refusal(zip_of({"inner.zip": zip_of({"a.pdf": PDF})}), "outer.zip")


def test_a_zip_bomb_is_refused_quickly_by_its_expanded_size():
    bomb = zip_bomb(200 * MB)
    assert len(bomb) < 1 * MB
    started = time.monotonic()
    message = refusal(
        bomb, "bomb.zip", Limits(max_expanded=50 * MB, max_members=1000, max_ratio=10**6)
    )
    assert "展開したときの大きさ" in message and "50 MB" in message
    assert time.monotonic() - started < 1


def test_a_zip_bomb_under_the_size_limit_is_refused_by_its_ratio():
    assert "圧縮率" in refusal(zip_bomb(20 * MB), "bomb.zip", Limits(max_expanded=500 * MB))


def test_lying_sizes_do_not_let_more_through_than_declared():
    # The central directory says 1 KB; the data inflates to 5 MB. zipfile stops at the declared
    # size, so the CRC does not match and the archive is refused as broken.
    data = patch_first_member(zip_of({"a.txt": b"a" * 5 * MB}), declared_size=1024)
    assert "壊れている" in refusal(data, "a.zip", Limits(max_ratio=10**6))


def test_encrypted_zips_cannot_be_checked_and_are_refused():
    data = patch_first_member(zip_of({"a.pdf": PDF}), flag=0x1)
    assert "パスワード付き" in refusal(data, "a.zip")


def test_too_many_members_are_refused():
    data = zip_of({f"{i}.txt": b"x" for i in range(30)})
    assert "多すぎます" in refusal(data, "a.zip", Limits(max_members=20))


def test_a_broken_zip_is_refused():
    assert "壊れている" in refusal(b"PK\x03\x04" + b"\x00" * 100, "a.zip")


@pytest.mark.parametrize("member", ["a.txt", "mimetype", "a.docx"])
def test_corrupt_compressed_data_is_refused_not_a_crash(member):
    data = bytearray(zip_of({member: "名簿".encode() * 5000}))
    start = 30 + len(member)  # local header, then the deflated data
    data[start : start + 40] = b"\xff" * 40
    assert "壊れている" in refusal(bytes(data), "a.zip")


def test_symlinks_in_a_zip_are_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        info = zipfile.ZipInfo("link.txt")
        info.external_attr = 0o120777 << 16
        archive.writestr(info, "/etc/passwd")
    assert "シンボリックリンク" in refusal(out.getvalue(), "a.zip")


# --- file names ----------------------------------------------------------------------------------------


def test_names_are_kept_for_display_cleaned():
    assert clean_filename("folder/sub/名簿.csv") == "名簿.csv"  # a folder upload
    decomposed = "ハ\u309aスワート\u3099.pdf"  # macOS sends names decomposed (NFD)
    assert clean_filename(decomposed) == "パスワード.pdf"
    assert clean_filename("  報告書.pdf ") == "報告書.pdf"
    assert len(clean_filename("あ" * 196 + ".pdf")) == 200


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("../../etc/passwd", "../"),
        ("..\\..\\boot.ini", "../"),
        ("a/../b.pdf", "../"),
        ("report\x00.pdf", "NUL"),
        ("", "ファイル名がありません"),
        ("..", "../"),
    ],
)
def test_dangerous_or_empty_names_are_refused(raw, expected):
    with pytest.raises(FileRefused) as caught:
        clean_filename(raw)
    assert expected in caught.value.message
