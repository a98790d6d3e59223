"""Japanese names for the actions, object kinds and fields written into the audit trail.

The trail stores stable codes (``approve``, ``engagement``, ``name_kana``); people read these names.
Unknown codes are shown as they are, so a new feature's events stay readable before it is named here.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ACTION_LABELS = {
    "create": _l("登録"),
    "update": _l("更新"),
    "archive": _l("アーカイブ"),
    "restore": _l("元に戻す"),
    "delete": _l("削除"),
    "approve": _l("承認"),
    "reject": _l("却下"),
    "apply": _l("利用申請"),
    "activate": _l("適用開始"),
    "login": _l("ログイン"),
    "logout": _l("ログアウト"),
    "login_failed": _l("ログイン失敗"),
    "login_throttled": _l("ログイン一時停止"),
    "password_change": _l("パスワード変更"),
    "password_reset": _l("パスワード再設定"),
    "sign_out_everywhere": _l("すべての端末からログアウト"),
    "close": _l("完了"),
    "reopen": _l("再開"),
    "withdraw": _l("取下げ"),
    "remind": _l("督促"),
}

OBJECT_TYPE_LABELS = {
    "department": _l("所属"),
    "user_account": _l("利用者"),
    "contractor": _l("委託事業者"),
    "certification": _l("認証・認定"),
    "arrangement": _l("案件"),
    "engagement": _l("業務委託"),
    "information_item": _l("取り扱う情報"),
    "subcontractor": _l("再委託先"),
    "cloud_service": _l("外部サービス"),
    "cloud_service_department": _l("外部サービスの利用所属"),
    "cloud_use_application": _l("外部サービスの利用申請"),
    "approval_request": _l("承認の申請"),
    "social_account": _l("SNSアカウント"),
    "classification_scheme": _l("重要性分類の体系"),
    "classification_level": _l("重要性分類の区分"),
    "requirement": _l("要件"),
    "clause": _l("条項"),
    "clause_version": _l("条項の版"),
    "contract_document": _l("特記事項（契約書別紙）"),
    "evidence_requirement": _l("証跡の要件"),
    "evidence_request": _l("証跡の提出依頼"),
    "evidence_submission": _l("証跡の提出"),
    "evidence_file": _l("証跡ファイル"),
    "upload_link": _l("提出用リンク"),
    "assessment": _l("確認"),
    "action": _l("措置"),
    "notification": _l("通知"),
    "calendar_feed": _l("カレンダー配信"),
    "city_profile": _l("市の基本情報"),
    "ismap_registration": _l("ISMAPの登録"),
    "portal_invitation": _l("ポータルへの招待"),
    "reminder_preference": _l("通知の受け取り方"),
    "reminder_setting": _l("リマインダーの設定"),
    "requirement_waiver": _l("要件の適用除外"),
    "social_attestation": _l("SNSの定期確認"),
    "social_incident": _l("SNSの事案"),
    "social_incident_step": _l("SNS事案の対応手順"),
    "social_procedure_file": _l("SNS運用手順のファイル"),
    "inspection": _l("実地検査"),
    "inspection_item": _l("実地検査の確認項目"),
    "inspection_photo": _l("実地検査の写真"),
    "questionnaire_template": _l("自己点検の様式"),
    "questionnaire_version": _l("自己点検の様式の版"),
    "questionnaire_section": _l("自己点検の区分"),
    "questionnaire_question": _l("自己点検の設問"),
    "questionnaire_request": _l("自己点検の依頼"),
    "questionnaire_answer": _l("自己点検の回答"),
    "questionnaire_file": _l("自己点検の添付ファイル"),
    "sso_provider": _l("シングルサインオンのIDプロバイダー"),
    "sso_role_mapping": _l("シングルサインオンの役割の対応"),
    "api_token": _l("APIトークン"),
    "exit_checklist": _l("契約終了時の措置"),
    "exit_item": _l("契約終了時の措置の項目"),
    "staff_member": _l("従事者"),
    "staff_training": _l("従事者の研修記録"),
    "engagement_cloud_service": _l("業務委託で使う外部サービス"),
    "engagement_tier": _l("業務委託のリスク区分"),
    "tier_policy": _l("リスク区分ごとの頻度"),
    "tier_rule": _l("リスク区分のルール"),
}

# Column names that appear in many tables; others are shown by their code.
FIELD_LABELS = {
    "id": _l("ID"),
    "code": _l("コード"),
    "name": _l("名称"),
    "name_kana": _l("よみがな"),
    "title": _l("件名"),
    "email": _l("メールアドレス"),
    "role": _l("役割"),
    "locale": _l("表示言語"),
    "active": _l("有効"),
    "password_hash": _l("パスワード"),
    "department_id": _l("所属"),
    "contractor_id": _l("委託事業者"),
    "responsible_officer_id": _l("責任者"),
    "state": _l("状態"),
    "kind": _l("種類"),
    "label": _l("表示名"),
    "rank": _l("順位"),
    "axis": _l("観点"),
    "description": _l("説明"),
    "notes": _l("備考"),
    "address": _l("所在地"),
    "phone": _l("電話番号"),
    "corporate_number": _l("法人番号"),
    "contract_number": _l("契約番号"),
    "starts_on": _l("開始日"),
    "ends_on": _l("終了日"),
    "valid_from": _l("有効期間（開始）"),
    "valid_until": _l("有効期限"),
    "approval_state": _l("承認状況"),
    "approved_on": _l("承認日"),
    "approved_at": _l("承認日時"),
    "approved_by": _l("承認者"),
    "mfa_enabled": _l("多要素認証"),
    "handles_high_confidentiality": _l("機密性2以上の情報を扱う"),
    "ismap_registration_number": _l("ISMAP登録番号"),
    "created_at": _l("登録日時"),
    "updated_at": _l("更新日時"),
    "archived_at": _l("アーカイブ日時"),
    "last_login_at": _l("最終ログイン"),
    "next_review_on": _l("次回確認日"),
}


def action_label(action: str) -> str:
    """The Japanese name of an action, or the code itself when unknown."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def object_type_label(object_type: str) -> str:
    """The Japanese name of an object kind (table), or the table name when unknown."""
    label = OBJECT_TYPE_LABELS.get(object_type)
    return str(label) if label is not None else object_type


def field_label(field: str) -> str:
    """The Japanese name of a column, or the column name when unknown."""
    label = FIELD_LABELS.get(field)
    return str(label) if label is not None else field
