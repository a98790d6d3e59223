"""The shipped questionnaires, written from the guideline's outsourcing, cloud and SNS items.

Each question names the catalog requirement it checks: it is asked only where that requirement
applies to the arrangement and is not waived (what the contract actually covers). Follow-up
questions are asked only after a given earlier answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from vendorguard.catalog.models import ClauseStatus
from vendorguard.core.timeutil import utcnow
from vendorguard.questionnaires.models import (
    NO,
    YES,
    Attachment,
    Question,
    QuestionnaireTemplate,
    QuestionType,
    Section,
    TemplateVersion,
)

Y, S, M, D, N, T, F = (
    QuestionType.YES_NO,
    QuestionType.SINGLE,
    QuestionType.MULTIPLE,
    QuestionType.DATE,
    QuestionType.NUMBER,
    QuestionType.TEXT,
    QuestionType.FILE,
)


@dataclass
class Q:
    """A shipped question (defaults: yes/no, required, 「いいえ」 is a finding, weight 1)."""

    code: str
    text: str
    requirement: str = ""
    help: str = ""
    qtype: QuestionType = Y
    choices: list[str] = field(default_factory=list)
    findings: list[str] | None = None
    weight: int = 1
    required: bool = True
    attachment: Attachment = Attachment.OPTIONAL
    after: tuple[str, str] | None = None  # (earlier question's code, answer) that must hold


SELF_CHECK: dict[str, Any] = {
    "code": "SC-OUT",
    "title": "委託先情報セキュリティ自己点検",
    "applies_to": "engagement",
    "instructions": (
        "本点検は、市が委託した業務について、契約の特記事項に定めた情報セキュリティ対策が"
        "実際に守られているかを、受託者自身に確認していただくものです。\n"
        "各設問に回答し、裏付けとなる資料があれば添付してください。「いいえ」と回答した項目は、"
        "市が改善をお願いすることがあります。"
    ),
    "sections": [
        (
            "1. 基本的事項と体制",
            [
                Q(
                    "OUT-01-1",
                    "市の情報セキュリティポリシー及び実施手順を作業者に周知し、遵守させていますか。",
                    "OUT-01",
                    weight=2,
                ),
                Q(
                    "OUT-02-1",
                    "受託者の責任者、作業者の氏名・所属及び作業場所を市に届け出ており、変更時は届け出ていますか。",
                    "OUT-02",
                    weight=2,
                ),
                Q(
                    "OUT-02-2",
                    "本業務に従事する作業者の人数",
                    "OUT-02",
                    qtype=N,
                    findings=[],
                    attachment=Attachment.NONE,
                    help="本年度に従事した人数（再委託先を除く）を数字で入力してください。",
                ),
                Q(
                    "OUT-03-1",
                    "契約で定めたサービスレベルを満たしていますか。",
                    "OUT-03",
                    help="満たせなかった月がある場合は「いいえ」とし、補足欄に理由を記載してください。",
                ),
            ],
        ),
        (
            "2. 情報の取扱い",
            [
                Q(
                    "OUT-04-1",
                    "作業者がアクセスできる情報の種類・範囲とアクセス方法を、契約で定めたものに限っていますか。",
                    "OUT-04",
                    weight=2,
                ),
                Q(
                    "OUT-06-1",
                    "業務で取り扱う情報を、目的外に利用し、又は第三者に提供したことはありませんか。",
                    "OUT-06",
                    help="ない場合は「はい」と回答してください。",
                    weight=3,
                ),
                Q(
                    "OUT-07-1",
                    "作業者から守秘義務に関する誓約書を徴していますか。",
                    "OUT-07",
                    attachment=Attachment.OPTIONAL,
                    help="誓約書の様式を添付してください。",
                ),
                Q(
                    "OUT-07-2",
                    "情報を市の許可なく複写・複製し、又は作業場所から持ち出したことはありませんか。",
                    "OUT-06",
                    weight=2,
                ),
            ],
        ),
        (
            "3. 教育",
            [
                Q(
                    "OUT-05-1",
                    "作業者に対する情報セキュリティ教育の直近の実施日",
                    "OUT-05",
                    qtype=D,
                    findings=[],
                    attachment=Attachment.NONE,
                ),
                Q(
                    "OUT-05-2",
                    "教育の方法（該当するものをすべて）",
                    "OUT-05",
                    qtype=M,
                    choices=["集合研修", "eラーニング", "資料の配布", "その他"],
                    findings=[],
                    attachment=Attachment.NONE,
                    required=False,
                ),
                Q(
                    "OUT-05-3",
                    "教育の実施記録（出席簿、受講記録等）",
                    "OUT-05",
                    qtype=F,
                    findings=[],
                    attachment=Attachment.REQUIRED,
                ),
            ],
        ),
        (
            "4. 再委託",
            [
                Q(
                    "OUT-08-1",
                    "本業務の一部を再委託していますか。",
                    "OUT-08",
                    findings=[],
                    attachment=Attachment.NONE,
                ),
                Q(
                    "OUT-08-2",
                    "すべての再委託について、事前に市の承諾を得ていますか。",
                    "OUT-08",
                    weight=3,
                    after=("OUT-08-1", YES),
                ),
                Q(
                    "OUT-08-3",
                    "再委託先に本契約と同等の安全管理措置を求め、その履行を確認していますか。",
                    "OUT-08",
                    weight=2,
                    after=("OUT-08-1", YES),
                ),
            ],
        ),
        (
            "5. 報告・事故対応・監査",
            [
                Q("OUT-10-1", "契約で定めた定期報告を期限までに提出していますか。", "OUT-10"),
                Q(
                    "OUT-10-2",
                    "事故又はそのおそれが生じたときに直ちに市へ報告する連絡体制を定めていますか。",
                    "OUT-10",
                    weight=2,
                    attachment=Attachment.OPTIONAL,
                ),
                Q(
                    "OUT-10-3",
                    "本年度、情報セキュリティ事故は発生しましたか。",
                    "OUT-10",
                    findings=[YES],
                    attachment=Attachment.NONE,
                ),
                Q(
                    "OUT-10-4",
                    "発生した事故の概要と市への報告日",
                    "OUT-10",
                    qtype=T,
                    findings=[],
                    attachment=Attachment.OPTIONAL,
                    after=("OUT-10-3", YES),
                ),
                Q("OUT-11-1", "市による監査・実地検査に応じられる体制を整えていますか。", "OUT-11"),
            ],
        ),
        (
            "6. 終了時の返還・廃棄",
            [
                Q(
                    "OUT-09-1",
                    "業務終了時の情報資産の返還・廃棄の方法（予定を含む）",
                    "OUT-09",
                    qtype=S,
                    choices=["返還", "物理的破壊", "上書き消去", "暗号化消去", "未定"],
                    findings=["未定"],
                    attachment=Attachment.NONE,
                ),
                Q(
                    "OUT-09-2",
                    "廃棄・消去を行ったときは、受託者及び情報を保有したすべての再委託先の証明書を提出する手順がありますか。",
                    "OUT-09",
                    weight=2,
                ),
            ],
        ),
        (
            "7. 個人情報・特定個人情報",
            [
                Q(
                    "PI-01-1",
                    "個人情報の安全管理措置（アクセス制御、持出し制限、記録媒体の管理等）を講じていますか。",
                    "PI-01",
                    weight=3,
                    attachment=Attachment.OPTIONAL,
                ),
                Q(
                    "PI-02-1",
                    "作業者に、個人情報をみだりに他人に知らせず、不当な目的に利用してはならないこと（違反した場合の罰則を含む）を周知していますか。",
                    "PI-02",
                    weight=2,
                ),
                Q(
                    "PI-03-1",
                    "漏えい等が生じたとき、市が行う個人情報保護委員会への報告と本人への通知に必要な情報を速やかに提供できますか。",
                    "PI-03",
                    weight=2,
                ),
                Q(
                    "MN-01-1",
                    "特定個人情報を取り扱う業務を、市の許諾なく再委託していませんか（再委託先からの再々委託を含む）。",
                    "MN-01",
                    weight=3,
                    help="再委託していない場合、又はすべて市の許諾を得ている場合は「はい」と回答してください。",
                ),
                Q(
                    "MN-03-1",
                    "特定個人情報を事業所外へ持ち出さず、取扱者を限定し、その監督と教育を行っていますか。",
                    "MN-03",
                    weight=3,
                ),
            ],
        ),
    ],
}

CLOUD: dict[str, Any] = {
    "code": "SC-CLD",
    "title": "外部サービス（クラウドサービス）自己点検",
    "applies_to": "cloud_service",
    "instructions": (
        "市が利用する外部サービスについて、提供事業者又は外部サービス管理者が回答してください。"
        "認証の証明書や契約条件の資料があれば添付してください。"
    ),
    "sections": [
        (
            "1. 認証と選定",
            [
                Q(
                    "CL-02-1",
                    "ISMAP又はISMAP-LIUに登録されていますか。",
                    "CL-02",
                    findings=[NO],
                    weight=2,
                ),
                Q(
                    "CL-02-2",
                    "取得している認証（該当するものをすべて）",
                    "CL-02",
                    qtype=M,
                    choices=[
                        "ISMAP",
                        "ISMAP-LIU",
                        "ISO/IEC 27001",
                        "ISO/IEC 27017",
                        "SOC 2",
                        "なし",
                    ],
                    findings=["なし"],
                    attachment=Attachment.OPTIONAL,
                ),
            ],
        ),
        (
            "2. 構築・運用",
            [
                Q("CL-06-1", "管理者アカウントに多要素認証を設定していますか。", "CL-06", weight=3),
                Q(
                    "CL-07-1",
                    "利用者の権限とアクセスログを定期的に確認していますか。",
                    "CL-07",
                    weight=2,
                ),
                Q("CL-07-2", "障害・脆弱性の情報を市へ連絡する手順がありますか。", "CL-07"),
            ],
        ),
        (
            "3. データの所在と終了時",
            [
                Q(
                    "CL-10-1",
                    "データの保存場所（国・地域）",
                    "CL-10",
                    qtype=T,
                    findings=[],
                    attachment=Attachment.NONE,
                ),
                Q(
                    "CL-10-2",
                    "準拠法は日本法、管轄裁判所は日本国内の裁判所ですか。",
                    "CL-10",
                    weight=2,
                ),
                Q(
                    "CL-12-1",
                    "利用終了時のデータの返却・移行及び消去の条件が定められていますか。",
                    "CL-12",
                    weight=2,
                ),
            ],
        ),
    ],
}

SOCIAL: dict[str, Any] = {
    "code": "SC-SNS",
    "title": "SNS運用自己点検",
    "applies_to": "social_account",
    "instructions": (
        "市の公式SNSアカウントの運用について、運用を担う事業者又は運用担当者が回答してください。"
    ),
    "sections": [
        (
            "1. 運用手順と責任者",
            [
                Q(
                    "SNS-01-1",
                    "運用手順（投稿の起案・確認・公開）に沿って運用していますか。",
                    "SNS-01",
                    weight=2,
                ),
                Q(
                    "SNS-04-1",
                    "アカウントの責任者が定められ、運用担当者が把握していますか。",
                    "SNS-04",
                ),
                Q(
                    "SNS-03-1",
                    "機密性2以上の情報を投稿したことはありませんか。",
                    "SNS-03",
                    weight=3,
                ),
            ],
        ),
        (
            "2. アカウントの保護",
            [
                Q("SNS-06-1", "多要素認証を有効にしていますか。", "SNS-06", weight=3),
                Q(
                    "SNS-06-2",
                    "パスワードの最終変更日",
                    "SNS-06",
                    qtype=D,
                    findings=[],
                    attachment=Attachment.NONE,
                ),
                Q("SNS-06-3", "ログインに使う端末を限定していますか。", "SNS-06"),
                Q(
                    "SNS-05-1",
                    "プロフィールに運用所属を明示し、市公式サイトに掲載されていますか。",
                    "SNS-05",
                ),
                Q(
                    "SNS-07-1",
                    "乗っ取り・なりすましのときの連絡先と対応手順を把握していますか。",
                    "SNS-07",
                    weight=2,
                ),
            ],
        ),
    ],
}

SHIPPED = (SELF_CHECK, CLOUD, SOCIAL)


def _condition(q: Q) -> dict[str, Any]:
    if q.after is None:
        return {"always": True}
    return {"fact": f"answer:{q.after[0]}", "op": "eq", "value": q.after[1]}


def add_questions(session: Session, version: TemplateVersion, sections: list) -> None:
    """Add sections and questions (the shipped data) to a draft version."""
    for s_pos, (title, questions) in enumerate(sections, start=1):
        section = Section(version_id=version.id, position=s_pos * 10, title=title)
        session.add(section)
        session.flush()
        for q_pos, q in enumerate(questions, start=1):
            session.add(
                Question(
                    version_id=version.id,
                    section_id=section.id,
                    position=q_pos * 10,
                    code=q.code,
                    text=q.text,
                    help=q.help,
                    qtype=q.qtype,
                    choices=list(q.choices),
                    required=q.required,
                    attachment=q.attachment,
                    requirement_code=q.requirement,
                    condition=_condition(q),
                    weight=q.weight,
                    finding_answers=[NO] if q.findings is None else list(q.findings),
                )
            )
    session.flush()


def ensure_templates(session: Session) -> int:
    """Create the shipped questionnaires that are missing, each with an approved first version."""
    have = set(session.scalars(select(QuestionnaireTemplate.code)))
    created = 0
    for data in SHIPPED:
        if data["code"] in have:
            continue
        template = QuestionnaireTemplate(
            code=data["code"], title=data["title"], applies_to=data["applies_to"]
        )
        session.add(template)
        session.flush()
        version = TemplateVersion(
            template_id=template.id,
            number=1,
            title=data["title"],
            instructions=data["instructions"],
            note="初版（製品に同梱）",
            status=ClauseStatus.APPROVED,
            approved_at=utcnow(),
        )
        session.add(version)
        session.flush()
        add_questions(session, version, data["sections"])
        created += 1
    return created
