"""(Re)create oversight_report.docx, the yearly oversight report's Word template, with python-docx.

    .venv/bin/python contract_templates/build_oversight_report.py

It reuses build_templates.py's styles and helpers, so the report looks like the other documents;
the .docx is committed and the city edits it in Word (wording, letterhead, which tables to keep).
Rerunning this script overwrites edits made in Word.

Placeholders (docxtpl): ``{{ fiscal_year_text }}``, ``{{ total.engagements }}`` …; table rows
between ``{%tr for … %}`` and ``{%tr endfor %}`` repeat per department or tier; ``{{ charts.… }}``
are the bar charts as pictures (the code draws them). vendorguard.oversight.exports lists every
value the template may use.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from build_templates import CITY, _base, _reproducible, _table  # noqa: E402

NAME = "oversight_report.docx"
# Per-department / per-tier table: label, then done/required pairs.
COLUMNS = [
    ("区分", "{{ row.label }}", Mm(40)),
    ("業務委託", "{{ row.engagements }}", Mm(18)),
    ("要件網羅", "{{ row.covered }}/{{ row.engagements }}", Mm(20)),
    ("証跡 依頼/受領/受理", "{{ row.requests }}/{{ row.received }}/{{ row.accepted }}", Mm(30)),
    ("証跡 期限超過", "{{ row.overdue }}", Mm(20)),
    ("確認 実施/必要", "{{ row.assessments_done }}/{{ row.assessments_required }}", Mm(25)),
    ("自己点検 完了/必要", "{{ row.self_checks_done }}/{{ row.self_checks_required }}", Mm(25)),
    ("実地検査 実施/必要", "{{ row.inspections_done }}/{{ row.inspections_required }}", Mm(25)),
    ("措置 未完了(超過)", "{{ row.actions_open }}({{ row.actions_overdue }})", Mm(25)),
    ("認証 期限到来", "{{ row.certificates_expiring }}", Mm(20)),
]
ISMAP_KEYS = (
    "label",
    "services",
    "registered",
    "expiring",
    "renewal_pending",
    "expired",
    "left_list",
    "not_registered",
    "high_without_ismap",
)


def _figures_table(document, loop: str, first_header: str) -> None:
    header = tuple(first_header if n == 0 else c[0] for n, c in enumerate(COLUMNS))
    blank = ("",) * (len(COLUMNS) - 1)
    _table(
        document,
        [
            header,
            (f"{{%tr for row in {loop} %}}", *blank),
            tuple(c[1] for c in COLUMNS),
            ("{%tr endfor %}", *blank),
            ("合計", *(c[1].replace("row.", "total.") for c in COLUMNS[1:])),
        ],
        [c[2] for c in COLUMNS],
    )


def oversight_report():
    """委託先等の監督状況報告: a fiscal year's oversight figures for the CISO and the committee."""
    document = _base("{{ document_title }}")
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(20), Mm(20)
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    header.text = f"{CITY}　{{{{ fiscal_year_text }}}}"
    document.add_paragraph("{{ document_title }}", style="文書表題")
    document.add_paragraph("{{ fiscal_year_text }}（{{ period_text }}）", style="副題")
    _table(
        document,
        [
            ("宛先", "最高情報セキュリティ責任者（CISO）・情報セキュリティ委員会"),
            ("対象期間", "{{ period_text }}"),
            ("集計基準日", "{{ as_of_text }}"),
            ("作成日", "{{ generated_text }}"),
        ],
        [Mm(40), Mm(120)],
    )
    document.add_paragraph(
        "{{ city_name }}が業務を委託し、又は利用する外部サービス・ソーシャルメディアについて、"
        "{{ fiscal_year_text }}の監督の状況を次のとおり報告する。",
        style="前文",
    )
    document.add_paragraph("1　概要", style="節見出し")
    for line in (
        "対象の業務委託 {{ total.engagements }}件のうち、契約が網羅すべき要件をすべて満たすもの"
        " {{ total.covered }}件（未網羅の要件 {{ total.gaps }}件）。",
        "証跡の提出依頼 {{ total.requests }}件、受領 {{ total.received }}件、受理 {{ total.accepted }}件、"
        "期限超過 {{ total.overdue }}件。",
        "確認（アセスメント） {{ total.assessments_done }}件（必要 {{ total.assessments_required }}件）、"
        "自己点検 {{ total.self_checks_done }}件（必要 {{ total.self_checks_required }}件）、"
        "実地検査 {{ total.inspections_done }}件（必要 {{ total.inspections_required }}件）。",
        "年度内の指摘 {{ total.actions_raised }}件、是正完了 {{ total.actions_closed }}件、"
        "未完了の措置 {{ total.actions_open }}件（うち期限超過 {{ total.actions_overdue }}件）。",
        "年度内に有効期限を迎える認証 {{ total.certificates_expiring }}件"
        "（基準日までに期限切れ {{ total.certificates_expired }}件）。",
    ):
        document.add_paragraph(line)
    document.add_paragraph("2　所管課別の状況", style="節見出し")
    _figures_table(document, "departments", "所管課")
    document.add_paragraph("{{ charts.evidence }}").alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph("3　リスク区分別の状況", style="節見出し")
    _figures_table(document, "tiers", "リスク区分")
    document.add_paragraph("{{ charts.assessments }}").alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph("{{ charts.inspections }}").alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(
        "必要件数はリスク区分ごとの設定による：{{ policy_text }}。"
        "個人情報・特定個人情報を取り扱う業務は実地検査を年1回以上とする。"
    )
    document.add_paragraph("4　外部サービスのISMAP登録の状況", style="節見出し")
    _table(
        document,
        [
            (
                "所管課",
                "利用中",
                "登録済",
                "期限間近",
                "更新審査中",
                "期限切れ",
                "削除",
                "未登録",
                "機密性2以上でISMAPなし",
            ),
            ("{%tr for row in ismap %}", *("",) * 8),
            tuple("{{ row." + k + " }}" for k in ISMAP_KEYS),
            ("{%tr endfor %}", *("",) * 8),
            ("合計", *("{{ ismap_total." + k + " }}" for k in ISMAP_KEYS[1:])),
        ],
        [Mm(40), *[Mm(22)] * 7, Mm(40)],
    )
    document.add_paragraph("5　SNSアカウントの定期確認の状況", style="節見出し")
    _table(
        document,
        [
            ("所管課", "運用中のアカウント", "年度内に確認済", "確認期限超過"),
            ("{%tr for row in social %}", "", "", ""),
            (
                "{{ row.label }}",
                "{{ row.accounts }}",
                "{{ row.attested }}",
                "{{ row.attestation_overdue }}",
            ),
            ("{%tr endfor %}", "", "", ""),
            (
                "合計",
                "{{ social_total.accounts }}",
                "{{ social_total.attested }}",
                "{{ social_total.attestation_overdue }}",
            ),
        ],
        [Mm(50), Mm(35), Mm(35), Mm(35)],
    )
    document.add_paragraph("以上")
    return document


def build(directory: Path = HERE) -> Path:
    """Write the template into ``directory``; returns its path."""
    buffer = io.BytesIO()
    oversight_report().save(buffer)
    path = directory / NAME
    path.write_bytes(_reproducible(buffer.getvalue()))
    return path


if __name__ == "__main__":
    print(f"wrote {build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)}")
