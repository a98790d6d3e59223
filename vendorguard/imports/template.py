"""The downloadable template of a register: one sheet per table with Japanese headers, drop-down
lists (data validation) for enumerations and departments, and an instructions sheet."""

from __future__ import annotations

import io

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from vendorguard.imports.lookups import Lookups
from vendorguard.imports.registers import Register

# Rows the drop-downs cover (a validation over a whole column makes Excel slow).
VALIDATED_ROWS = 10_000
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")


def build(register: Register, lookups: Lookups) -> bytes:
    """The template as .xlsx bytes."""
    workbook = Workbook()
    guide = workbook.active
    guide.title = _("説明")
    lists = workbook.create_sheet(_("選択肢"))
    list_column = 0
    guide_rows: list[list[str]] = [
        [_("%(register)sの取り込み用テンプレート", register=register.label)],
        [],
        [_("使い方")],
        [
            _(
                "1. 各シートの2行目から、1行に1件ずつ入力します（1行目の見出しは変えないでください）。"
            )
        ],
        [_("2. 色の濃い見出しは、新しく登録するときに必ず入力する項目です。")],
        [_("3. 日付は 2027/4/1、令和9年4月1日、R9.4.1 のいずれの書き方でも読み込めます。")],
        [
            _(
                "4. 取り込み画面でファイルを選ぶと、反映する前に、行ごとの結果（登録・更新・変更なし・エラー）を確認できます。"
            )
        ],
        [_("5. 同じファイルをもう一度取り込んでも、台帳は変わりません。")],
        [],
    ]
    for table in register.tables:
        sheet = workbook.create_sheet(str(table.label))
        columns = [column for column in table.columns if not column.export_only]
        guide_rows.append([_("シート「%(sheet)s」", sheet=table.label)])
        guide_rows.append([_("見出し"), _("必須"), _("説明")])
        for index, column in enumerate(columns, start=1):
            letter = get_column_letter(index)
            cell = sheet.cell(row=1, column=index, value=str(column.label))
            cell.font = Font(bold=True)
            cell.fill = _REQUIRED_FILL if column.required else _HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            sheet.column_dimensions[letter].width = column.width
            if column.note:
                cell.comment = Comment(str(column.note), "vendorguard")
            guide_rows.append(
                [str(column.label), _("必須") if column.required else "", str(column.note or "")]
            )
            if column.choices is None:
                continue
            choices = column.choices(lookups)
            if not choices:
                continue
            # The choices live on their own sheet: an inline list is limited to 255 characters.
            list_column += 1
            list_letter = get_column_letter(list_column)
            lists.cell(row=1, column=list_column, value=str(column.label))
            for row, choice in enumerate(choices, start=2):
                lists.cell(row=row, column=list_column, value=choice)
            source = (
                f"{quote_sheetname(lists.title)}!${list_letter}$2:${list_letter}${len(choices) + 1}"
            )
            validation = DataValidation(type="list", formula1=f"={source}", allow_blank=True)
            validation.error = _("一覧から選んでください。")
            validation.errorTitle = str(column.label)
            validation.showErrorMessage = True
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{VALIDATED_ROWS + 1}")
        sheet.freeze_panes = "A2"
        guide_rows.append([])
    for line in guide_rows:
        guide.append(line)
    guide["A1"].font = Font(bold=True, size=14)
    guide.column_dimensions["A"].width = 36
    guide.column_dimensions["C"].width = 80
    workbook.move_sheet(lists, offset=len(workbook.sheetnames))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
