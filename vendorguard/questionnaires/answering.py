"""What a questionnaire asks of one arrangement, and what an answer means: visibility, values,
findings, what is missing, scores. Pure functions over loaded rows (no queries, no writes)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _

from vendorguard.catalog import rules
from vendorguard.core.dates import DateInputError, parse_day
from vendorguard.core.errors import DomainError
from vendorguard.questionnaires.models import (
    NOT_APPLICABLE,
    Answer,
    Attachment,
    Question,
    QuestionType,
    Section,
)

MAX_TEXT = 5000


class AnswersInvalid(DomainError):
    """Some answers cannot be stored; ``errors`` maps question id to the reason. Nothing was stored."""

    def __init__(self, errors: dict[int, str]):
        super().__init__(_("入力内容に誤りがあります（%(count)d件）。", count=len(errors)))
        self.errors = errors


def answer_facts(questions: list[Question], values: dict[int, Any]) -> dict[str, Any]:
    """``answer:<code>`` facts for conditions (None where unanswered)."""
    return {f"answer:{q.code}": values.get(q.id) for q in questions}


def visible(
    questions: list[Question],
    facts: dict[str, Any],
    applicable: set[str],
    values: dict[int, Any],
) -> set[int]:
    """Ids of the questions asked: their requirement applies and their condition holds."""
    shown: set[int] = set()
    known = {**facts, **answer_facts(questions, {})}
    for question in questions:  # in order: a condition reads earlier answers only
        if question.requirement_code and question.requirement_code not in applicable:
            continue
        try:
            holds = rules.evaluate(question.condition or {"always": True}, known)
        except DomainError:
            holds = False
        if holds:
            shown.add(question.id)
            known[f"answer:{question.code}"] = values.get(question.id)
    return shown


def _clean(raw: Any) -> str:
    return unicodedata.normalize("NFKC", str(raw if raw is not None else "")).strip()


def parse_value(question: Question, raw: Any) -> Any:
    """The stored value for what was entered (None when empty); DomainError when invalid."""
    if question.qtype == QuestionType.FILE:
        return None
    if question.qtype == QuestionType.MULTIPLE:
        items = raw if isinstance(raw, list) else str(raw or "").split("\n")
        chosen = [str(item).strip() for item in items if str(item).strip()]
        wrong = [item for item in chosen if item not in question.choices]
        if wrong:
            raise DomainError(_("選択肢にない回答です：%(values)s", values="、".join(wrong)))
        return [choice for choice in question.choices if choice in chosen] or None
    if isinstance(raw, list):
        raw = raw[0] if raw else ""
    if question.qtype == QuestionType.TEXT:
        text = str(raw or "").replace("\r\n", "\n").strip()
        if len(text) > MAX_TEXT:
            raise DomainError(_("%(max)d文字以内で入力してください。", max=MAX_TEXT))
        return text or None
    text = _clean(raw)
    if not text:
        return None
    if question.qtype in (QuestionType.YES_NO, QuestionType.SINGLE):
        options = question.options()
        for value, label in options:
            if text in (value, label):
                return value
        raise DomainError(
            _(
                "次のいずれかを選んでください：%(options)s",
                options="、".join(label for _v, label in options),
            )
        )
    if question.qtype == QuestionType.DATE:
        try:
            return parse_day(text).isoformat()
        except DateInputError as error:
            raise DomainError(str(error)) from None
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise DomainError(_("数値を入力してください。")) from None
    if not number.is_finite() or abs(number) > Decimal("1e12"):
        raise DomainError(_("数値を入力してください。"))
    return int(number) if number == number.to_integral_value() else float(number)


def parse_all(questions: list[Question], raw: dict[int, Any]) -> dict[int, Any]:
    """Parse every entered answer; AnswersInvalid with every problem at once."""
    values: dict[int, Any] = {}
    errors: dict[int, str] = {}
    for question in questions:
        if question.id not in raw:
            continue
        try:
            values[question.id] = parse_value(question, raw[question.id])
        except DomainError as error:
            errors[question.id] = error.message
    if errors:
        raise AnswersInvalid(errors)
    return values


def display(question: Question, value: Any) -> str:
    """An answer as people read it."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "、".join(str(item) for item in value)
    if question.qtype == QuestionType.YES_NO:
        return dict(question.options()).get(value, str(value))
    if question.qtype == QuestionType.DATE:
        try:
            return date.fromisoformat(value).strftime("%Y-%m-%d")
        except (TypeError, ValueError):
            return str(value)
    return str(value)


def is_finding(question: Question, value: Any) -> bool:
    """Whether this answer counts as a finding by the template."""
    if value is None or not question.finding_answers:
        return False
    values = value if isinstance(value, list) else [value]
    return any(item in question.finding_answers for item in values)


@dataclass
class Missing:
    """A question still to answer or a file still to attach."""

    question: Question
    reason: str


def missing(
    questions: list[Question], shown: set[int], answers: dict[int, Answer]
) -> list[Missing]:
    """What must still be answered or attached before the questionnaire can be submitted."""
    result = []
    for question in questions:
        if question.id not in shown:
            continue
        answer = answers.get(question.id)
        value = answer.value if answer is not None else None
        files = [f for f in answer.files if not f.remediation] if answer is not None else []
        if question.qtype == QuestionType.FILE:
            if question.required and not files:
                result.append(Missing(question, _("ファイルを添付してください。")))
            continue
        if question.required and value is None:
            result.append(Missing(question, _("回答してください。")))
        elif (
            question.attachment == Attachment.REQUIRED
            and value not in (None, NOT_APPLICABLE)
            and not files
        ):
            result.append(Missing(question, _("資料を添付してください。")))
    return result


@dataclass
class Score:
    """Weighted share of conforming answers among the answered, applicable questions."""

    title: str
    earned: int = 0
    possible: int = 0
    findings: int = 0
    children: list[Score] = field(default_factory=list)

    @property
    def percent(self) -> int | None:
        return round(100 * self.earned / self.possible) if self.possible else None


def scores(
    sections: list[Section], shown: set[int], answers: dict[int, Answer]
) -> tuple[list[Score], Score]:
    """Per section and overall. A reviewer's decision overrides the template's finding answers;
    該当なし and file-only questions do not count."""
    overall = Score(_("全体"))
    result = []
    for section in sections:
        score = Score(section.title)
        for question in section.questions:
            answer = answers.get(question.id)
            if question.id not in shown or answer is None or answer.value in (None, NOT_APPLICABLE):
                continue
            if question.qtype == QuestionType.FILE:
                continue
            weight = max(question.weight, 0)
            finding = (
                answer.review == "finding"
                if answer.review != "pending"
                else is_finding(question, answer.value)
            )
            score.possible += weight
            if finding:
                score.findings += 1
            else:
                score.earned += weight
        overall.earned += score.earned
        overall.possible += score.possible
        overall.findings += score.findings
        result.append(score)
    return result, overall
