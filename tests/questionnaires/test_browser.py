"""Issue 10's acceptance journey in a real browser (Debian's Chromium through Playwright).

An officer sends the shipped self-check; the contractor answers it in the portal, one answer a
finding with an attached PDF, and submits; the officer records the finding (an action, 措置);
the contractor answers the remediation request with a file; the officer closes it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.factories import PASSWORD
from tests.portal.conftest import pdf_bytes
from vendorguard.assessments.models import Action, ActionStatus
from vendorguard.core.timeutil import today_tokyo
from vendorguard.extensions import db
from vendorguard.questionnaires.models import (
    Answer,
    AnswerFile,
    QuestionnaireRequest,
    RequestStatus,
    Review,
)

pytestmark = pytest.mark.browser

FINDING = "OUT-07-1"  # 誓約書を徴していますか → いいえ


def _sign_in(page, base: str, user) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def _answer_visible(page) -> None:
    """Answer every question on the page that is still empty: はい, the first choice, a date …"""
    for block in page.locator("#answers .question").all():
        code = block.get_attribute("data-code")
        radios = block.locator("input[type=radio]")
        if radios.count():
            if not block.locator("input[type=radio]:checked").count():
                value = "no" if code == FINDING else ("yes" if code != "OUT-10-3" else "no")
                wanted = block.locator(f"input[type=radio][value={value}]")
                (wanted if wanted.count() else radios.first).check()
            continue
        boxes = block.locator("input[type=checkbox]")
        if boxes.count():
            boxes.first.check()
            continue
        text = block.locator("input[type=text]:not([name^=c]), textarea")
        if text.count() and not text.first.input_value():
            name = text.first.get_attribute("name") or ""
            placeholder = text.first.get_attribute("placeholder") or ""
            text.first.fill("2026-04-15" if "令和" in placeholder else "8" if name else "")


def _attach(page, code: str, name: str) -> None:
    form = page.locator(f"form.upload-form[data-code='{code}']")
    form.locator("input[type=file]").set_input_files(
        files=[{"name": name, "mimeType": "application/pdf", "buffer": pdf_bytes(code)}]
    )
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=件のファイルを添付しました")


def test_self_check_journey(live_server, page, browser, world):
    base = live_server
    page.on("dialog", lambda dialog: dialog.accept())
    _sign_in(page, base, world.officer)
    page.goto(f"{base}/engagements/{world.engagement.id}")
    page.click("#self-check a:has-text('自己点検を送付')")
    page.select_option("#template_id", str(world.template.id))
    page.fill("#due_on", (today_tokyo() + timedelta(days=30)).isoformat())
    page.click("form.card button[type=submit]")
    page.wait_for_selector("text=自己点検の点検票を送付しました")
    request_id = db.session.scalars(select(QuestionnaireRequest.id)).one()

    contractor = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    portal = contractor.new_page()
    portal.on("dialog", lambda dialog: dialog.accept())
    _sign_in(portal, base, world.contractor_user)
    portal.goto(f"{base}/questionnaires/portal/")
    portal.click("text=委託先情報セキュリティ自己点検")
    portal.wait_for_selector("#missing")
    _answer_visible(portal)
    portal.click("#save-draft")
    portal.wait_for_selector("text=回答を一時保存しました")
    _answer_visible(portal)  # follow-up questions opened by the first answers
    portal.click("#save-draft")
    portal.wait_for_selector("text=回答を一時保存しました")
    _attach(portal, FINDING, "誓約書の様式.pdf")
    _attach(portal, "OUT-05-3", "研修記録.pdf")
    assert "すべて回答済みです" in portal.locator("#missing").inner_text()
    portal.click("#submit-final")
    portal.wait_for_selector("text=点検票を提出しました")
    assert db.session.get(QuestionnaireRequest, request_id).status == RequestStatus.SUBMITTED

    page.goto(f"{base}/questionnaires/{request_id}")
    row = page.locator(f"tr[data-code='{FINDING}']")
    assert "誓約書の様式.pdf" in row.inner_text()
    row.locator("textarea[name=remediation]").fill("全作業者から守秘義務の誓約書を徴してください。")
    row.locator("input[name=due_on]").fill((today_tokyo() + timedelta(days=60)).isoformat())
    row.locator("button:has-text('指摘として記録')").click()
    page.wait_for_selector("text=指摘を記録し、措置を作成しました")
    db.session.expire_all()
    answer = db.session.scalars(select(Answer).where(Answer.action_id.is_not(None))).one()
    assert answer.review == Review.FINDING

    portal.goto(f"{base}/questionnaires/portal/{request_id}")
    remediation = portal.locator(f"#remediation .remediation[data-code='{FINDING}']")
    remediation.locator("textarea[name=response]").fill("全作業者12名から誓約書を徴しました。")
    remediation.locator("input[type=file]").set_input_files(
        files=[{"name": "誓約書.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes("pledge")}]
    )
    remediation.locator("button[type=submit]").click()
    portal.wait_for_selector("text=改善の報告を送信しました")
    contractor.close()

    page.goto(f"{base}/questionnaires/{request_id}")
    row = page.locator(f"tr[data-code='{FINDING}']")
    assert (
        "全作業者12名から誓約書を徴しました" in row.inner_text()
        and "誓約書.pdf" in row.inner_text()
    )
    row.locator("textarea[name=resolution]").fill("誓約書12名分を確認した。")
    row.locator("button:has-text('措置を完了にする')").click()
    page.wait_for_selector("text=措置を完了にしました")
    page.click("button:has-text('確認を完了する')")
    page.wait_for_selector("text=点検票の確認を完了しました")
    db.session.expire_all()
    assert db.session.get(QuestionnaireRequest, request_id).status == RequestStatus.CLOSED
    assert db.session.get(Action, answer.action_id).status == ActionStatus.CLOSED
    assert (
        db.session.scalar(
            select(db.func.count(AnswerFile.id)).where(AnswerFile.remediation.is_(True))
        )
        == 1
    )
