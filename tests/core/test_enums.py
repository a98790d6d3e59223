"""Labelled enums: one declaration gives the stored value, the label and the badge."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

import vendorguard.models  # noqa: F401  (every feature's enums defined)
from vendorguard.arrangements.models import ArrangementKind, ArrangementState
from vendorguard.assessments.models import AssessmentResult
from vendorguard.core.enums import LabelledEnum
from vendorguard.evidence.models import RequestStatus


class Colour(LabelledEnum):
    RED = "red", _l("赤"), "badge-danger"
    PLAIN = "plain", "Plain"


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def test_value_label_and_badge_come_from_one_line(app):
    with app.test_request_context():
        assert Colour("red") is Colour.RED and Colour.RED == "red" and f"{Colour.RED}" == "red"
        assert Colour.RED.label == "赤" and Colour.RED.badge == "badge-danger"
        assert Colour.PLAIN.label == "Plain" and Colour.PLAIN.badge == ""


def test_labels_follow_the_language(app):
    with app.test_request_context():
        assert ArrangementState.ACTIVE.label == "有効"
        with force_locale("en"):
            assert ArrangementState.ACTIVE.label == "Active"


def test_converted_enums_keep_their_values_labels_and_badges(app):
    with app.test_request_context():
        assert [k.value for k in ArrangementKind] == [
            "engagement",
            "cloud_service",
            "social_account",
        ]
        assert [k.label for k in ArrangementKind] == ["業務委託", "外部サービス", "SNSアカウント"]
        assert [(s.value, s.label, s.badge) for s in RequestStatus] == [
            ("open", "未提出", "badge-info"),
            ("submitted", "確認待ち", "badge-warn"),
            ("accepted", "受理", "badge-ok"),
            ("rejected", "差戻し", "badge-danger"),
            ("closed", "取下げ", "badge-muted"),
        ]
        assert AssessmentResult.NONCONFORMING.badge == "badge-danger"


def test_every_labelled_enum_of_the_app_has_a_label_for_each_member(app):
    enums = [
        cls for cls in _all_subclasses(LabelledEnum) if cls.__module__.startswith("vendorguard.")
    ]
    assert len(enums) >= 25
    with app.test_request_context():
        for enum_cls in enums:
            for member in enum_cls:
                assert isinstance(member.label, str) and member.label.strip(), member


def test_choices_built_at_import_follow_the_request_language(app):
    """A form class's choices are built once; their labels must still be translated per request."""
    from flask_babel import force_locale

    from vendorguard.documents.forms import GenerateForm

    with app.test_request_context():
        with force_locale("en"):
            english = GenerateForm(meta={"csrf": False}).date_style()
        with force_locale("ja"):
            japanese = GenerateForm(meta={"csrf": False}).date_style()
    assert "Japanese era (Reiwa 8, 1 April)" in english and "和暦（" not in english
    assert "和暦（令和8年4月1日）" in japanese
