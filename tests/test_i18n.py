"""The English catalog is complete and compiled; Japanese is the default everywhere."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "vendorguard" / "translations" / "en" / "LC_MESSAGES"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
METHODS = [
    ("vendorguard/**.py", "python"),
    ("templates/**.html", "jinja2"),
    ("templates/**.txt", "jinja2"),
]


def _source_ids() -> set[str]:
    ids: set[str] = set()
    for _, _, message, _, _ in extract_from_dir(str(ROOT), METHODS, keywords=KEYWORDS):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


def _catalog():
    with open(CATALOG / "messages.po", "rb") as handle:
        return read_po(handle)


def test_every_message_in_code_and_templates_has_an_english_translation():
    catalog = _catalog()
    missing = sorted(
        mid for mid in _source_ids() if not (catalog.get(mid) and catalog.get(mid).string)
    )
    assert not missing, (
        f"{len(missing)} untranslated (run scripts/i18n and translate): {missing[:20]}"
    )


def test_compiled_catalog_matches_the_po_file():
    catalog = _catalog()
    with open(CATALOG / "messages.mo", "rb") as handle:
        compiled = read_mo(handle)
    # Plural entries: the .po reader gives a tuple of forms, the .mo reader a list.
    expected = {
        m.id if isinstance(m.id, str) else m.id[0]: (
            m.string if isinstance(m.string, str) else tuple(m.string)
        )
        for m in catalog
        if m.id and m.string and not m.fuzzy
    }
    actual = {
        m.id if isinstance(m.id, str) else m.id[0]: (
            m.string if isinstance(m.string, str) else tuple(m.string)
        )
        for m in compiled
        if m.id
    }
    assert actual == expected, "messages.mo is stale: run scripts/i18n"


def test_pages_are_japanese_by_default_and_english_on_request(client, make, login_as):

    html = client.get("/login").get_data(as_text=True)
    assert "ログイン" in html and 'lang="ja"' in html
    client.post("/language", data={"locale": "en", "next": "/login"})
    html = client.get("/login").get_data(as_text=True)
    assert 'lang="en"' in html and "Log in" in html


def test_english_counts_take_the_singular_for_one(app):
    from flask_babel import force_locale, ngettext

    message = "「%(title)s」を提出しました（%(count)d件のファイル）。市の担当課が内容を確認します。"
    with app.test_request_context(), force_locale("en"):
        assert ngettext(message, message, 1, title="報告", count=1).startswith(
            'Submitted "報告" (1 file).'
        )
        assert "(2 files)" in ngettext(message, message, 2, title="報告", count=2)
    with app.test_request_context(), force_locale("ja"):
        assert "（1件のファイル）" in ngettext(message, message, 1, title="報告", count=1)
