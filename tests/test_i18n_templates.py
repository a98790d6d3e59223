"""Templates translate through ``web.i18n``'s gettext functions (one catalogue lookup per locale,
not per string): same output as Flask-Babel's own Jinja callables, in and out of requests, and
``force_locale`` inside a request still wins."""

from __future__ import annotations

import contextvars

from flask import render_template_string, session
from flask_babel import force_locale, get_translations, refresh
from jinja2 import Environment

from vendorguard.web import i18n

TEMPLATE = (
    "{{ _('ホーム') }}|{{ gettext('ログアウト') }}|{{ _('全%(total)d件', total=3) }}"
    "|{{ _('%(city)s情報セキュリティ基本方針 6(8) 対応', city='<b>市') }}"
    "|{{ ngettext('督促のメールを%(num)d件送りました。', '督促のメールを%(num)d件送りました。', 1) }}"
    "|{{ _('まだ訳のない 100%% の文') }}"
)


def _stock_render(source: str) -> str:
    """What Jinja's i18n extension with Flask-Babel's callables renders (the reference)."""
    env = Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: get_translations().ugettext(s),
        ngettext=lambda s, p, n: get_translations().ungettext(s, p, n),
        newstyle=True,
    )
    return env.from_string(source).render()


def test_template_strings_match_flask_babels_callables_in_both_languages(app):
    for locale in ("ja", "en"):
        with app.test_request_context(), force_locale(locale):
            ours = render_template_string(TEMPLATE)
            assert ours == _stock_render(TEMPLATE)
    with app.test_request_context(), force_locale("en"):
        html = render_template_string(TEMPLATE)
    assert html.startswith("Home|Log out|3 in total|Implements the &lt;b&gt;市 Basic")
    assert html.endswith("|Sent 1 reminder mail.|まだ訳のない 100% の文")


def test_the_request_language_applies_and_force_locale_inside_it_wins(app):
    with app.test_request_context():
        session["locale"] = "en"  # the visitor's choice (select_locale reads it)
        assert render_template_string("{{ _('ホーム') }}") == "Home"  # now cached for the request
        with force_locale("ja"):  # a mail or calendar text rendered during the request
            assert render_template_string("{{ _('ホーム') }}") == "ホーム"
            with force_locale("en"):
                assert render_template_string("{{ _('ホーム') }}") == "Home"
            assert render_template_string("{{ _('ホーム') }}") == "ホーム"
        assert render_template_string("{{ _('ホーム') }}") == "Home"
        session["locale"] = "ja"
        refresh()  # a choice changed within the request takes effect, as with Flask-Babel
        assert render_template_string("{{ _('ホーム') }}") == "ホーム"


def test_templates_render_outside_requests(app):
    template = app.jinja_env.from_string("{{ _('ホーム') }}{{ _('全%(total)d件', total=2) }}")
    with app.app_context():  # commands and jobs: the default language
        assert template.render() == "ホーム全2件"
        with force_locale("en"):  # a mail to an English-speaking user from a job
            assert template.render() == "Home2 in total"
        assert template.render() == "ホーム全2件"
    # No application context at all (a fresh context: the fixture holds one): the message ids.
    assert contextvars.Context().run(template.render) == "ホーム全2件"
    assert isinstance(i18n.translations(), type(get_translations()))


def test_python_gettext_and_lazy_labels_follow_the_request_and_force_locale(app):
    from flask_babel import gettext, lazy_gettext

    label = lazy_gettext("ホーム")
    with app.test_request_context():
        session["locale"] = "en"
        assert (gettext("ホーム"), str(label)) == ("Home", "Home")
        with force_locale("ja"):
            assert (gettext("ホーム"), str(label)) == ("ホーム", "ホーム")
            assert gettext("全%(total)d件", total=4) == "全4件"
        assert gettext("全%(total)d件", total=4) == "4 in total"
    with app.app_context():  # a job or command: the default language
        assert str(label) == "ホーム"
    # No application context at all (a fresh context: the fixture holds one): the message id.
    assert contextvars.Context().run(str, label) == "ホーム"
