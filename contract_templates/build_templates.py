"""(Re)create the Word templates in this folder with python-docx.

    .venv/bin/python contract_templates/build_templates.py

The .docx files are committed; the city then edits them in Word (letterhead, fonts, margins,
wording around the placeholders) without touching code. This script only exists so that the
starting point can be rebuilt and reviewed; rerunning it overwrites any edits made in Word.

How a template works (docxtpl: Jinja inside Word):
- ``{{ contract_title }}`` and the like are replaced by the arrangement's facts;
- a paragraph holding only ``{%p for article in articles %}`` … ``{%p endfor %}`` repeats the
  paragraphs between them for every article; those control paragraphs vanish from the result;
- styles 「条見出し」「条文」「条文号」「条番号」 give the articles their look: change them in Word's style
  pane, not paragraph by paragraph;
- settings are custom document properties (Word: ファイル > 情報 > プロパティ > 詳細プロパティ >
  ユーザー設定): 「日付表記」 = 和暦 | 西暦, 「条番号の数字」 = 半角 | 全角.

Fonts: ＭＳ 明朝 (body) and ＭＳ ゴシック (titles) are named for East Asian text; the font table
gives their Latin names (MS Mincho / MS Gothic) as alternates. Where they are not installed,
Word and LibreOffice substitute (LibreOffice: IPA明朝 / IPAゴシック when fonts-ipafont is installed).
"""

from __future__ import annotations

import io
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

HERE = Path(__file__).resolve().parent
MINCHO, GOTHIC = "ＭＳ 明朝", "ＭＳ ゴシック"
ALT_NAMES = {MINCHO: ("MS Mincho", "roman"), GOTHIC: ("MS Gothic", "modern")}
BODY_SIZE = Pt(10.5)
FIXED_TIME = datetime(2026, 4, 1, tzinfo=UTC)  # reproducible metadata
# The city's name, address and head come from its profile (vendorguard.city), never from here.
CITY = "{{ city_name }}"
CUSTOM_PROPS_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
SETTINGS = {"日付表記": "和暦", "条番号の数字": "半角"}


# ---------------------------------------------------------------- low-level helpers


def _set_fonts(rpr_parent, east_asia: str, latin: str | None = None) -> None:
    """Name the fonts explicitly (and drop theme fonts, which would override the names)."""
    rpr = rpr_parent.get_or_add_rPr() if hasattr(rpr_parent, "get_or_add_rPr") else rpr_parent
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    latin = latin or east_asia
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), latin)


def _set_lang(rpr) -> None:
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "ja-JP")


def _doc_defaults(document) -> None:
    defaults = document.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr, MINCHO)
    for tag in ("w:sz", "w:szCs"):
        rpr.find(qn(tag)).set(qn("w:val"), "21")
    _set_lang(rpr)
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")


def _font_table(document) -> None:
    """Declare the Japanese fonts with their Latin alternates, so Word finds them everywhere."""
    for rel in document.part.rels.values():
        if rel.reltype == RT.FONT_TABLE:
            part = rel.target_part
            break
    else:
        return
    from lxml import etree

    root = etree.fromstring(part.blob)
    for name, (alt, family) in ALT_NAMES.items():
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        for tag, value in (
            ("w:altName", alt),
            ("w:panose1", "02020609040205080304"),
            ("w:charset", "80"),
            ("w:family", family),
            ("w:pitch", "fixed"),
        ):
            element = etree.SubElement(font, qn(tag))
            element.set(qn("w:val"), value)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _paragraph_style(
    document,
    name: str,
    *,
    font: str = MINCHO,
    size=BODY_SIZE,
    bold=False,
    align=None,
    left=None,
    first_line=None,
    before=0,
    after=0,
    keep_next=False,
):
    style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = document.styles["Normal"]
    style.quick_style = True
    style.font.size = size
    style.font.bold = bold
    _set_fonts(style.element, font)
    fmt = style.paragraph_format
    if align is not None:
        fmt.alignment = align
    if left is not None:
        fmt.left_indent = left
    if first_line is not None:
        fmt.first_line_indent = first_line
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    fmt.keep_with_next = keep_next
    return style


def _styles(document) -> None:
    _doc_defaults(document)
    normal = document.styles["Normal"]
    normal.font.size = BODY_SIZE
    _set_fonts(normal.element, MINCHO)
    _set_lang(normal.element.get_or_add_rPr())
    normal.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    for name in ("Header", "Footer"):
        _set_fonts(document.styles[name].element, MINCHO)
        document.styles[name].font.size = Pt(9)
    _paragraph_style(
        document,
        "文書表題",
        font=GOTHIC,
        size=Pt(14),
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        after=12,
    )
    _paragraph_style(
        document, "副題", font=GOTHIC, size=Pt(12), align=WD_ALIGN_PARAGRAPH.CENTER, after=12
    )
    _paragraph_style(document, "前文", first_line=BODY_SIZE, before=12, after=6)
    _paragraph_style(
        document, "節見出し", font=GOTHIC, bold=True, before=12, after=3, keep_next=True
    )
    _paragraph_style(document, "条見出し", before=6, keep_next=True, left=BODY_SIZE)
    # Hanging indent of one character: 「第1条　…」 and 「2　…」 wrap under the text, not the number.
    _paragraph_style(document, "条文", left=BODY_SIZE, first_line=-BODY_SIZE)
    # Items （1）（2）… of a paragraph: one character further in, the marker hanging.
    _paragraph_style(document, "条文号", left=BODY_SIZE * 4, first_line=-BODY_SIZE * 3)
    label = document.styles.add_style("条番号", WD_STYLE_TYPE.CHARACTER)
    label.quick_style = True
    _set_fonts(label.element, MINCHO)
    _paragraph_style(document, "日付", align=WD_ALIGN_PARAGRAPH.RIGHT, before=12, after=6)


def _field(paragraph, instruction: str, placeholder: str = "1") -> None:
    """A Word field (PAGE, NUMPAGES) that Word and LibreOffice fill in when laying out."""

    def fld_char(kind: str):
        run = paragraph.add_run()
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), kind)
        run._r.append(char)

    fld_char("begin")
    run = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run._r.append(instr)
    fld_char("separate")
    paragraph.add_run(placeholder)
    fld_char("end")


def _settings(document) -> None:
    """Lines ending in a line break (clause items) are not stretched in justified paragraphs."""
    settings = document.settings.element
    compat = settings.find(qn("w:compat"))
    compat.insert(0, OxmlElement("w:doNotExpandShiftReturn"))
    preview = settings.find(qn("w:savePreviewPicture"))
    if preview is not None:
        settings.remove(preview)


def _custom_properties(document, values: dict[str, str]) -> None:
    items = "".join(
        f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{pid}" name="{name}">'
        f"<vt:lpwstr>{value}</vt:lpwstr></property>"
        for pid, (name, value) in enumerate(values.items(), start=2)
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        f"{items}</Properties>"
    )
    package = document.part.package
    part = Part(PackURI("/docProps/custom.xml"), CUSTOM_PROPS_TYPE, xml.encode("utf-8"), package)
    package.relate_to(part, RT.CUSTOM_PROPERTIES)


def _drop_thumbnail(document) -> None:
    """python-docx's default template carries an English preview image; it is not ours."""
    rels = document.part.package.rels
    for r_id, rel in list(rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del rels[r_id]


def _cell_margins(table, vertical: int = 57, horizontal: int = 113) -> None:
    """Inner padding of every cell (twips: 57 ≈ 1 mm, 113 ≈ 2 mm), so text never touches a border."""
    tbl_pr = table._tbl.tblPr
    margins = OxmlElement("w:tblCellMar")
    for side, width in (
        ("top", vertical),
        ("left", horizontal),
        ("bottom", vertical),
        ("right", horizontal),
    ):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:w"), str(width))
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    tbl_pr.append(margins)


def _table(document, rows: list[tuple[str, ...]], widths: list, style: str | None = "Table Grid"):
    table = document.add_table(rows=len(rows), cols=len(widths))
    _cell_margins(table)
    if style:
        table.style = document.styles[style]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=False):
        column.width = width
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            cell = table.cell(r, c)
            cell.width = widths[c]  # Word reads the cell width, LibreOffice the grid below
            cell.paragraphs[0].text = value
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.LEFT
    return table


KEEP_STYLES = {
    "Normal",
    "Default Paragraph Font",
    "Normal Table",
    "No List",
    "Table Grid",
    "Header",
    "Header Char",
    "Footer",
    "Footer Char",
}


def _prune(document) -> None:
    """Keep only the styles the templates use (python-docx's default carries ~160, and a legacy
    stylesWithEffects part): a smaller template opens and renders faster, and the city's style
    pane shows what matters."""
    for style in list(document.styles):
        if style.name not in KEEP_STYLES and not style.element.get(qn("w:customStyle")):
            style.element.getparent().remove(style.element)
    rels = document.part.rels
    for r_id, rel in list(rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            del rels[r_id]


def _base(title_property: str) -> Document:
    document = Document()
    _drop_thumbnail(document)
    _prune(document)
    _styles(document)
    _font_table(document)
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(30), Mm(25)
    section.left_margin, section.right_margin = Mm(25), Mm(25)
    section.header_distance, section.footer_distance = Mm(12), Mm(12)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("- ")
    _field(footer, "PAGE")
    footer.add_run(" / ")
    _field(footer, "NUMPAGES")
    footer.add_run(" -")
    props = document.core_properties
    props.title = title_property
    props.author = "vendorguard"
    props.last_modified_by = "vendorguard"
    props.comments = "vendorguard が生成した文書です。"
    props.created = props.modified = FIXED_TIME.replace(tzinfo=None)
    props.revision = 1
    props.language = "ja-JP"
    _custom_properties(document, SETTINGS)
    _settings(document)
    return document


def _articles(document, heading_style: str = "条見出し") -> None:
    """The loop that prints every article: heading line, then numbered paragraphs."""
    document.add_paragraph("{%p for article in articles %}")
    document.add_paragraph("{{ article.heading }}", style=heading_style)
    document.add_paragraph("{%p for paragraph in article.paragraphs %}")
    document.add_paragraph("{%p if paragraph.item %}")
    document.add_paragraph("{{ paragraph.text }}", style="条文号")
    document.add_paragraph("{%p else %}")
    body = document.add_paragraph(style="条文")
    body.add_run("{{ paragraph.label }}", style="条番号")
    body.add_run("　{{ paragraph.text }}")
    document.add_paragraph("{%p endif %}")
    document.add_paragraph("{%p endfor %}")
    document.add_paragraph("{%p endfor %}")


def _signatures(document, counterpart_label: str = "受注者") -> None:
    """記名押印欄: date line, then the city and the counterparty with seal marks."""
    document.add_paragraph("{{ blank_date }}", style="日付").paragraph_format.keep_with_next = True
    widths = [Mm(20), Mm(22), Mm(104), Mm(14)]
    table = _table(
        document,
        [
            ("発注者", "住所", "{{ city_address }}", ""),
            ("", "名称", CITY, ""),
            ("", "代表者", "{{ city_representative }}", "印"),
            (counterpart_label, "住所", "{{ contractor_address }}", ""),
            ("", "名称", "{{ contractor_name }}", ""),
            ("", "代表者", "{{ contractor_signatory }}", "印"),
        ],
        widths,
        style=None,
    )
    for index, row in enumerate(table.rows):
        row.height = Mm(9)
        row.cells[3].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        # Keep the block on one page: every row but the last keeps with the next.
        if index < len(table.rows) - 1:
            for cell in row.cells:
                cell.paragraphs[0].paragraph_format.keep_with_next = True


# ---------------------------------------------------------------- the three templates


def appendix() -> Document:
    """情報セキュリティに関する特記事項 for an engagement."""
    document = _base("{{ document_title }}")
    header = document.sections[0].header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    header.text = "契約番号　{{ contract_number }}"
    document.add_paragraph("{{ document_title }}", style="文書表題")
    _table(
        document,
        [
            ("契約件名", "{{ contract_title }}"),
            ("契約番号", "{{ contract_number }}"),
            ("契約期間", "{{ period }}"),
            ("発注者", CITY),
            ("受注者", "{{ contractor_name }}"),
        ],
        [Mm(30), Mm(130)],
    )
    document.add_paragraph(
        f"{CITY}（以下「発注者」という。）と{{{{ contractor_name }}}}（以下「受注者」という。）は、"
        "上記契約（以下「本契約」という。）の履行に当たり、情報セキュリティを確保するために"
        "受注者が遵守すべき事項を、次のとおり特記事項（以下「本特記事項」という。）として定める。",
        style="前文",
    )
    _articles(document)
    document.add_paragraph(
        "本特記事項の成立を証するため、本書2通を作成し、発注者及び受注者が記名押印の上、"
        "各自1通を保有する。",
        style="前文",
    ).paragraph_format.keep_with_next = True
    _signatures(document)
    return document


def cloud_requirements() -> Document:
    """クラウドサービス利用に係るセキュリティ要件 for a cloud service under contract."""
    document = _base("{{ document_title }}")
    header = document.sections[0].header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    header.text = "{{ service_name }}"
    document.add_paragraph("{{ document_title }}", style="文書表題")
    _table(
        document,
        [
            ("サービス名", "{{ service_name }}"),
            ("提供事業者", "{{ contractor_name }}"),
            ("取り扱う情報", "{{ confidentiality_text }}"),
            ("データの保管場所", "{{ data_location }}"),
            ("準拠法", "{{ governing_law }}"),
            ("合意管轄裁判所", "{{ jurisdiction }}"),
            ("ISMAP登録", "{{ ismap_text }}"),
            ("発注者", CITY),
            ("受注者", "{{ contractor_name }}"),
        ],
        [Mm(35), Mm(125)],
    )
    document.add_paragraph(
        f"{CITY}（以下「発注者」という。）と{{{{ contractor_name }}}}（以下「受注者」という。）は、"
        "受注者が発注者に提供する上記クラウドサービス（以下「本サービス」という。）の利用に関する契約"
        "（以下「本契約」という。）に付して、受注者が満たすべき情報セキュリティ上の要件を次のとおり定める。",
        style="前文",
    )
    _articles(document)
    document.add_paragraph(
        "本書の成立を証するため、本書2通を作成し、発注者及び受注者が記名押印の上、各自1通を保有する。",
        style="前文",
    ).paragraph_format.keep_with_next = True
    _signatures(document)
    return document


def sns_procedure() -> Document:
    """SNS運用手順 for one social-media account.

    The account's facts stand in the table; the rules (responsible person and operators, what
    may be posted, impersonation countermeasures, account protection, hijack response …) are the
    articles from the clause library, so the city words them once, with versions and approval.
    """
    document = _base("{{ document_title }}")
    header = document.sections[0].header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    header.text = f"{CITY}　{{{{ department_name }}}}"  # the city's name from its profile
    document.add_paragraph("{{ document_title }}", style="文書表題")
    document.add_paragraph("{{ account_title }}", style="副題")
    document.add_paragraph("作成日　{{ issued_on }}", style="日付")
    _table(
        document,
        [
            ("アカウント名", "{{ account_title }}"),
            ("サービス", "{{ platform }}"),
            ("アカウント（ID）", "{{ handle }}"),
            ("URL", "{{ account_url }}"),
            ("所管課", "{{ department_name }}"),
            ("責任者", "{{ responsible_name }}"),
            ("運用担当者", "{{ operators }}"),
            ("利用目的", "{{ purpose }}"),
            ("投稿してよい内容", "{{ posting_rules }}"),
            ("市公式サイトでの掲載", "{{ official_list_url }}"),
            ("認証バッジ", "{{ verified_label }}"),
            ("認証情報の管理者", "{{ credential_custodian }}"),
            ("多要素認証", "{{ mfa_text }}"),
            ("復旧用の連絡先", "{{ recovery_contact }}"),
        ],
        [Mm(40), Mm(120)],
    )
    document.add_paragraph(
        "{{ department_name }}は、上記アカウント（以下「本アカウント」という。）を市の公式アカウントとして"
        "安全に運用するため、次のとおり運用手順（以下「本手順」という。）を定める。",
        style="前文",
    )
    _articles(document)
    document.add_paragraph("附　則", style="節見出し").alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph("本手順は、{{ issued_on }}から施行する。", style="前文")
    return document


def cloud_use_record() -> Document:
    """外部サービス利用承認記録: the city's own record of a cloud service (never sent to the provider).

    The manager, the scope of use and the approval are the city's duties, so they stand here and
    not in what the provider signs (cloud_requirements.docx).
    """
    document = _base("{{ document_title }}")
    header = document.sections[0].header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    header.text = f"{CITY}　{{{{ department_name }}}}"
    document.add_paragraph("{{ document_title }}", style="文書表題")
    document.add_paragraph("{{ service_name }}", style="副題")
    _table(
        document,
        [
            ("サービス名", "{{ service_name }}"),
            ("提供事業者", "{{ contractor_name }}"),
            ("利用の形態", "{{ terms_text }}"),
            ("所管課", "{{ department_name }}"),
            ("外部サービス管理者", "{{ manager_name }}"),
            ("利用目的（利用範囲）", "{{ purpose }}"),
            ("取り扱う情報", "{{ confidentiality_text }}"),
            ("データの保管場所", "{{ data_location }}"),
            ("ISMAP登録", "{{ ismap_text }}"),
        ],
        [Mm(40), Mm(120)],
    )
    document.add_paragraph(
        "{{ department_name }}は、上記外部サービス（以下「本サービス」という。）の利用について、"
        "次のとおり定める。",
        style="前文",
    )
    _articles(document)
    document.add_paragraph("承　認", style="節見出し").alignment = WD_ALIGN_PARAGRAPH.CENTER
    _table(
        document,
        [
            ("承認の状況", "{{ approval_text }}"),
            ("承認者", "{{ approver_name }}"),
            ("承認日", "{{ approved_on }}"),
            ("承認の有効期限", "{{ approval_valid_until }}"),
        ],
        [Mm(40), Mm(120)],
    )
    return document


def inspection_report() -> Document:
    """検査結果報告書: the record of one inspection (実地検査) with its checklist, findings and photos.

    Table rows between ``{%tr for … %}`` and ``{%tr endfor %}`` repeat per checklist item or
    finding; ``{{ photo.image }}`` is a picture scaled by the code to fit 150 × 100 mm.
    """
    document = _base("{{ document_title }}")
    header = document.sections[0].header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    header.text = f"{CITY}　{{{{ department_name }}}}"
    document.add_paragraph("{{ document_title }}", style="文書表題")
    document.add_paragraph("{{ engagement_title }}", style="副題")
    _table(
        document,
        [
            ("業務委託", "{{ engagement_title }}"),
            ("契約番号", "{{ contract_number }}"),
            ("委託事業者", "{{ contractor_name }}"),
            ("所管課", "{{ department_name }}"),
            ("年度・回", "{{ fiscal_year_text }} 第{{ sequence }}回（予定日 {{ planned_on }}）"),
            ("実施日", "{{ inspected_on }}"),
            ("検査の方法", "{{ method }}"),
            ("方法の詳細", "{{ method_detail }}"),
            ("検査員", "{{ inspectors }}"),
            ("委託事業者の立会者", "{{ contractor_attendees }}"),
            ("記録の状態", "{{ status_text }}"),
        ],
        [Mm(40), Mm(120)],
    )
    document.add_paragraph(
        "{{ city_name }}は、上記業務委託について、個人情報等の取扱いの状況を確認するため、"
        "次のとおり検査を実施した。",
        style="前文",
    )
    document.add_paragraph("検査の概要", style="節見出し")
    document.add_paragraph("{{ summary }}")
    document.add_paragraph("確認項目と結果", style="節見出し")
    _table(
        document,
        [
            ("No.", "確認項目", "結果", "所見"),
            ("{%tr for item in items %}", "", "", ""),
            (
                "{{ item.number }}",
                "{{ item.code }} {{ item.title }}{% if item.clause %}（{{ item.clause }}）{% endif %}",
                "{{ item.result }}",
                "{{ item.notes }}",
            ),
            ("{%tr endfor %}", "", "", ""),
        ],
        [Mm(12), Mm(70), Mm(20), Mm(58)],
    )
    document.add_paragraph("指摘事項と措置", style="節見出し")
    document.add_paragraph("{%p if findings %}")
    _table(
        document,
        [
            ("No.", "指摘事項", "担当者", "期限", "状況"),
            ("{%tr for finding in findings %}", "", "", "", ""),
            (
                "{{ finding.number }}",
                "{{ finding.finding }}",
                "{{ finding.owner }}",
                "{{ finding.due_on }}",
                "{{ finding.status }}",
            ),
            ("{%tr endfor %}", "", "", "", ""),
        ],
        [Mm(12), Mm(70), Mm(25), Mm(33), Mm(20)],
    )
    document.add_paragraph("{%p else %}")
    document.add_paragraph("指摘事項はなし。")
    document.add_paragraph("{%p endif %}")
    document.add_paragraph("写　真", style="節見出し")
    document.add_paragraph("{%p for photo in photos %}")
    document.add_paragraph("{{ photo.image }}").alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(
        "写真{{ photo.number }}　{{ photo.caption }}"
    ).alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph("{%p endfor %}")
    return document


def _reproducible(data: bytes) -> bytes:
    """Rewrite the zip with fixed timestamps so that rebuilding gives identical bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


TEMPLATES = {
    "appendix.docx": appendix,
    "cloud_requirements.docx": cloud_requirements,
    "cloud_use_record.docx": cloud_use_record,
    "inspection_report.docx": inspection_report,
    "sns_procedure.docx": sns_procedure,
}


def build(directory: Path = HERE) -> list[Path]:
    """Write every template into ``directory``; returns the paths written."""
    written = []
    for name, make in TEMPLATES.items():
        buffer = io.BytesIO()
        make().save(buffer)
        path = directory / name
        path.write_bytes(_reproducible(buffer.getvalue()))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(f"wrote {path}")
