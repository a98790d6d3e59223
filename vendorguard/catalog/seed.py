"""The shipped requirement catalog (FACTS §1–3) and the city's clause texts, as data.

Written in the project's own words. ``ensure_catalog`` adds what is missing and never overwrites
what the security office has since edited.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from vendorguard.arrangements.models import ArrangementKind
from vendorguard.audit import services as audit
from vendorguard.catalog import rules, sandbox
from vendorguard.catalog.models import (
    Clause,
    ClauseStatus,
    ClauseVersion,
    Requirement,
    RequirementKind,
)
from vendorguard.core.timeutil import utcnow

E, C, S = ArrangementKind.ENGAGEMENT, ArrangementKind.CLOUD_SERVICE, ArrangementKind.SOCIAL_ACCOUNT
K = RequirementKind


def _is(fact: str, value: bool = True) -> dict:
    return {"fact": fact, "op": "is", "value": value}


ALWAYS = {"always": True}
IN_MY_NUMBER_SEGMENT = {"fact": "segments", "op": "contains", "value": "my_number"}
# Work in the My Number segment touches 特定個人情報 whatever the flags say.
MY_NUMBER = {"any": [_is("handles_my_number"), IN_MY_NUMBER_SEGMENT]}
PERSONAL = {"any": [_is("handles_personal_info"), _is("handles_my_number"), IN_MY_NUMBER_SEGMENT]}
HIGH = _is("handles_high_confidentiality")
NOT_HIGH = {"not": HIGH}
STANDARD_TERMS = {"fact": "terms_type", "op": "eq", "value": "standard_terms"}
HIGH_OR_CONTRACT = {"any": [HIGH, {"fact": "terms_type", "op": "eq", "value": "contract"}]}

GUIDELINE = "総務省「地方公共団体における情報セキュリティポリシーに関するガイドライン」"
OUT_SOURCE = GUIDELINE + " 業務委託（令和4・5年版 8.1）"
CLOUD_SOURCE = GUIDELINE + " 外部サービスの利用"
SNS_SOURCE = GUIDELINE + " ソーシャルメディアサービスの利用／市の情報セキュリティ基本方針 6(8)"
PPC = "特定個人情報の適正な取扱いに関するガイドライン（行政機関等編）第4-2-(1)"

# (code, kind, applies_to, title_ja, title_en, explanation, source, rule)
REQUIREMENTS = (
    (
        "OUT-01",
        K.OUTSOURCING,
        E,
        "情報セキュリティポリシー及び実施手順の遵守",
        "Compliance with the security policy and procedures",
        "委託事業者に、市の情報セキュリティポリシーと実施手順のうち委託業務に関わる部分を守らせる。",
        OUT_SOURCE,
        ALWAYS,
    ),
    (
        "OUT-02",
        K.OUTSOURCING,
        E,
        "委託事業者の責任者、委託内容、作業者の所属、作業場所の特定",
        "Named responsible person, scope, staff affiliation and work location",
        "誰が責任を持ち、誰が、どこで、何の作業をするのかを契約で特定する。",
        OUT_SOURCE,
        ALWAYS,
    ),
    (
        "OUT-03",
        K.OUTSOURCING,
        E,
        "提供されるサービスレベルの保証",
        "Service-level guarantee",
        "委託業務の品質・水準を定め、満たせないときの報告と協議を約束させる。",
        OUT_SOURCE,
        ALWAYS,
    ),
    (
        "OUT-04",
        K.OUTSOURCING,
        E,
        "アクセスを許可する情報の種類と範囲、アクセス方法",
        "Information the contractor may access, how far and by what method",
        "委託事業者が触れてよい情報の種類・範囲と、その方法（端末、回線、場所）を限定する。",
        OUT_SOURCE,
        ALWAYS,
    ),
    (
        "OUT-05",
        K.OUTSOURCING,
        E,
        "従業員に対する教育の実施",
        "Staff education",
        "作業に従事する者への情報セキュリティ教育を、作業前と定期的に行わせる。",
        OUT_SOURCE,
        ALWAYS,
    ),
    (
        "OUT-06",
        K.OUTSOURCING,
        E,
        "目的外利用及び受託者以外の者への提供の禁止",
        "No use for other purposes, no provision to anyone else",
        "委託業務以外に情報を使うこと、委託事業者以外に渡すことを禁じる。複写・複製の制限もここに含める。",
        OUT_SOURCE,
        ALWAYS,
    ),
    (
        "OUT-07",
        K.OUTSOURCING,
        E,
        "業務上知り得た情報の守秘義務",
        "Confidentiality",
        "業務で知った情報を漏らさない義務を、契約終了後も続くものとして課す。",
        OUT_SOURCE,
        ALWAYS,
    ),
    # The guideline asks for this "as needed"; a contract that forbids re-subcontracting still
    # needs the clause saying so, so it applies to every engagement.
    (
        "OUT-08",
        K.OUTSOURCING,
        E,
        "再委託に関する制限事項の遵守",
        "Limits on re-subcontracting",
        "再委託は市の承諾を条件とし、再委託先にも同等の義務を課す。再委託を認めない契約でも、禁止の定めとして必要。",
        OUT_SOURCE,
        ALWAYS,
    ),
    (
        "OUT-09",
        K.OUTSOURCING,
        E,
        "委託業務終了時の情報資産の返還、廃棄等",
        "Return or disposal at the end",
        "業務終了・契約解除のときに、情報を返させ、又は復元できない方法で消させ、その証明を出させる。",
        OUT_SOURCE,
        ALWAYS,
    ),
    (
        "OUT-10",
        K.OUTSOURCING,
        E,
        "委託業務の定期報告及び緊急時報告義務",
        "Periodic and emergency reporting",
        "遵守状況の定期報告と、事故やそのおそれがあるときの直ちの報告を義務づける。",
        OUT_SOURCE,
        ALWAYS,
    ),
    (
        "OUT-11",
        K.OUTSOURCING,
        E,
        "市による監査、検査",
        "Audits and inspections by the city",
        "市が委託事業者（再委託先を含む）の作業場所を実地に検査・監査できるようにする。",
        OUT_SOURCE,
        ALWAYS,
    ),
    (
        "OUT-12",
        K.OUTSOURCING,
        E,
        "市による事故時等の公表",
        "Publication of incidents by the city",
        "事故が起きたとき、市が内容や事業者名を公表できることを定めておく。",
        OUT_SOURCE,
        ALWAYS,
    ),
    (
        "OUT-13",
        K.OUTSOURCING,
        E,
        "情報セキュリティポリシーが遵守されなかった場合の規定（損害賠償等）",
        "Consequences of a breach (damages, termination)",
        "違反や事故で損害が出たときの賠償と、契約解除ができることを定める。",
        OUT_SOURCE,
        ALWAYS,
    ),
    (
        "PI-01",
        K.PERSONAL_INFO,
        E,
        "安全管理措置義務の委託先への適用（全段階）",
        "Safety-management duty reaches the contractor and every lower tier",
        "個人情報の安全管理の義務は、委託を受けた事業者と、その先の全ての段階の受託者に及ぶ。",
        "個人情報の保護に関する法律 第66条第2項",
        PERSONAL,
    ),
    (
        "PI-02",
        K.PERSONAL_INFO,
        E,
        "従事者による個人情報の漏えい・不当利用の禁止",
        "Staff must not reveal or misuse personal information",
        "委託業務の従事者は、知り得た個人情報をみだりに他人に知らせ、不当な目的に使ってはならない（罰則：第176条、第180条）。",
        "個人情報の保護に関する法律 第67条",
        PERSONAL,
    ),
    (
        "PI-03",
        K.PERSONAL_INFO,
        E,
        "漏えい等発生時の個人情報保護委員会への報告及び本人への通知",
        "Breach reporting to the Commission and notice to the people concerned",
        "漏えい等が起きたときは、個人情報保護委員会への報告と本人への通知が必要になる。委託事業者には市への直ちの報告と協力を求める。",
        "個人情報の保護に関する法律 第68条",
        PERSONAL,
    ),
    (
        "MN-01",
        K.MY_NUMBER,
        E,
        "再委託における委託元の許諾（全段階）",
        "Re-subcontracting needs the city's permission at every tier",
        "特定個人情報を扱う業務の再委託は、どの段階でも最初の委託者（市）の許諾がなければできない。",
        "行政手続における特定の個人を識別するための番号の利用等に関する法律 第10条",
        MY_NUMBER,
    ),
    (
        "MN-02",
        K.MY_NUMBER,
        E,
        "委託先に対する必要かつ適切な監督",
        "The city supervises the contractor (selection, contract, tracking)",
        "市は、委託先の選定、契約の締結、取扱状況の把握を通じて委託先を監督しなければならない。",
        "行政手続における特定の個人を識別するための番号の利用等に関する法律 第11条／" + PPC,
        MY_NUMBER,
    ),
    (
        "MN-03",
        K.MY_NUMBER,
        E,
        "特定個人情報の委託契約に盛り込む事項",
        "What a My Number contract must contain",
        "秘密保持、事業所内からの持ち出し禁止、目的外利用の禁止、再委託の条件、漏えい時の責任、"
        "終了時の返還・廃棄、従事者の明確化、従事者の監督・教育、遵守状況の報告、実地の調査に関する定めを置く。",
        PPC,
        MY_NUMBER,
    ),
    (
        "CL-01",
        K.CLOUD,
        C,
        "外部サービスの利用に係る規程の遵守",
        "Follow the rules for using external services",
        "外部サービスを使う所管課に、市の利用規程を守らせる。機密性にかかわらず必要。",
        CLOUD_SOURCE,
        ALWAYS,
    ),
    (
        "CL-02",
        K.CLOUD,
        C,
        "ISMAPクラウドサービスリスト等を参考にした選定",
        "Selection with the ISMAP list as a reference",
        "機密性2以上の情報を扱うサービスは、ISMAP登録や認証の取得状況を確かめてから選ぶ。",
        CLOUD_SOURCE,
        HIGH,
    ),
    (
        "CL-03",
        K.CLOUD,
        C,
        "セキュリティ要件を明記した契約の締結",
        "A contract stating the security requirements",
        "機密性2以上の情報を扱うサービスは、約款任せにせず、調達と契約でセキュリティ要件を定める。",
        CLOUD_SOURCE,
        HIGH,
    ),
    (
        "CL-04",
        K.CLOUD,
        C,
        "利用ごとの申請及び承認",
        "Application and approval for each use",
        "外部サービスの利用は、その都度申請し、情報セキュリティ統括の承認を得る。",
        CLOUD_SOURCE,
        ALWAYS,
    ),
    (
        "CL-05",
        K.CLOUD,
        C,
        "外部サービス管理者の指名",
        "A named service manager",
        "サービスごとに外部サービス管理者を決め、利用者や設定を把握させる。",
        CLOUD_SOURCE,
        ALWAYS,
    ),
    (
        "CL-06",
        K.CLOUD,
        C,
        "構築時の対策",
        "Measures when building",
        "権限設定、多要素認証、暗号化、ログ取得などを利用開始前に設計・確認する（細部は要確認・編集可）。",
        CLOUD_SOURCE,
        HIGH,
    ),
    (
        "CL-07",
        K.CLOUD,
        C,
        "運用・保守時の対策",
        "Measures during operation and maintenance",
        "権限の定期見直し、ログの確認、事業者からの障害・脆弱性情報への対応を行う（細部は要確認・編集可）。",
        CLOUD_SOURCE,
        HIGH,
    ),
    (
        "CL-08",
        K.CLOUD,
        C,
        "更改・廃止時の対策（データの移行・消去）",
        "Measures at replacement or decommission",
        "利用終了や乗換えのときに、データを移し、事業者側で確実に消去されたことを確かめる。",
        CLOUD_SOURCE,
        HIGH,
    ),
    (
        "CL-09",
        K.CLOUD,
        C,
        "利用状況の記録",
        "A record of use",
        "機密性2以上の情報を扱わないサービス（約款によるものなど）は、利用者・期間・扱う情報を記録して管理する。",
        CLOUD_SOURCE,
        NOT_HIGH,
    ),
    (
        "CL-10",
        K.CLOUD,
        C,
        "データの保存場所、準拠法及び管轄裁判所の確認",
        "Data location, governing law and court",
        "データがどの国・地域に置かれ、どの国の法律と裁判所で争うことになるのかを確かめ、記録する。",
        CLOUD_SOURCE,
        ALWAYS,
    ),
    (
        "CL-11",
        K.CLOUD,
        C,
        "約款（利用規約）の内容確認",
        "Review of the standard terms",
        "約款で使うサービスは、事業者の責任範囲、データの扱い、変更・終了の条件を利用前と改定の都度確かめる。",
        CLOUD_SOURCE,
        STANDARD_TERMS,
    ),
    (
        "CL-12",
        K.CLOUD,
        C,
        "契約終了時のデータ返却・移行条件",
        "Exit and data-return terms",
        "契約で使うサービスや機密性2以上の情報を扱うサービスは、終了時のデータ返却・移行・消去の方法を取り決める。",
        CLOUD_SOURCE,
        HIGH_OR_CONTRACT,
    ),
    (
        "SNS-01",
        K.SNS,
        S,
        "運用手順の策定",
        "A written operating procedure",
        "アカウントごとに、投稿の起案・確認・公開の手順を文書で定める。",
        SNS_SOURCE,
        ALWAYS,
    ),
    (
        "SNS-02",
        K.SNS,
        S,
        "発信できる情報の規定",
        "What may be posted",
        "そのアカウントで発信してよい情報の範囲を決めておく。",
        SNS_SOURCE,
        ALWAYS,
    ),
    (
        "SNS-03",
        K.SNS,
        S,
        "機密性2以上の情報の発信禁止",
        "Never post information of confidentiality 2 or above",
        "機密性2以上の情報は、どのアカウントでも発信しない。",
        SNS_SOURCE,
        ALWAYS,
    ),
    (
        "SNS-04",
        K.SNS,
        S,
        "アカウントごとの責任者の指定",
        "A responsible person per account",
        "サービス（アカウント）ごとに責任者を定める。",
        SNS_SOURCE,
        ALWAYS,
    ),
    (
        "SNS-05",
        K.SNS,
        S,
        "なりすまし対策",
        "Impersonation countermeasures",
        "市公式サイトにアカウントを掲載し、プロフィールに運用所属を示し、提供があれば認証バッジを取得する。",
        SNS_SOURCE,
        ALWAYS,
    ),
    (
        "SNS-06",
        K.SNS,
        S,
        "パスワード・認証コード・端末の保護",
        "Protect passwords, codes and devices",
        "多要素認証を有効にし、認証情報の管理者と回復用連絡先を決め、ログインする端末を限る。",
        SNS_SOURCE,
        ALWAYS,
    ),
    (
        "SNS-07",
        K.SNS,
        S,
        "乗っ取り・なりすまし発生時の対応",
        "Hijack and impersonation response",
        "誰が対応し、プラットフォームへの報告と住民への注意喚起をどう行うかを決めておく。",
        SNS_SOURCE,
        ALWAYS,
    ),
    (
        "SNS-08",
        K.SNS,
        S,
        "可用性2の情報の市公式サイトへの掲載",
        "Post availability-2 information on the city site too",
        "住民が必ず受け取れるべき情報（可用性2）は、市公式サイトにも掲載する。",
        SNS_SOURCE,
        ALWAYS,
    ),
)

# (code, applies_to, sort_order, title, covered requirement codes, body)
#
# Parties, 「本契約」「本特記事項」「本サービス」「本アカウント」「本手順」 are defined once, in each Word
# template's preamble; clause texts only use them. A reference to another article is written as
# ``[[OUT-09]]`` (the requirement the target article covers; ``[[OUT-09#2]]`` for its paragraph 2)
# and becomes 第N条 once the document's articles are numbered (documents.references).
# A line ending in ``{% endif %}`` is followed by an empty line: the clause sandbox trims the
# newline after a block tag, and the next paragraph would otherwise run on.
CLAUSES = (
    (
        "ENG-01",
        E,
        10,
        "基本的事項",
        ("OUT-01",),
        """\
受注者は、本契約に係る業務「{{ contract_title }}」（以下「本業務」という。）の実施に当たり、本特記事項のほか、発注者の情報セキュリティポリシー及び情報セキュリティ実施手順のうち本業務に関係する事項を遵守しなければならない。
受注者は、本業務に係る情報資産の重要性を認識し、その漏えい、滅失、き損及び改ざんの防止その他の安全管理のために必要な措置を講じなければならない。
受注者は、第1項の情報セキュリティポリシー及び情報セキュリティ実施手順の内容に疑義があるときは、発注者に確認しなければならない。
""",
    ),
    (
        "ENG-18",
        E,
        15,
        "関係法令の遵守",
        ("OUT-01",),
        """\
受注者は、本業務の実施に当たり、民法（明治29年法律第89号）、著作権法（昭和45年法律第48号）、不正アクセス行為の禁止等に関する法律（平成11年法律第128号）その他本業務に関係する法令を遵守しなければならない。
""",
    ),
    (
        "ENG-02",
        E,
        20,
        "秘密の保持",
        ("OUT-07",),
        """\
受注者は、本業務の実施に当たって知り得た情報を他に漏らしてはならない。本業務が終了し、又は本契約が解除された後においても、同様とする。
受注者は、本業務に従事する者（以下「従事者」という。）に対し、在職中及び退職後においても本業務に関して知り得た情報を他に漏らしてはならないことを周知しなければならない。
""",
    ),
    (
        "ENG-03",
        E,
        30,
        "目的外利用及び第三者提供の禁止",
        ("OUT-06",),
        """\
受注者は、本業務に係る情報を本業務の目的以外に利用し、又は発注者の承諾なく受注者以外の者に提供してはならない。
受注者は、本業務の実施に必要な範囲を超えて、本業務に係る情報を収集してはならない。
""",
    ),
    (
        "ENG-04",
        E,
        40,
        "複写・複製の禁止",
        ("OUT-06",),
        """\
受注者は、発注者の承諾を得た場合を除き、本業務に係る情報が記録された資料及び電磁的記録媒体等を複写し、又は複製してはならない。
受注者は、前項の承諾を得て複写し、又は複製したものを原本と同様に管理し、本業務の終了後は[[OUT-09]]の定めるところにより取り扱わなければならない。
""",
    ),
    (
        "ENG-05",
        E,
        50,
        "持ち出しの禁止",
        ("OUT-04",),
        """\
受注者は、発注者の承諾を得た場合を除き、本業務に係る情報を作業場所から持ち出してはならない。
受注者は、前項の承諾を得て情報を持ち出すときは、暗号化、施錠できる容器による運搬その他の漏えいを防ぐための措置を講じ、その記録を残さなければならない。
""",
    ),
    (
        "ENG-06",
        E,
        60,
        "アクセスの範囲及び方法",
        ("OUT-04",),
        """\
受注者が本業務において取り扱うことができる情報は、次のとおりとする。
{% for item in information_handled %}
（{{ loop.index }}）{{ item }}
{% else %}
（1）本業務の実施に必要な情報として発注者が指定するもの
{% endfor %}
受注者が前項の情報にアクセスできる範囲は「{{ access_scope|default('本業務の実施に必要な最小限の範囲', true) }}」とし、アクセスの方法は「{{ access_method|default('発注者が指定する方法', true) }}」とする。
受注者は、前2項に定める範囲及び方法によらずに本業務に係る情報にアクセスしてはならない。
""",
    ),
    (
        "ENG-07",
        E,
        70,
        "再委託の制限",
        ("OUT-08",),
        """\
{% if subcontracting_allowed %}
受注者は、本業務の全部又は一部を第三者に委託（以下「再委託」という。）してはならない。ただし、あらかじめ、再委託先の名称、再委託する業務の範囲及び再委託先における情報の管理方法を書面により発注者に申し出て、発注者の書面による許諾（以下「再委託の許諾」という。）を得たときは、この限りでない。
受注者は、前項ただし書により再委託をするときは、再委託先に対し、本特記事項に定める受注者の義務と同等の義務を課し、再委託先における情報の取扱いを監督しなければならない。再委託先が更に委託をする場合も、その段階を問わず、再委託の許諾を要するものとし、同様とする。
受注者は、再委託先の行為について、発注者に対し全ての責任を負わなければならない。
{% if subcontractors %}
再委託の許諾を得た再委託先は、次のとおりとする。
{% for s in subcontractors %}
（{{ loop.index }}）{{ s.name }}（再委託する業務：{{ s.scope|default('本業務の一部', true) }}。{{ s.approved_on }}許諾）
{% endfor %}
{% endif %}
{% else %}
受注者は、本業務の全部又は一部を第三者に委託（以下「再委託」という。）してはならない。
{% endif %}
""",
    ),
    (
        "ENG-08",
        E,
        80,
        "従事者の明確化・監督・教育",
        ("OUT-02", "OUT-05"),
        """\
受注者は、本業務の責任者{% if contractor_representative %}（{{ contractor_representative }}）{% endif %}を定めるとともに、従事者の氏名及び所属を記載した名簿を作業の開始前に発注者に提出しなければならない。従事者を変更するときも、同様とする。
受注者は、従事者に対し、本業務に係る情報の適正な取扱い及び情報セキュリティに関する教育を作業の開始前及び定期的に実施し、その実施状況を発注者に報告しなければならない。
受注者は、従事者が本特記事項を遵守するよう監督しなければならない。
""",
    ),
    (
        "ENG-09",
        E,
        90,
        "作業場所",
        ("OUT-02",),
        """\
受注者は、本業務を次に掲げる場所（以下「作業場所」という。）で行わなければならない。
{% for place in work_locations %}
（{{ loop.index }}）{{ place }}
{% else %}
（1）発注者が指定する場所
{% endfor %}
受注者は、作業場所を変更しようとするときは、あらかじめ発注者の承諾を得なければならない。
受注者は、作業場所への入退室を管理し、従事者以外の者が本業務に係る情報に触れることのないよう必要な措置を講じなければならない。
""",
    ),
    (
        "ENG-10",
        E,
        100,
        "サービスレベルの保証",
        ("OUT-03",),
        """\
受注者は、仕様書等に定める本業務の品質及び水準（以下「サービスレベル」という。）を保証しなければならない。
受注者は、サービスレベルを満たすことができないおそれがあるときは、直ちに発注者に報告し、その対応について発注者と協議しなければならない。
""",
    ),
    (
        "ENG-11",
        E,
        110,
        "返還・廃棄",
        ("OUT-09",),
        """\
受注者は、本業務が終了し、又は本契約が解除されたときは、本業務に係る情報が記録された資料及び電磁的記録媒体等を、発注者の指示に従い速やかに返還し、又は復元できない方法により廃棄し、若しくは消去しなければならない。
受注者は、前項の規定により廃棄し、又は消去したときは、その日時、方法及び担当者を記載した証明書を発注者に提出しなければならない。
""",
    ),
    (
        "ENG-12",
        E,
        120,
        "定期報告及び緊急時報告",
        ("OUT-10",),
        """\
受注者は、本特記事項の遵守状況について、{{ reporting_cycle|default('発注者が定める時期に', true) }}、書面により発注者に報告しなければならない。
受注者は、本業務に係る情報の漏えい、滅失、き損その他の事故が発生し、又は発生したおそれがあることを知ったときは、直ちに発注者に報告し、その指示に従わなければならない。
受注者は、前項の事故について、その原因、被害の状況及び再発防止策を速やかに書面により発注者に報告しなければならない。
""",
    ),
    (
        "ENG-13",
        E,
        130,
        "実地検査・監査",
        ("OUT-11",),
        """\
発注者は、必要があると認めるときは、受注者{% if subcontracting_allowed %}（再委託先を含む。）{% endif %}の作業場所において、本業務に係る情報の取扱状況を実地に検査し、又は監査することができる。
受注者は、前項の検査又は監査に協力するとともに、発注者から改善の指示を受けたときは、これに従わなければならない。
""",
    ),
    (
        "ENG-14",
        E,
        140,
        "事故の公表",
        ("OUT-12",),
        """\
発注者は、本業務に関し情報セキュリティに関する事故が発生したときは、必要に応じて、当該事故の内容、受注者の名称その他必要な事項を公表することができる。
""",
    ),
    (
        "ENG-15",
        E,
        150,
        "個人情報の取扱い",
        ("PI-01", "PI-02", "PI-03"),
        """\
受注者は、個人情報の保護に関する法律（平成15年法律第57号）を遵守し、本業務に係る個人情報の漏えい、滅失又は毀損の防止その他の安全管理のために必要かつ適切な措置を講じなければならない。{% if subcontracting_allowed %}この義務は、再委託先その他本業務の全ての段階の受託者にも及ぶものとする。{% endif %}

受注者及び従事者は、本業務に関して知り得た個人情報の内容をみだりに他人に知らせ、又は不当な目的に利用してはならない。受注者は、これらの行為に同法の罰則が適用されることを従事者に周知しなければならない。
受注者は、個人情報の漏えい等が発生し、又は発生したおそれがあるときは、[[OUT-10#2]]の報告に加え、発注者が行う個人情報保護委員会への報告及び本人への通知に必要な情報を提供し、これに協力しなければならない。
""",
    ),
    (
        "ENG-16",
        E,
        160,
        "特定個人情報の取扱い",
        ("MN-01", "MN-02", "MN-03"),
        """\
受注者は、行政手続における特定の個人を識別するための番号の利用等に関する法律（平成25年法律第27号。以下「番号法」という。）を遵守し、本業務に係る特定個人情報を適正に取り扱わなければならない。
{% if subcontracting_allowed %}
受注者は、特定個人情報を取り扱う業務の全部又は一部を再委託するときは、番号法第10条第1項の規定により、再委託ごとに再委託の許諾を得なければならない。再委託先が更に委託をする場合も、その段階を問わず同様とする。
{% else %}
受注者は、特定個人情報を取り扱う業務の全部又は一部を再委託してはならない（[[OUT-08]]）。
{% endif %}
受注者は、特定個人情報を取り扱う従事者を明確にし、当該従事者に対し必要な監督及び教育を行わなければならない。
受注者は、特定個人情報について秘密を保持し、作業場所から持ち出してはならず、本業務の目的以外に利用してはならない。
受注者は、特定個人情報の取扱状況を、{{ reporting_cycle|default('発注者が定める時期に', true) }}、発注者に報告するとともに、発注者が番号法第11条の規定により行う監督、報告の求め及び実地の調査に応じなければならない。
受注者は、特定個人情報の漏えい等の事故が発生したときはその責任を負い、本業務が終了したときは、[[OUT-09]]の定めるところにより特定個人情報を発注者に返還し、又は復元できない方法により消去しなければならない。
""",
    ),
    (
        "ENG-17",
        E,
        170,
        "損害賠償及び契約の解除",
        ("OUT-13",),
        """\
受注者は、本特記事項に違反し、又は受注者の責めに帰すべき事由により本業務に係る情報の漏えい等の事故が発生したことにより発注者又は第三者に損害を与えたときは、その損害を賠償しなければならない。{% if subcontracting_allowed %}再委託先の責めに帰すべき事由による場合も、同様とする。{% endif %}

発注者は、受注者が本特記事項に違反したときは、本契約の全部又は一部を解除することができる。
""",
    ),
    # -- cloud: what the provider signs (クラウドサービス利用に係るセキュリティ要件) -----------------
    (
        "CLP-01",
        C,
        5,
        "基本的事項",
        ("CL-03",),
        """\
受注者は、本サービスの提供に当たり、本書に定める要件を満たし、本契約に関係する法令を遵守しなければならない。
受注者は、本サービスで取り扱う発注者の情報（以下「発注者データ」という。）を、本サービスの提供以外の目的に利用し、又は第三者に提供してはならない。
""",
    ),
    (
        "CLP-02",
        C,
        6,
        "データの保存場所、準拠法及び管轄裁判所",
        ("CL-10",),
        """\
受注者は、発注者データを{{ data_location|default('日本国内', true) }}に保存しなければならない。保存場所を変更しようとするときは、あらかじめ発注者の承諾を得なければならない。
本契約の準拠法は{{ governing_law|default('日本法', true) }}とし、本契約に関する紛争については{{ jurisdiction|default('発注者の所在地を管轄する地方裁判所', true) }}を第一審の専属的合意管轄裁判所とする。
""",
    ),
    (
        "CLP-03",
        C,
        7,
        "事故発生時の通知",
        ("CL-03",),
        """\
受注者は、発注者データの漏えい、滅失、き損その他の情報セキュリティに関する事故又は本サービスの重大な障害が発生し、又は発生したおそれがあることを知ったときは、直ちに発注者に通知し、その原因、影響の範囲及び対応の状況を報告しなければならない。
""",
    ),
    (
        "CLP-04",
        C,
        8,
        "監査報告書等の提出",
        ("CL-02",),
        """\
受注者は、発注者の求めに応じて、本サービスに係る第三者による監査又は評価の結果（{% if ismap_registration %}ISMAPクラウドサービスリストへの登録（登録番号 {{ ismap_registration }}）に係るものを含む。{% else %}ISMAPクラウドサービスリストへの登録の状況を含む。{% endif %}）及び情報セキュリティに関する認証の取得状況を示す資料を提出しなければならない。
受注者は、前項の登録又は認証が失効し、又は取り消されたときは、速やかに発注者に通知しなければならない。
""",
    ),
    (
        "CLP-05",
        C,
        9,
        "再委託先の管理",
        ("CL-03",),
        """\
受注者は、本サービスの提供に用いる再委託先（発注者データを取り扱うものに限る。）の名称及び所在国を発注者に通知し、これを変更しようとするときは、あらかじめ発注者に通知しなければならない。
受注者は、前項の再委託先に対し、本書に定める要件と同等の義務を課し、その履行を管理しなければならない。
""",
    ),
    (
        "CLP-06",
        C,
        11,
        "仕様等の変更の通知",
        ("CL-03",),
        """\
受注者は、本サービスの機能、情報セキュリティ対策、利用条件又は提供の終了に関する重要な変更を行おうとするときは、相当の期間をおいて、あらかじめ発注者に通知しなければならない。
""",
    ),
    (
        "CLP-07",
        C,
        12,
        "契約終了時のデータの返却及び消去",
        ("CL-08", "CL-12"),
        """\
受注者は、本契約が終了したときは、発注者の指示に従い、発注者データを発注者が利用できる形式で返却し、又は他のサービスへの移行に協力しなければならない。
受注者は、前項の返却又は移行の後、発注者データを復元できない方法により消去し、その日時及び方法を記載した証明書を発注者に提出しなければならない。
""",
    ),
    # -- cloud: the city's own record (外部サービス利用承認記録) --------------------------------------
    (
        "CLD-01",
        C,
        10,
        "利用規程の遵守及び利用範囲",
        ("CL-01",),
        """\
{{ department_name }}は、本サービスを利用するに当たり、{{ city_name }}の外部サービスの利用に係る規程を遵守しなければならない。
本サービスは、{{ purpose|default('利用申請において定めた目的', true) }}のために利用し、それ以外の目的に利用してはならない。
""",
    ),
    (
        "CLD-02",
        C,
        20,
        "利用申請及び承認",
        ("CL-04",),
        """\
本サービスを利用するときは、あらかじめ利用申請を行い、情報セキュリティ統括部署の承認を得なければならない。申請した内容を変更するときも、同様とする。
""",
    ),
    (
        "CLD-03",
        C,
        30,
        "外部サービス管理者",
        ("CL-05",),
        """\
本サービスの外部サービス管理者は、{{ responsible_officer|default('所管課長が指名する者', true) }}とする。
外部サービス管理者は、本サービスの利用者、利用状況及び設定を把握し、適切に管理しなければならない。
""",
    ),
    (
        "CLD-04",
        C,
        40,
        "サービスの選定",
        ("CL-02",),
        """\
本サービスは、ISMAPクラウドサービスリストその他の第三者による評価の結果、提供事業者の情報セキュリティに関する認証の取得状況等を参考に、機密性2以上の情報を取り扱うに足る安全性を確認した上で選定しなければならない。
{% if ismap_registration %}本サービスのISMAP登録番号は、{{ ismap_registration }}である。{% endif %}
""",
    ),
    (
        "CLD-05",
        C,
        50,
        "契約に定めるセキュリティ要件",
        ("CL-03", "CL-12"),
        """\
本サービスの利用に係る契約には、提供事業者が満たすべき情報セキュリティ上の要件（データの保存場所、準拠法及び管轄裁判所、事故発生時の通知、監査報告書等の提出、再委託先の管理、変更の通知並びに契約終了時のデータの返却及び消去）を定めなければならない。
""",
    ),
    (
        "CLD-06",
        C,
        60,
        "構築時の対策",
        ("CL-06",),
        """\
本サービスを利用する環境を構築するときは、アクセス権限の設定、多要素認証、通信及び保存する情報の暗号化、ログの取得その他の情報セキュリティ対策を設計し、利用の開始前にその設定を確認しなければならない。
""",
    ),
    (
        "CLD-07",
        C,
        70,
        "運用・保守時の対策",
        ("CL-07",),
        """\
本サービスの運用及び保守においては、利用者及び権限を定期的に見直し、ログを確認するとともに、提供事業者からの障害、脆弱性及び仕様変更に関する情報を把握し、必要な対策を講じなければならない。
""",
    ),
    (
        "CLD-08",
        C,
        80,
        "更改・廃止時の対策",
        ("CL-08",),
        """\
本サービスの利用を終了し、又は他のサービスに移行するときは、本サービスに保存された情報を移行し、提供事業者において復元できない方法により消去されたことを確認しなければならない。
""",
    ),
    (
        "CLD-09",
        C,
        90,
        "利用状況の記録",
        ("CL-09",),
        """\
外部サービス管理者は、本サービスの利用者、利用期間及び取り扱う情報の範囲を記録し、情報セキュリティ統括部署の求めに応じて報告しなければならない。
本サービスでは、機密性2以上の情報を取り扱ってはならない。
""",
    ),
    (
        "CLD-10",
        C,
        100,
        "情報の保存場所及び準拠法の確認",
        ("CL-10",),
        """\
本サービスで取り扱う情報の保存場所は{{ data_location|default('（未確認）', true) }}、準拠法は{{ governing_law|default('（未確認）', true) }}、合意管轄裁判所は{{ jurisdiction|default('（未確認）', true) }}である。
外部サービス管理者は、これらに変更があったときは速やかに内容を確認し、記録しなければならない。
""",
    ),
    (
        "CLD-11",
        C,
        110,
        "約款の確認",
        ("CL-11",),
        """\
本サービスを約款（利用規約）により利用するときは、利用の開始前及び約款が改定される都度、提供事業者の責任の範囲、情報の取扱い並びにサービスの変更及び終了の条件を確認し、市の利用に支障がないことを確かめなければならない。
""",
    ),
    (
        "SOC-01",
        S,
        10,
        "目的及び責任者",
        ("SNS-04",),
        """\
{{ department_name }}は、本アカウントを、{{ purpose|default('市政に関する情報の発信', true) }}のために運用する。
本アカウントの責任者は{{ responsible_officer|default('（未指定）', true) }}とし、責任者は本アカウントの運用全般を管理する。
{% if operators %}
本アカウントの運用担当者は、次のとおりとする。
{% for person in operators %}
（{{ loop.index }}）{{ person }}
{% endfor %}
{% endif %}
""",
    ),
    (
        "SOC-02",
        S,
        20,
        "運用手順",
        ("SNS-01",),
        """\
本アカウントの運用は、本手順に定めるほか、次のとおり行う。
{% for step in operating_steps %}
（{{ loop.index }}）{{ step }}
{% else %}
（1）投稿は運用担当者が起案し、責任者の確認を経て公開する。
{% endfor %}
""",
    ),
    (
        "SOC-03",
        S,
        30,
        "発信する情報",
        ("SNS-02", "SNS-03"),
        """\
本アカウントで発信する情報は、次のとおりとする。
{% for rule in posting_rule_items %}
（{{ loop.index }}）{{ rule }}
{% else %}
（1）市政に関する情報、催しの情報、防災に関する情報その他責任者が認めた情報
{% endfor %}
次に掲げる情報は、本アカウントで発信してはならない。
（1）機密性2以上の情報
（2）個人の権利を侵害するおそれのある情報
（3）市の信用を損なうおそれのある情報
""",
    ),
    (
        "SOC-04",
        S,
        40,
        "なりすまし対策",
        ("SNS-05",),
        """\
本アカウントが市の公式アカウントであることを示すため、市公式サイト{% if official_list_url %}（{{ official_list_url }}）{% endif %}に本アカウントを掲載し、本アカウントのプロフィールに運用する所属名を明示する。
プラットフォームが認証の仕組み（認証バッジ等）を提供するときは、これを取得するよう努める。
""",
    ),
    (
        "SOC-05",
        S,
        50,
        "アカウントの保護",
        ("SNS-06",),
        """\
本アカウントのパスワード及び認証コードは、{{ credential_custodian|default('責任者', true) }}が管理し、運用担当者以外の者に知らせてはならない。
本アカウントでは多要素認証を有効にし、ログインに用いる端末を限定して適切に管理する。
アカウントの回復に用いる連絡先は{{ recovery_contact|default('所管課の共用の連絡先', true) }}とし、個人の連絡先を登録してはならない。
""",
    ),
    (
        "SOC-06",
        S,
        60,
        "乗っ取り・なりすまし発生時の対応",
        ("SNS-07",),
        """\
本アカウントの乗っ取り又はなりすましのアカウントを発見した者は、直ちに責任者に報告し、責任者は情報セキュリティ統括部署{% if security_department %}（{{ security_department }}）{% endif %}に報告する。
責任者は、パスワードの変更その他必要な措置を講じ、プラットフォームの運営事業者に報告するとともに、市公式サイト等により住民に注意を呼び掛ける。
""",
    ),
    (
        "SOC-07",
        S,
        70,
        "重要な情報の発信",
        ("SNS-08",),
        """\
災害に関する情報その他住民の生命、身体又は財産に関わる情報（可用性2の情報）を本アカウントで発信するときは、市公式サイトにも同じ情報を掲載する。
""",
    ),
)
# Clauses that state the city's own duties: printed in its internal record, not in what a
# counterparty signs (vendorguard.documents: a cloud service gets both documents).
INTERNAL_CLAUSES = frozenset(
    {
        "CLD-01",
        "CLD-02",
        "CLD-03",
        "CLD-04",
        "CLD-05",
        "CLD-06",
        "CLD-07",
        "CLD-08",
        "CLD-09",
        "CLD-10",
        "CLD-11",
    }
)


def ensure_catalog(session: Session) -> dict[str, int]:
    """Add missing shipped requirements and clauses (idempotent); returns how many were added."""
    requirements = {r.code: r for r in session.scalars(select(Requirement))}
    added_requirements = 0
    for order, (code, kind, applies_to, title_ja, title_en, explanation, source, rule) in enumerate(
        REQUIREMENTS
    ):
        if code in requirements:
            continue
        rules.validate_rule(rule, applies_to)
        requirement = Requirement(
            code=code,
            kind=kind,
            applies_to=applies_to,
            title_ja=title_ja,
            title_en=title_en,
            explanation=explanation,
            source=source,
            rule=rule,
            active=True,
            sort_order=(order + 1) * 10,
        )
        session.add(requirement)
        requirements[code] = requirement
        added_requirements += 1
    session.flush()

    existing = set(session.scalars(select(Clause.code)))
    added_clauses = 0
    now = utcnow()
    for code, applies_to, order, title, covers, body in CLAUSES:
        if code in existing:
            continue
        sandbox.check_body(body, applies_to)
        clause = Clause(
            code=code,
            title=title,
            applies_to=applies_to,
            sort_order=order,
            internal=code in INTERNAL_CLAUSES,
        )
        version = ClauseVersion(
            clause=clause,
            number=1,
            title=title,
            body=body,
            status=ClauseStatus.APPROVED,
            approved_at=now,
            note="初期登録（vendorguard 同梱の条項）",
        )
        version.requirements = [requirements[c] for c in covers if c in requirements]
        session.add_all([clause, version])
        session.flush()
        audit.record(
            session,
            "update",
            "clause_version",
            version.id,
            str(version),
            before={"requirements": []},
            after={"requirements": version.requirement_codes},
        )
        added_clauses += 1
    return {"requirements": added_requirements, "clauses": added_clauses}
