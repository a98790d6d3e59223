"""Table headers as assistive technology expects them: the sort state on the column header
(WAI-ARIA ``aria-sort`` belongs on ``th``, axe-core flags it on a link) and no empty header."""

from __future__ import annotations

import re
from pathlib import Path

from lxml import html as lxml_html

from vendorguard.auth.roles import Role

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def test_a_sorted_list_marks_its_sorted_column_header_only(client, make, login_as):
    make.contractor(name="株式会社テスト")
    login_as(make.user(Role.ADMIN))
    tree = lxml_html.fromstring(
        client.get("/contractors/?sort=number&dir=desc").get_data(as_text=True)
    )
    sorted_headers = tree.xpath("//th[@aria-sort]")
    assert [(th.text_content().strip(), th.get("aria-sort")) for th in sorted_headers] == [
        ("法人番号", "descending")
    ]
    assert tree.xpath("//a[@aria-sort]") == []
    assert all(th.get("scope") == "col" for th in tree.xpath("//th[a[contains(@class,'sort')]]"))


def test_no_template_puts_aria_sort_on_a_link_or_leaves_a_header_empty():
    offenders = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        if re.search(r"<a\b[^>]*aria-sort", text) or re.search(r"<th\b[^>]*>\s*</th>", text):
            offenders.append(str(path.relative_to(TEMPLATES)))
    assert offenders == []
