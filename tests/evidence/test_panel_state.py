"""The evidence panel's state: the first items and the counts, as the full assurance state has them."""

from __future__ import annotations

from tests.evidence.helpers import day, store
from tests.evidence.test_assurance import _accept, _request
from vendorguard.auth.roles import Role
from vendorguard.evidence import services
from vendorguard.evidence.assurance import assurance_for
from vendorguard.evidence.panel_state import panel_state
from vendorguard.extensions import db

TODAY = day("2026-11-28")


def _shown(state, shown: int):
    items = [(i.kind, i.title, i.on, i.request_id, i.occurrence) for i in state.items[:shown]]
    return (state.status, state.label, state.badge, state.item_count, state.problem_count, items)


def _same_as_the_full_state(engagement, today, shown=5):
    full = assurance_for(db.session, engagement, today)
    panel = panel_state(db.session, engagement, today, shown=shown)
    assert len(panel.items) == min(shown, full.item_count)
    assert _shown(panel, shown) == _shown(full, shown)
    return panel


def test_the_panel_reads_the_first_items_in_order_and_counts_the_rest(make):
    engagement = make.engagement()
    admin = make.user(Role.ADMIN)
    for due, title in (
        ("2026-11-02", "週次報告"),
        ("2026-11-20", "月次報告"),
        ("2026-11-09", "点検"),
    ):
        _request(engagement, due, title=title)
    rejected = _request(engagement, "2026-11-25", title="教育記録")
    review = services.submit(db.session, rejected, [store()], "", via="internal")
    services.review(db.session, review, "rejected", admin, reason="名簿なし", today=TODAY)
    services.submit(
        db.session,
        _request(engagement, "2026-11-26", title="従事者名簿"),
        [store()],
        "",
        via="internal",
    )
    upcoming = _request(engagement, "2026-12-10", title="研修記録")
    review = services.submit(db.session, upcoming, [store()], "", via="internal")
    services.review(db.session, review, "rejected", admin, reason="日付なし", today=TODAY)
    db.session.commit()
    certificate = _request(engagement, "2025-12-01", title="ISMS登録証の写し", validity_days=365)
    _accept(certificate, admin, on=day("2025-12-01"))  # valid until 2026-12-01: expiring

    panel = _same_as_the_full_state(engagement, TODAY)
    assert (panel.item_count, panel.problem_count, panel.label) == (7, 5, "要対応 5件")
    assert [i.kind for i in panel.items] == ["overdue"] * 3 + ["rejected", "submitted"]
    assert [i.title for i in panel.items[:3]] == ["週次報告", "点検", "月次報告"]  # by due date
    _same_as_the_full_state(engagement, TODAY, shown=2)
    _same_as_the_full_state(engagement, day("2026-12-02"), shown=10)  # expired, due today


def test_the_panel_states_without_problems(make):
    none = make.engagement()
    assert _same_as_the_full_state(none, TODAY).status == "none"
    pending = make.engagement()
    _request(pending, "2026-12-10")
    assert _same_as_the_full_state(pending, TODAY).status == "pending"
    warned = make.engagement()
    _accept(
        _request(warned, "2025-12-01", validity_days=365),
        make.user(Role.ADMIN),
        on=day("2025-12-01"),
    )
    panel = _same_as_the_full_state(warned, TODAY)
    assert (panel.status, panel.badge, [i.kind for i in panel.items]) == (
        "confirmed",
        "badge-warn",
        ["expiring"],
    )


def test_the_engagement_page_lists_five_and_says_how_many_more(client, login_as, make):
    engagement = make.engagement()
    for n in range(7):
        _request(engagement, f"2026-11-{n + 10:02d}", title=f"報告{n}")
    login_as(make.user(Role.ADMIN))
    page = client.get(f"/engagements/{engagement.id}").get_data(as_text=True)
    assert "要対応 7件" in page and "ほか2件" in page
    assert "報告4" in page and "報告5" not in page
