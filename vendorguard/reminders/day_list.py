"""A list of day counts as separate number inputs (add / remove rows; works without JavaScript)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup, escape
from wtforms import Field, ValidationError

MIN_DAYS, MAX_DAYS = 0, 365
MAX_ENTRIES = 20


def _digits(text: str) -> str:
    """Full-width digits typed by a Japanese IME, as ASCII."""
    return text.translate(str.maketrans("０１２３４５６７８９", "0123456789")).strip()


class DayListWidget:
    """One number input per day count, an empty one to add with, and (with JS) add/remove buttons."""

    def __call__(self, field: DayListField, **kwargs: Any) -> Markup:
        invalid = kwargs.get("aria-invalid")
        values = [str(value) for value in field.entries()] + [""]  # the blank row adds one
        rows = []
        for number, value in enumerate(values, start=1):
            attrs = {
                "type": "number",
                "name": field.name,
                "value": value,
                "min": str(MIN_DAYS),
                "max": str(MAX_DAYS),
                "step": "1",
                "inputmode": "numeric",
                "class": "day-input",
                "aria-label": _("%(label)s（%(n)d件目）", label=field.label.text, n=number),
            }
            if number == 1:
                attrs["id"] = field.id
            if invalid:
                attrs["aria-invalid"] = "true"
            html = " ".join(f'{key}="{escape(val)}"' for key, val in attrs.items())
            rows.append(
                Markup(
                    '<li><input {attrs}> <button type="button" class="btn btn-small btn-secondary"'
                    " data-day-remove hidden>{remove}</button></li>"
                ).format(attrs=Markup(html), remove=_("削除"))
            )
        return Markup(
            '<div class="day-list" data-day-list><ul class="day-list-rows">{rows}</ul>'
            '<button type="button" class="btn btn-small btn-secondary" data-day-add hidden>'
            "{add}</button></div>"
        ).format(rows=Markup("").join(rows), add=_("日数を追加"))


class DayListField(Field):
    """Day counts (0–365, each once) typed into separate inputs; ``data`` is a descending tuple.

    An input may also hold a comma-separated list (a pasted 「90,30,7」 still works).
    """

    widget = DayListWidget()

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        super().__init__(label, validators, **kwargs)
        self.raw: list[str] = []

    def entries(self) -> list[Any]:
        """What the inputs show: the typed texts after a post, else the stored days."""
        if self.raw:
            return self.raw
        return list(self.data or ())

    def process_formdata(self, valuelist: list[str]) -> None:
        self.raw = [
            _digits(part)
            for value in valuelist
            for part in value.replace("，", ",").replace("、", ",").split(",")
            if _digits(part)
        ]
        self.data: tuple[int, ...] = ()

    def pre_validate(self, form: Any) -> None:
        if len(self.raw) > MAX_ENTRIES:
            raise ValidationError(_("日数は%(max)d個までです。", max=MAX_ENTRIES))
        days: list[int] = []
        for text in self.raw:
            if not text.isdigit() or not MIN_DAYS <= int(text) <= MAX_DAYS:
                raise ValidationError(
                    _(
                        "「%(value)s」は使えません。日数は %(min)d〜%(max)d の整数で入力してください。",
                        value=text,
                        min=MIN_DAYS,
                        max=MAX_DAYS,
                    )
                )
            if int(text) in days:
                raise ValidationError(
                    _(
                        "%(days)d日が2回入力されています。同じ日数は1回だけにしてください。",
                        days=int(text),
                    )
                )
            days.append(int(text))
        self.data = tuple(sorted(days, reverse=True))
        self.raw = [str(day) for day in self.data]  # shown sorted if another field fails
