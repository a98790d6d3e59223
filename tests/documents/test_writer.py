"""The Word writer: read its output back with python-docx and check what a clerk would check."""

from __future__ import annotations

import io
import shutil
import zipfile
from datetime import date
from pathlib import Path

import pytest
from docx.oxml.ns import qn

from tests.documents.conftest import Article, body_texts, read_docx, sample_articles, table_rows
from vendorguard.documents import docx_writer
from vendorguard.documents.docx_writer import BUILTIN_DIR, render

FACTS = {
    "document_title": "情報セキュリティに関する特記事項",
    "contract_title": "住民記録システム運用保守業務委託",
    "contract_number": "R8-00042",
    "contractor_name": "但馬情報システム株式会社",
    "contractor_address": "兵庫県豊岡市城南町1番1号",
    "department_name": "市民課",
    "city_name": "みほん市",
    "city_address": "みほん県みほん市中央町1番1号",
    "city_representative": "みほん市長　見本 一郎",
    "contractor_signatory": "（代表者の職・氏名を記入し、押印）",
    "starts_on": date(2026, 4, 1),
    "ends_on": date(2027, 3, 31),
}


def article_paragraphs(data: bytes) -> list[tuple[str, str]]:
    return [
        (p.style.name, p.text)
        for p in read_docx(data).paragraphs
        if p.style.name in ("条見出し", "条文")
    ]


def test_articles_are_numbered_with_headings_and_paragraph_numbers():
    data = render("appendix.docx", FACTS, sample_articles()).data
    assert article_paragraphs(data) == [
        ("条見出し", "（基本的事項）"),
        (
            "条文",
            "第1条　受注者は、この契約による業務を行うに当たり、情報セキュリティの重要性を認識し、"
            "発注者の情報セキュリティポリシーを遵守しなければならない。",
        ),
        ("条見出し", "（秘密の保持）"),
        (
            "条文",
            "第2条　受注者は、この契約による業務に関して知り得た情報を他に漏らしてはならない。",
        ),
        ("条文", "2　前項の規定は、この契約が終了し、又は解除された後においても同様とする。"),
        ("条文", "3　受注者は、従事者に対し、前2項の義務を遵守させなければならない。"),
        ("条見出し", "（再委託の制限）"),
        (
            "条文",
            "第3条　受注者は、発注者の書面による承諾を得なければ、業務を第三者に委託してはならない。",
        ),
    ]
    # No Jinja control paragraph survives.
    assert not any("{%" in text or "{{" in text for text in body_texts(data))


def test_heading_parties_and_period_in_wareki():
    rendered = render("appendix.docx", FACTS, sample_articles())
    assert rendered.date_style == "wareki"
    texts = body_texts(rendered.data)
    assert texts[0] == "情報セキュリティに関する特記事項"
    facts_table = {row[0]: row[1] for row in table_rows(rendered.data)[0]}
    assert facts_table == {
        "契約件名": "住民記録システム運用保守業務委託",
        "契約番号": "R8-00042",
        "契約期間": "令和8年4月1日から令和9年3月31日まで",
        "発注者": "みほん市",
        "受注者": "但馬情報システム株式会社",
    }
    assert any(
        "みほん市（以下「発注者」という。）と但馬情報システム株式会社（以下「受注者」という。）"
        in t
        for t in texts
    )
    assert "令和　　年　　月　　日" in texts
    assert read_docx(rendered.data).sections[0].header.paragraphs[0].text == "契約番号　R8-00042"


def test_western_dates_on_request():
    rendered = render("appendix.docx", FACTS, sample_articles(), date_style="western")
    assert rendered.date_style == "western"
    facts_table = {row[0]: row[1] for row in table_rows(rendered.data)[0]}
    assert facts_table["契約期間"] == "2026年4月1日から2027年3月31日まで"
    assert "令和" not in "".join(body_texts(rendered.data))


def with_settings(tmp_path: Path, name: str, **settings: str) -> Path:
    """A copy of a built-in template whose custom document properties are changed."""
    source = zipfile.ZipFile(BUILTIN_DIR / name)
    target_path = tmp_path / name
    with zipfile.ZipFile(target_path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/custom.xml":
                text = data.decode()
                for key, value in settings.items():
                    current = docx_writer.read_settings(open(BUILTIN_DIR / name, "rb").read())[key]
                    text = text.replace(
                        f'name="{key}"><vt:lpwstr>{current}<', f'name="{key}"><vt:lpwstr>{value}<'
                    )
                data = text.encode()
            target.writestr(info, data)
    return tmp_path


def test_template_setting_chooses_western_dates_and_fullwidth_numbers(tmp_path):
    folder = with_settings(tmp_path, "appendix.docx", 日付表記="西暦", 条番号の数字="全角")
    rendered = render("appendix.docx", FACTS, sample_articles(), template_dirs=[folder])
    assert rendered.date_style == "western"
    assert {r[0]: r[1] for r in table_rows(rendered.data)[0]}[
        "契約期間"
    ] == "2026年4月1日から2027年3月31日まで"
    texts = [text for _, text in article_paragraphs(rendered.data)]
    assert (
        texts[1].startswith("第１条　")
        and texts[4].startswith("２　")
        and texts[5].startswith("３　")
    )
    # An explicit choice still wins over the template's setting.
    assert (
        render("appendix.docx", FACTS, [], date_style="wareki", template_dirs=[folder]).date_style
        == "wareki"
    )


def test_a_template_edited_in_the_configured_folder_is_used_at_once(tmp_path):
    folder = tmp_path / "city"
    folder.mkdir()
    shutil.copy(BUILTIN_DIR / "appendix.docx", folder / "appendix.docx")
    assert render("appendix.docx", FACTS, [], template_dirs=[folder]).date_style == "wareki"
    with_settings(folder, "appendix.docx", 日付表記="西暦")
    assert render("appendix.docx", FACTS, [], template_dirs=[folder]).date_style == "western"


def test_japanese_fonts_are_named_for_east_asian_text():
    document = read_docx(render("appendix.docx", FACTS, sample_articles()).data)
    styles = document.styles.element
    default_fonts = (
        styles.find(qn("w:docDefaults"))
        .find(qn("w:rPrDefault"))
        .find(qn("w:rPr"))
        .find(qn("w:rFonts"))
    )
    assert default_fonts.get(qn("w:eastAsia")) == "ＭＳ 明朝"
    assert default_fonts.get(qn("w:eastAsiaTheme")) is None  # a theme font would override the name
    for name, font in (
        ("Normal", "ＭＳ 明朝"),
        ("条文", "ＭＳ 明朝"),
        ("文書表題", "ＭＳ ゴシック"),
    ):
        fonts = document.styles[name].element.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) == font, name
    font_table = (
        zipfile.ZipFile(io.BytesIO(render("appendix.docx", FACTS, []).data))
        .read("word/fontTable.xml")
        .decode()
    )
    assert 'w:name="ＭＳ 明朝"' in font_table and 'w:val="MS Mincho"' in font_table


def test_footer_numbers_pages_with_a_page_field():
    document = read_docx(render("appendix.docx", FACTS, sample_articles()).data)
    footer = document.sections[0].footer._element
    instructions = [node.text.strip() for node in footer.iter(qn("w:instrText"))]
    assert "PAGE" in instructions and "NUMPAGES" in instructions
    assert len(list(footer.iter(qn("w:fldChar")))) == 6  # begin/separate/end for each field


def test_signature_block_names_both_parties_with_seal_marks():
    signature = table_rows(render("appendix.docx", FACTS, sample_articles()).data)[-1]
    assert signature[0][:3] == ["発注者", "住所", "みほん県みほん市中央町1番1号"]
    assert ["", "代表者", "みほん市長　見本 一郎", "印"] in signature
    assert ["受注者", "住所", "兵庫県豊岡市城南町1番1号", ""] in signature
    assert ["", "名称", "但馬情報システム株式会社", ""] in signature
    # No blank a signer could take for a gap: the counterparty's signatory is a labelled field.
    assert ["", "代表者", "（代表者の職・氏名を記入し、押印）", "印"] == signature[-1]


def test_clause_text_is_data_never_template_code():
    hostile = [
        Article(
            "見出し<b>&</b>",
            [
                "{{ config }} {% for x in range(3) %}x{% endfor %} <w:p/> & \x07\x00終",
                "改行を\n含む段落",
            ],
            99,
            [],
        )
    ]
    data = render("appendix.docx", FACTS, hostile).data
    texts = [text for _, text in article_paragraphs(data)]
    assert texts[0] == "（見出し<b>&</b>）"
    assert texts[1] == "第1条　{{ config }} {% for x in range(3) %}x{% endfor %} <w:p/> & 終"
    assert texts[2] == "2　改行を\n含む段落"


def test_empty_paragraphs_are_dropped_and_headings_normalised():
    numbered = docx_writer.numbered_articles([Article("(返還等)", ["", "  本文。  ", "\n"], 1, [])])
    assert numbered[0]["heading"] == "（返還等）"
    assert numbered[0]["paragraphs"] == [{"label": "第1条", "text": "本文。"}]


def test_cloud_requirements_template():
    facts = {
        "document_title": "クラウドサービス利用に係るセキュリティ要件",
        "contract_title": "電子申請サービス",
        "service_name": "電子申請サービス",
        "contractor_name": "クラウド株式会社",
        "contractor_address": "",
        "purpose": "各種申請の受付",
        "department_name": "情報政策課",
        "confidentiality_text": "機密性2以上の情報を取り扱う",
        "data_location": "日本国内",
        "governing_law": "日本法",
        "jurisdiction": "神戸地方裁判所",
        "ismap_text": "ISMAP 登録番号 C0000",
    }
    data = render("cloud_requirements.docx", facts, sample_articles()).data
    texts = body_texts(data)
    assert texts[0] == "クラウドサービス利用に係るセキュリティ要件"
    rows = {r[0]: r[1] for r in table_rows(data)[0]}
    assert rows["データの保管場所"] == "日本国内" and rows["受注者"] == "クラウド株式会社"
    assert rows["ISMAP登録"] == "ISMAP 登録番号 C0000"
    assert [t for _, t in article_paragraphs(data)][1].startswith("第1条　")


def test_sns_procedure_template():
    facts = {
        "document_title": "SNS運用手順",
        "account_title": "豊岡市公式X",
        "platform": "X（旧Twitter）",
        "handle": "@toyooka_city",
        "account_url": "https://x.com/toyooka_city",
        "department_name": "広報課",
        "responsible_name": "広報課長 山田",
        "operators": ["広報係 佐藤", "広報係 鈴木"],
        "purpose": "市政情報の発信",
        "posting_rules": "イベント、募集、防災情報",
        "operating_procedure": "投稿は係長の確認を経る。",
        "official_list_url": "https://www.city.example.jp/sns",
        "credential_custodian": "広報係長",
        "mfa_text": "有効",
        "recovery_contact": "sns-admin@city.example.jp",
        "verified_text": "認証バッジを取得している。",
        "issued_on": date(2026, 5, 1),
    }
    facts["verified_label"] = "取得済み"
    data = render("sns_procedure.docx", facts, sample_articles()).data
    texts = body_texts(data)
    assert texts[:3] == ["SNS運用手順", "豊岡市公式X", "作成日　令和8年5月1日"]
    rows = {r[0]: r[1] for r in table_rows(data)[0]}
    assert rows["責任者"] == "広報課長 山田" and rows["運用担当者"] == "広報係 佐藤\n広報係 鈴木"
    assert rows["投稿してよい内容"] == "イベント、募集、防災情報"
    assert (
        rows["市公式サイトでの掲載"] == "https://www.city.example.jp/sns"
        and rows["認証バッジ"] == "取得済み"
    )
    assert rows["復旧用の連絡先"] == "sns-admin@city.example.jp" and rows["多要素認証"] == "有効"
    assert texts[3].startswith("広報課は、上記アカウント（以下「本アカウント」という。）")
    # The rules are the clause library's articles, numbered like any other document's.
    assert [t for _, t in article_paragraphs(data)][:2] == [
        "（基本的事項）",
        "第1条　" + sample_articles()[0].paragraphs[0],
    ]
    assert texts[-2:] == ["附　則", "本手順は、令和8年5月1日から施行する。"]


def test_unknown_or_path_like_template_names_are_refused():
    for name in ("missing.docx", "../appendix.docx", "sub/appendix.docx"):
        with pytest.raises(docx_writer.TemplateNotFound):
            render(name, FACTS, [])


def test_committed_templates_are_what_the_build_script_makes(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "build_templates", BUILTIN_DIR / "build_templates.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for path in module.build(tmp_path):
        assert path.read_bytes() == (BUILTIN_DIR / path.name).read_bytes(), (
            f"rerun build_templates.py for {path.name}"
        )
