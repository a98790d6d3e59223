"""Editing questionnaire templates: drafts are edited through forms, approval freezes a version
and retires the one in use; a change to an approved version starts a new draft (a copy)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from vendorguard.arrangements.kinds import kind_of
from vendorguard.audit import capture as audit_capture
from vendorguard.catalog import rule_facts
from vendorguard.catalog.models import ClauseStatus, Requirement
from vendorguard.core.errors import DomainError
from vendorguard.core.text import clean
from vendorguard.core.timeutil import utcnow
from vendorguard.questionnaires import queries
from vendorguard.questionnaires.models import (
    Attachment,
    Question,
    QuestionnaireTemplate,
    QuestionType,
    Section,
    TemplateVersion,
)

CHOICE_TYPES = (QuestionType.SINGLE, QuestionType.MULTIPLE)


def create_template(
    session: Session, code: str, title: str, applies_to: str, user
) -> TemplateVersion:
    """A new template with an empty first draft."""
    code = clean(code).upper()
    if not code:
        raise DomainError(_("入力してください。"), field="code")
    if session.scalar(
        select(func.count(QuestionnaireTemplate.id)).where(QuestionnaireTemplate.code == code)
    ):
        raise DomainError(_("このコードは既に使われています。"), field="code")
    try:
        kind_of(applies_to)
    except LookupError:
        raise DomainError(_("対象を選んでください。"), field="applies_to") from None
    title = clean(title)
    if not title:
        raise DomainError(_("入力してください。"), field="title")
    template = QuestionnaireTemplate(code=code, title=title, applies_to=applies_to)
    session.add(template)
    session.flush()
    version = TemplateVersion(
        template_id=template.id, number=1, title=title, created_by_id=getattr(user, "id", None)
    )
    session.add(version)
    session.flush()
    return version


def _ensure_draft(version: TemplateVersion) -> None:
    if not version.is_draft:
        raise DomainError(
            _("承認済み・廃止済みの版は変更できません。新しい版を作成してから編集してください。")
        )


def new_draft(session: Session, template: QuestionnaireTemplate, user) -> TemplateVersion:
    """A new draft copied from the newest version (only one draft at a time)."""
    latest = session.scalars(
        select(TemplateVersion)
        .where(TemplateVersion.template_id == template.id)
        .order_by(TemplateVersion.number.desc())
        .limit(1)
    ).one()
    if latest.is_draft:
        raise DomainError(_("編集中の下書きの版が既にあります。"))
    source = session.scalars(queries.version_with_questions(latest.id)).unique().one()
    draft = TemplateVersion(
        template_id=template.id,
        number=latest.number + 1,
        title=source.title,
        instructions=source.instructions,
        created_by_id=getattr(user, "id", None),
    )
    session.add(draft)
    session.flush()
    for section in source.sections:
        copy = Section(version_id=draft.id, position=section.position, title=section.title)
        session.add(copy)
        session.flush()
        for q in section.questions:
            session.add(
                Question(
                    version_id=draft.id,
                    section_id=copy.id,
                    **{name: getattr(q, name) for name in QUESTION_FIELDS},
                )
            )
    session.flush()
    return draft


QUESTION_FIELDS = (
    "position",
    "code",
    "text",
    "help",
    "qtype",
    "choices",
    "required",
    "attachment",
    "requirement_code",
    "condition",
    "weight",
    "finding_answers",
)


def update_version(
    session: Session, version: TemplateVersion, title: str, instructions: str, note: str
) -> None:
    """Change a draft's title, instructions and change note."""
    _ensure_draft(version)
    if not clean(title):
        raise DomainError(_("入力してください。"), field="title")
    version.title = clean(title)
    version.instructions = (instructions or "").replace("\r\n", "\n").strip()
    version.note = (note or "").strip()
    session.flush()


def save_section(
    session: Session, version: TemplateVersion, section: Section | None, title: str, position: int
) -> Section:
    """Add or rename a section of a draft."""
    _ensure_draft(version)
    if not clean(title):
        raise DomainError(_("入力してください。"), field="title")
    if section is None:
        section = Section(version_id=version.id)
        session.add(section)
    section.title = clean(title)
    section.position = position
    session.flush()
    return section


def delete_section(session: Session, version: TemplateVersion, section: Section) -> None:
    """Remove an empty section of a draft."""
    _ensure_draft(version)
    if session.scalar(select(func.count(Question.id)).where(Question.section_id == section.id)):
        raise DomainError(_("設問が残っている区分は削除できません。先に設問を削除してください。"))
    session.delete(section)
    session.flush()


@dataclass
class QuestionData:
    """What an admin enters for a question (conditions as choices, never JSON)."""

    section_id: int
    code: str
    text: str
    qtype: str
    help: str = ""
    choices: list[str] = field(default_factory=list)
    required: bool = True
    attachment: str = Attachment.NONE
    requirement_code: str = ""
    fact: str = ""  # "" or "<fact>:true" / "<fact>:false" (a yes/no fact of the arrangement)
    after_code: str = ""  # an earlier question's code …
    after_value: str = ""  # … and the answer it must have
    weight: int = 1
    finding_answers: list[str] = field(default_factory=list)
    position: int = 0


def condition_of(data: QuestionData) -> dict[str, Any]:
    """The rule built from the form's choices."""
    tests: list[dict[str, Any]] = []
    if data.fact:
        name, _sep, value = data.fact.partition(":")
        tests.append({"fact": name, "op": "is", "value": value == "true"})
    if data.after_code:
        tests.append({"fact": f"answer:{data.after_code}", "op": "eq", "value": data.after_value})
    if not tests:
        return {"always": True}
    return tests[0] if len(tests) == 1 else {"all": tests}


def save_question(
    session: Session, version: TemplateVersion, question: Question | None, data: QuestionData
) -> Question:
    """Add or change a question of a draft; every choice is checked against the template."""
    _ensure_draft(version)
    template = session.get_one(QuestionnaireTemplate, version.template_id)
    code = clean(data.code).upper()
    if not code:
        raise DomainError(_("入力してください。"), field="code")
    duplicate = session.scalar(
        select(Question.id).where(Question.version_id == version.id, Question.code == code)
    )
    if duplicate is not None and (question is None or duplicate != question.id):
        raise DomainError(_("この設問コードはこの版で既に使われています。"), field="code")
    if not (data.text or "").strip():
        raise DomainError(_("入力してください。"), field="text")
    section = session.get(Section, data.section_id)
    if section is None or section.version_id != version.id:
        raise DomainError(_("区分を選んでください。"), field="section_id")
    try:
        qtype = QuestionType(data.qtype)
        attachment = Attachment(data.attachment)
    except ValueError:
        raise DomainError(_("設問の種類を選んでください。"), field="qtype") from None
    choices = [clean(c) for c in data.choices if clean(c)]
    if qtype in CHOICE_TYPES and len(choices) < 2:
        raise DomainError(_("選択肢を2つ以上入力してください（1行に1つ）。"), field="choices")
    if qtype not in CHOICE_TYPES:
        choices = []
    if qtype == QuestionType.FILE and attachment == Attachment.NONE:
        attachment = Attachment.REQUIRED if data.required else Attachment.OPTIONAL
    probe = Question(qtype=qtype, choices=choices)
    allowed = {value for value, _label in probe.options()} | set(choices)
    findings = [clean(f) for f in data.finding_answers if clean(f)]
    wrong = [f for f in findings if f not in allowed]
    if wrong:
        raise DomainError(
            _("指摘とする回答が選択肢にありません：%(values)s", values="、".join(wrong)),
            field="finding_answers",
        )
    if data.requirement_code and not session.scalar(
        select(func.count(Requirement.id)).where(
            Requirement.code == data.requirement_code,
            Requirement.applies_to == template.applies_to,
        )
    ):
        raise DomainError(_("要件を選び直してください。"), field="requirement_code")
    if data.fact:
        name = data.fact.partition(":")[0]
        known = {
            f.name for f in rule_facts.facts_available(template.applies_to) if f.type == "bool"
        }
        if name not in known:
            raise DomainError(_("条件を選び直してください。"), field="fact")
    if data.after_code:
        earlier = session.scalars(
            select(Question).where(
                Question.version_id == version.id, Question.code == data.after_code
            )
        ).first()
        if earlier is None or (question is not None and earlier.id == question.id):
            raise DomainError(_("条件にする設問を選び直してください。"), field="after_code")
        if data.after_value not in {value for value, _label in earlier.options()}:
            raise DomainError(
                _("条件にする設問の選択肢から回答を入力してください。"), field="after_value"
            )
    if not 0 <= data.weight <= 100:
        raise DomainError(_("重みは0〜100で入力してください。"), field="weight")
    if question is None:
        question = Question(version_id=version.id)
        session.add(question)
    question.section_id = section.id
    question.code = code
    question.text = data.text.strip()
    question.help = (data.help or "").strip()
    question.qtype = qtype
    question.choices = choices
    question.required = data.required
    question.attachment = attachment
    question.requirement_code = data.requirement_code
    question.condition = condition_of(data)
    question.weight = data.weight
    question.finding_answers = findings
    question.position = data.position
    session.flush()
    return question


def delete_question(session: Session, version: TemplateVersion, question: Question) -> None:
    """Remove a question from a draft."""
    _ensure_draft(version)
    session.delete(question)
    session.flush()


def approve(session: Session, version: TemplateVersion, user) -> None:
    """Approve a draft for sending; the version in use is retired."""
    _ensure_draft(version)
    if not session.scalar(select(func.count(Question.id)).where(Question.version_id == version.id)):
        raise DomainError(_("設問のない版は承認できません。"))
    for old in session.scalars(
        select(TemplateVersion).where(
            TemplateVersion.template_id == version.template_id,
            TemplateVersion.status == ClauseStatus.APPROVED,
        )
    ):
        old.status = ClauseStatus.RETIRED
        audit_capture.tag(session, old, "retire")
    session.flush()
    version.status = ClauseStatus.APPROVED
    version.approved_at = utcnow()
    version.approved_by_id = getattr(user, "id", None)
    audit_capture.tag(session, version, "approve")
    try:
        session.flush()
    except IntegrityError:
        raise DomainError(
            _("他の利用者が同時にこの点検票の版を承認しました。画面を開き直して確認してください。")
        ) from None
