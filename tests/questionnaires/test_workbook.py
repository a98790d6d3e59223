"""The .xlsx round trip: download, fill with openpyxl, upload; a bad cell is refused by position."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.questionnaires.conftest import send
from vendorguard.extensions import db
from vendorguard.questionnaires import services
from vendorguard.questionnaires.models import Answer
from vendorguard.questionnaires.workbook import ANSWER_COL, ANSWER_SHEET, FIRST_ROW


def _download(client, request_id):
    response = client.get(f"/questionnaires/portal/{request_id}/workbook")
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.data))


def _fill(book, sheet):
    ws = book[ANSWER_SHEET]
    by_code = {q.code: q for q in sheet.questions}
    rows = {}
    for row in range(FIRST_ROW, ws.max_row + 1):
        code = ws.cell(row=row, column=1).value
        if not code:
            continue
        q = by_code[code]
        rows[code] = row
        value = {"yes_no": "はい", "date": "2026-05-01", "number": 7, "text": "記載"}.get(
            q.qtype.value
        )
        if q.qtype.value in ("single", "multiple"):
            value = q.choices[0]
        ws.cell(row=row, column=ANSWER_COL, value=value)
    return rows


def _upload(client, request_id, book):
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return client.post(
        f"/questionnaires/portal/{request_id}/workbook/upload",
        data={"workbook": (out, "回答.xlsx")},
        content_type="multipart/form-data",
    )


def test_workbook_round_trip_and_refusal_by_cell(world, client, login_as):
    req = send(world)
    login_as(world.contractor_user)
    book = _download(client, req.id)
    ws = book[ANSWER_SHEET]
    assert "記入方法" in book.sheetnames and ws.protection.sheet
    assert ws.cell(row=FIRST_ROW, column=3).protection.locked
    assert not ws.cell(row=FIRST_ROW, column=ANSWER_COL).protection.locked
    assert any("はい" in (dv.formula1 or "") for dv in ws.data_validations.dataValidation)

    sheet = services.load_sheet(db.session, req.id)
    rows = _fill(book, sheet)
    bad_row = rows["OUT-02-2"]
    book[ANSWER_SHEET].cell(row=bad_row, column=ANSWER_COL, value="たくさん")
    response = _upload(client, req.id, book)
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f"<td>{ANSWER_SHEET}</td><td>{bad_row}</td><td>F</td>" in text and "数値" in text
    assert db.session.scalar(select(func.count(Answer.id))) == 0  # nothing stored

    book[ANSWER_SHEET].cell(row=bad_row, column=ANSWER_COL, value=12)
    assert _upload(client, req.id, book).status_code == 302
    db.session.expire_all()
    sheet = services.load_sheet(db.session, req.id)
    by_code = {q.code: q for q in sheet.questions}
    assert sheet.value(by_code["OUT-02-2"]) == 12
    assert sheet.value(by_code["OUT-01-1"]) == "yes"
    assert sheet.value(by_code["OUT-05-1"]) == "2026-05-01"
