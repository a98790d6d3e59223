"""The questionnaire as an Excel workbook: instructions sheet, answer sheet with drop-downs for
choices and every cell but the answers locked; reading it back checks every cell and names the
sheet, row and column of each problem."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import IO, Any

from flask import Response
from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from vendorguard.core.errors import DomainError
from vendorguard.evidence import filecheck
from vendorguard.questionnaires import answering
from vendorguard.questionnaires.models import QuestionType
from vendorguard.questionnaires.services import Sheet

ANSWER_SHEET = "回答"
INFO_SHEET = "記入方法"
HEADER_ROW = 3
FIRST_ROW = 4
COLUMNS = ("設問コード", "区分", "設問", "回答の種類", "選択肢", "回答", "補足")
CODE_COL, ANSWER_COL, COMMENT_COL = 1, 6, 7
MAX_ROWS = 2000
MAX_BYTES = 5 * 1024 * 1024
MAX_PROBLEMS = 100
FILL = PatternFill("solid", fgColor="FFF7D6")


class WorkbookRefused(DomainError):
    """The workbook was not taken; ``problems`` lists (sheet, row, column, message)."""

    def __init__(self, problems: list[tuple[str, int | None, str | None, str]]):
        super().__init__(_("Excel ファイルに誤りがあるため、取り込みませんでした。"))
        self.problems = problems


def _text(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # never a formula (core.export does the same for downloads)
    return value


def build(sheet: Sheet) -> bytes:
    """The workbook for one questionnaire (only the questions asked of this arrangement)."""
    book = Workbook()
    info = book.active
    info.title = INFO_SHEET
    req = sheet.request
    lines = [
        req.template_version.title,
        _(
            "対象期間：%(period)s　回答期限：%(due)s",
            period=req.period_label,
            due=req.due_on.isoformat(),
        ),
        "",
        _("記入方法"),
        _(
            "1. 「回答」シートの黄色の欄（回答・補足）だけに記入してください。その他の欄は変更できません。"
        ),
        _("2. はい／いいえ・選択式の設問は、欄を選ぶと表示される一覧から選んでください。"),
        _("3. 複数選択の設問は、選択肢を改行又は「、」で区切って入力してください。"),
        _("4. 日付は 2026-04-01 又は 令和8年4月1日 の形で入力してください。"),
        _(
            "5. 記入後、ポータルの「Excel から取り込む」でアップロードしてください。誤りがある場合は、シート・行・列を示してお知らせし、何も取り込みません。"
        ),
        _("6. ファイルの添付は、ポータルの画面から行ってください。"),
        "",
        *req.template_version.instructions.splitlines(),
    ]
    for row, line in enumerate(lines, start=1):
        info.cell(row=row, column=1, value=_text(line))
    info.column_dimensions["A"].width = 120
    info.protection.sheet = True

    ws = book.create_sheet(ANSWER_SHEET)
    ws.cell(row=1, column=1, value=_text(req.template_version.label)).font = Font(bold=True)
    for col, title in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=HEADER_ROW, column=col, value=title)
        cell.font = Font(bold=True)
    for col, width in zip(range(1, 8), (12, 22, 60, 16, 30, 24, 40), strict=True):
        ws.column_dimensions[get_column_letter(col)].width = width
    validations: dict[tuple[str, ...], DataValidation] = {}
    row = FIRST_ROW
    for section in sheet.sections:
        for question in section.questions:
            if question.id not in sheet.shown or question.qtype == QuestionType.FILE:
                continue
            options = [label for _value, label in question.options()]
            value = sheet.value(question)
            answer = sheet.answers.get(question.id)
            shown = answering.display(question, value)
            if question.qtype == QuestionType.MULTIPLE and isinstance(value, list):
                shown = "\n".join(value)
            cells = (
                question.code,
                section.title,
                question.text + (f"\n（{question.help}）" if question.help else ""),
                question.qtype_label,
                "、".join(options),
                shown,
                answer.comment if answer is not None else "",
            )
            for col, cell_value in enumerate(cells, start=1):
                cell = ws.cell(row=row, column=col, value=_text(cell_value))
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            for col in (ANSWER_COL, COMMENT_COL):
                ws.cell(row=row, column=col).protection = Protection(locked=False)
                ws.cell(row=row, column=col).fill = FILL
            if question.qtype in (QuestionType.YES_NO, QuestionType.SINGLE) and options:
                key = tuple(options)
                if key not in validations:
                    formula = '"' + ",".join(o.replace('"', "'") for o in options) + '"'
                    if len(formula) <= 255:
                        validations[key] = DataValidation(
                            type="list", formula1=formula, allow_blank=True
                        )
                        ws.add_data_validation(validations[key])
                if key in validations:
                    validations[key].add(ws.cell(row=row, column=ANSWER_COL))
            row += 1
    ws.freeze_panes = ws.cell(row=FIRST_ROW, column=1)
    ws.protection.sheet = True  # the question cells are locked; only answers and notes open
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def response(sheet: Sheet) -> Response:
    """The workbook as a download."""
    name = f"self_check_{sheet.request.id}.xlsx"
    return Response(
        build(sheet),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _cell_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if value is None:
        return ""
    return str(value)


def read(sheet: Sheet, stream: IO[bytes]) -> tuple[dict[int, Any], dict[int, str]]:
    """(answers, comments) from a filled-in workbook; WorkbookRefused names every bad cell."""
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise WorkbookRefused([(ANSWER_SHEET, None, None, _("ファイルが大きすぎます。"))])
    try:  # the evidence content checks first: a real .xlsx, no macros, no external parts
        filecheck.check(data[:8192], "answers.xlsx", io.BytesIO(data))
    except filecheck.FileRefused as error:
        raise WorkbookRefused([("", None, None, error.message)]) from None
    try:
        book = load_workbook(io.BytesIO(data), data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise WorkbookRefused(
            [("", None, None, _("Excel ファイル（.xlsx）として読み取れませんでした。"))]
        ) from None
    if ANSWER_SHEET not in book.sheetnames:
        raise WorkbookRefused([(ANSWER_SHEET, None, None, _("「回答」シートが見つかりません。"))])
    ws = book[ANSWER_SHEET]
    by_code = {q.code: q for q in sheet.questions if q.id in sheet.shown}
    raw: dict[int, Any] = {}
    comments: dict[int, str] = {}
    problems: list[tuple[str, int | None, str | None, str]] = []
    answer_col = get_column_letter(ANSWER_COL)
    seen: set[str] = set()
    for row_number, row in enumerate(
        ws.iter_rows(min_row=FIRST_ROW, max_row=FIRST_ROW + MAX_ROWS, max_col=COMMENT_COL),
        start=FIRST_ROW,
    ):
        code = _cell_value(row[CODE_COL - 1].value).strip()
        if not code:
            continue
        question = by_code.get(code)
        if question is None or code in seen:
            problems.append(
                (
                    ANSWER_SHEET,
                    row_number,
                    get_column_letter(CODE_COL),
                    _("設問コード「%(code)s」はこの点検票にありません。", code=code),
                )
            )
            continue
        seen.add(code)
        value = _cell_value(row[ANSWER_COL - 1].value)
        if question.qtype == QuestionType.MULTIPLE:
            value = [
                part.strip() for part in value.replace("、", "\n").splitlines() if part.strip()
            ]
        try:
            raw[question.id] = answering.parse_value(question, value)
            raw[question.id] = value  # stored through save_answers, which parses again
        except DomainError as error:
            problems.append((ANSWER_SHEET, row_number, answer_col, error.message))
        comments[question.id] = _cell_value(row[COMMENT_COL - 1].value)
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise WorkbookRefused(problems)
    return raw, comments
