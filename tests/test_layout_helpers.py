"""The rendering shortcuts (web/layout.py, web/rows.py) print what the templates printed."""

from __future__ import annotations

import itertools
from datetime import date
from types import SimpleNamespace

import pytest
from flask import url_for
from flask_babel import force_locale

from vendorguard.approvals.models import ApprovalState
from vendorguard.arrangements.models import ArrangementState
from vendorguard.auth.roles import Role
from vendorguard.cloud.models import TermsType
from vendorguard.engagements.models import RiskTier
from vendorguard.evidence.models import RequestStatus
from vendorguard.ismap.matching import IsmapStatus
from vendorguard.ismap.models import IsmapKind
from vendorguard.web.layout import page_pattern, url_pattern

# The macros as they were before web/rows.py took their place: the filters must print the same.
MACROS = """
{% macro state(value) -%}
  {% set classes = {'active': 'badge-ok', 'draft': 'badge-muted', 'suspended': 'badge-warn', 'ended': 'badge-muted'} %}
  <span class="badge {{ classes.get(value.value, 'badge-muted') }}">{{ value.label }}</span>
{%- endmacro %}
{% macro flags(engagement, high_confidentiality=False) -%}
  {% if engagement.handles_my_number %}<span class="badge badge-danger">{{ _('マイナンバー') }}</span>{% endif %}
  {% if engagement.handles_personal_info %}<span class="badge badge-warn">{{ _('個人情報') }}</span>{% endif %}
  {% if high_confidentiality %}<span class="badge badge-info">{{ _('機密性2以上') }}</span>{% endif %}
{%- endmacro %}
{% macro tier(value) -%}
  {% if value %}<span class="badge {{ value.badge }}" title="{{ _('リスク区分') }}">{{ value.label }}</span>{% endif %}
{%- endmacro %}
{% macro archived_badge(obj) -%}{% if obj.archived_at %}<span class="badge badge-muted">{{ _('アーカイブ済') }}</span>{% endif %}{%- endmacro %}
{% macro approval(state) -%}
  {%- set classes = {'approved': 'badge-ok', 'applied': 'badge-info', 'rejected': 'badge-danger', 'expired': 'badge-warn'} -%}
  <span class="badge {{ classes.get(state.value, 'badge-muted') }}">{{ state.label }}</span>
{%- endmacro %}
{% macro status_badge(evidence_request, today) -%}
  <span class="badge {{ evidence_request.status.badge }}">{{ evidence_request.status.label }}</span>
  {%- if evidence_request.is_overdue(today) %} <span class="badge badge-danger">{{ _('期限超過') }}</span>{% endif %}
{%- endmacro %}
{% macro due(evidence_request) -%}
  {{ evidence_request.due_on|day }}
  {%- if evidence_request.was_moved %}<br><small class="hint">{{ _('（本来 %(day)s・閉庁日のため繰下げ）', day=evidence_request.scheduled_due_on|day) }}</small>{% endif %}
{%- endmacro %}
{% macro risks(reasons) -%}
  {% for reason in reasons %}<span class="badge badge-danger">{{ _('要対応') }}：{{ reason }}</span> {% endfor %}
{%- endmacro %}
{% macro ismap(standing, prefix=False, kind=None, danger=False) -%}
  <span class="badge {{ 'badge-danger' if danger else standing.status.badge }}">{% if danger %}{{ _('要対応') }}{{ _('：') }}{% endif %}{% if kind %}{{ kind.label }} {% elif prefix %}ISMAP {% endif %}{{ standing.status.label }}</span>
{%- endmacro %}
{% macro traits(service, with_ismap=True) -%}
  {% if service.handles_high_confidentiality %}<span class="badge badge-warn">{{ _('機密性2以上') }}</span>{% endif %}
  {% if service.terms_type.value == 'standard_terms' %}<span class="badge badge-muted">{{ _('約款') }}</span>{% endif %}
  {% if with_ismap and service.ismap_registration_number and service.ismap_kind %}<span class="badge badge-muted">{{ service.ismap_kind.label }}</span>{% endif %}
{%- endmacro %}
{% macro gaps(account, today=None) -%}
  {% if not account.is_complete %}<span class="badge badge-danger">{{ _('未整備') }}</span>{% endif %}
  {% if account.mfa_enabled is none %}<span class="badge badge-warn">{{ _('多要素認証 未確認') }}</span>
  {% elif not account.mfa_enabled %}<span class="badge badge-danger">{{ _('多要素認証なし') }}</span>{% endif %}
  {% if not account.responsible_officer_id %}<span class="badge badge-danger">{{ _('責任者未指定') }}</span>{% endif %}
  {% if not account.official_list_url %}<span class="badge badge-warn">{{ _('公式サイト未掲載') }}</span>{% endif %}
  {% if account.attestation_overdue(today) %}<span class="badge badge-danger">{{ _('定期確認 期限切れ') }}</span>{% endif %}
  {% if account.verified_badge %}<span class="badge badge-ok">{{ _('認証バッジあり') }}</span>{% endif %}
{%- endmacro %}
"""


def _both(app, old: str, new: str, **values) -> tuple[str, str]:
    compiled = app.extensions.setdefault("test_templates", {})
    for source in (MACROS, old, new):
        if source not in compiled:
            compiled[source] = app.jinja_env.from_string(
                source if source is MACROS else "{{ " + source + " }}"
            )
    context = dict(values, m=compiled[MACROS].module)
    return compiled[old].render(context), compiled[new].render(context)


@pytest.mark.parametrize("locale", ["ja", "en"])
def test_row_filters_print_what_the_macros_printed(app, locale):
    with app.test_request_context(), force_locale(locale):
        for value in ArrangementState:
            old, new = _both(app, "m.state(v)", "v|engagement_state_badge", v=value)
            assert old == new
        for value in [*RiskTier, None]:
            old, new = _both(app, "m.tier(v)", "v|tier_badge", v=value)
            assert old == new
        for value in ApprovalState:
            old, new = _both(app, "m.approval(v)", "v|approval_state_badge", v=value)
            assert old == new
        for my_number, personal, high in itertools.product([False, True], repeat=3):
            row = SimpleNamespace(handles_my_number=my_number, handles_personal_info=personal)
            old, new = _both(app, "m.flags(e, h)", "e|engagement_flags(h)", e=row, h=high)
            assert old == new
        for archived_at in (None, date(2026, 4, 1)):
            row = SimpleNamespace(archived_at=archived_at)
            old, new = _both(app, "m.archived_badge(o)", "o|archived_badge", o=row)
            assert old == new
        for status, overdue in itertools.product(RequestStatus, [False, True]):
            row = SimpleNamespace(status=status, is_overdue=lambda today, o=overdue: o)
            old, new = _both(
                app, "m.status_badge(r, t)", "r|evidence_status_badge(t)", r=row, t=None
            )
            assert old == new
        for moved in (False, True):
            row = SimpleNamespace(
                due_on=date(2026, 5, 7),
                scheduled_due_on=date(2026, 5, 3) if moved else date(2026, 5, 7),
                was_moved=moved,
            )
            old, new = _both(app, "m.due(r)", "r|evidence_due", r=row)
            assert old == new
        for reasons in ([], ["<b>期限切れ</b>", "未登録"]):
            old, new = _both(app, "m.risks(r)", "r|cloud_risks", r=reasons)
            assert old == new
        for status, kind, prefix, danger in itertools.product(
            IsmapStatus, [None, *IsmapKind], [False, True], [False, True]
        ):
            standing = SimpleNamespace(status=status)
            old, new = _both(
                app,
                "m.ismap(s, p, k, d)",
                "s|ismap_badge(p, k, d)",
                s=standing,
                p=prefix,
                k=kind,
                d=danger,
            )
            assert old == new
        for high, terms, number, kind, with_ismap in itertools.product(
            [False, True], TermsType, [None, "1234"], [None, *IsmapKind], [False, True]
        ):
            service = SimpleNamespace(
                handles_high_confidentiality=high,
                terms_type=terms,
                ismap_registration_number=number,
                ismap_kind=kind,
            )
            old, new = _both(app, "m.traits(c, w)", "c|cloud_traits(w)", c=service, w=with_ismap)
            assert old == new
        for complete, mfa, officer, url, overdue, verified in itertools.product(
            [False, True],
            [None, False, True],
            [None, 1],
            [None, "https://x"],
            [False, True],
            [False, True],
        ):
            account = SimpleNamespace(
                is_complete=complete,
                mfa_enabled=mfa,
                responsible_officer_id=officer,
                official_list_url=url,
                attestation_overdue=lambda today, o=overdue: o,
                verified_badge=verified,
            )
            old, new = _both(app, "m.gaps(a, t)", "a|social_gaps(t)", a=account, t=None)
            assert old == new
        old = app.jinja_env.from_string(
            "{{ _('%(start)s〜%(end)s', start=a|day, end=b|day) }}"
        ).render(a=date(2026, 4, 1), b=date(2027, 3, 31))
        new = app.jinja_env.from_string("{{ a|day_range(b) }}").render(
            a=date(2026, 4, 1), b=date(2027, 3, 31)
        )
        assert old == new


@pytest.mark.parametrize("script_root", ["", "/vg"])
def test_url_patterns_build_what_url_for_builds(app, script_root):
    query = "/engagements/?q=%E7%A8%8E&x=a%26b&page=3"
    with app.test_request_context(query, base_url="http://localhost" + script_root):
        pattern = url_pattern("engagements.detail", "engagement_id")
        for engagement_id in (1, 42, 2**31 - 1):
            assert pattern.fill(engagement_id) == url_for(
                "engagements.detail", engagement_id=engagement_id
            )
        assert pattern.fill(42).startswith(script_root + "/engagements/")
        pages = page_pattern()
        for number in (1, 2, 200):
            args = {"q": "税", "x": "a&b", "page": number}
            assert pages.fill(number) == url_for("engagements.index", **args)
    # Without a page argument yet, the page comes last, as the macro's dict update put it.
    with app.test_request_context("/engagements/?q=x", base_url="http://localhost" + script_root):
        assert page_pattern().fill(2) == url_for("engagements.index", q="x", page=2)


def test_url_pattern_refuses_a_value_it_cannot_replace(app):
    with app.test_request_context("/"), pytest.raises(ValueError):
        url_pattern("engagements.detail", "engagement_id", _anchor="2147483647")


def test_menu_follows_role_page_language_and_script_root(app, client, make, login_as):
    admin = make.user(Role.ADMIN)
    login_as(admin)
    page = client.get("/engagements/").get_data(as_text=True)
    assert '<a href="/engagements/" aria-current="page">業務委託</a>' in page
    assert 'href="/admin/audit/"' in page  # the administrator's part of the menu
    other = client.get("/contractors/").get_data(as_text=True)
    assert '<a href="/engagements/" >業務委託</a>' in other
    assert '<a href="/contractors/" aria-current="page">' in other
    prefixed = client.get("/engagements/", base_url="http://localhost/vg").get_data(as_text=True)
    assert '<a href="/vg/engagements/" aria-current="page">業務委託</a>' in prefixed
    assert 'href="/vg/static/css/app.css"' in prefixed
    assert 'href="/vg/account/password"' in prefixed
    assert 'href="/static/css/app.css"' in client.get("/engagements/").get_data(as_text=True)
    client.post("/language", data={"locale": "en", "next": "/engagements/"})
    english = client.get("/engagements/").get_data(as_text=True)
    assert '<a href="/engagements/" aria-current="page">Engagement</a>' in english
    client.post("/logout")
    login_as(make.user(Role.AUDITOR))
    audit = client.get("/engagements/").get_data(as_text=True)
    assert 'href="/admin/users/"' not in audit  # not the administrator's menu
    assert 'href="/admin/users/"' in page
