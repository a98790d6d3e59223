"""The officer's home page section and the engagement page's self-check panel."""

from __future__ import annotations

from datetime import timedelta

from tests.questionnaires.conftest import send
from vendorguard.core.timeutil import today_tokyo
from vendorguard.extensions import db
from vendorguard.questionnaires.models import QuestionnaireRequest, RequestStatus


def test_home_shows_what_to_send_and_review(world, client, login_as):
    login_as(world.officer)
    page = client.get("/?open=self_checks_send").get_data(as_text=True)
    assert 'id="block-self_checks_send"' in page and world.engagement.title in page
    req = send(world)
    request = db.session.get(QuestionnaireRequest, req.id)
    request.status = RequestStatus.SUBMITTED
    db.session.commit()
    page = client.get("/?open=self_checks_review").get_data(as_text=True)
    assert f"/questionnaires/{req.id}" in page


def test_panel_states(world, client, login_as):
    login_as(world.officer)
    url = f"/engagements/{world.engagement.id}"
    assert "この年度の自己点検はまだ送付していません" in client.get(url).get_data(as_text=True)
    req = send(world)
    assert 'data-state="due"' in client.get(url).get_data(as_text=True)
    request = db.session.get(QuestionnaireRequest, req.id)
    request.due_on = today_tokyo() - timedelta(days=1)
    db.session.commit()
    assert 'data-state="overdue"' in client.get(url).get_data(as_text=True)
    request = db.session.get(QuestionnaireRequest, req.id)
    request.status = RequestStatus.CLOSED
    db.session.commit()
    assert 'data-state="done"' in client.get(url).get_data(as_text=True)


def test_home_lists_an_overdue_self_check_with_its_department_and_date(world, client, login_as):
    req = send(world)
    request = db.session.get(QuestionnaireRequest, req.id)
    request.due_on = today_tokyo() - timedelta(days=2)
    db.session.commit()
    login_as(world.officer)

    page = client.get("/").get_data(as_text=True)

    block = page[page.index('id="block-self_checks_overdue"') :]
    block = block[: block.index("</section>")]
    assert f'href="/questionnaires/{req.id}"' in block and world.engagement.title in block
    assert "市民課" in block and "期限切れ（2日経過）" in block
