"""A hand-made document with one of each mistake the lint must catch."""

from __future__ import annotations

import io
from datetime import date

from vendorguard.documents.docx_writer import render


class _Article:
    def __init__(self, heading, paragraphs, codes=()):
        self.heading, self.paragraphs, self.requirement_codes = heading, paragraphs, list(codes)
        self.clause_version_id = None


def broken_document() -> bytes:
    """Another city, an unlabelled blank, a stray 「この契約」, a dangling 第9条 …"""
    facts = {
        "document_title": "情報セキュリティに関する特記事項",
        "contract_title": "業務",
        "contract_number": "",  # blank cell in the cover table
        "contractor_name": "但馬システム株式会社",
        "contractor_address": "住所",
        "department_name": "市民課",
        "city_name": "豊岡市",  # not the profile's city
        "city_address": "所在地",
        "city_representative": "市長",
        "contractor_signatory": "（記名押印）",
        "starts_on": date(2026, 4, 1),
        "ends_on": date(2027, 3, 31),
    }
    articles = [
        _Article(
            "基本的事項", ["受注者は、この契約を守る。{{ leftover }}", "第9条のとおりとする。"]
        ),
        _Article(
            "再委託",
            [
                "受注者は、発注者の承諾を得て再委託することができる。",
                "再委託先は、次のとおりとする。",
            ],
        ),
    ]
    return render("appendix.docx", facts, articles).data


__all__ = ["broken_document", "io"]
