"""Clause bodies cannot print a method's memory address nor build a huge preview (issue 13, finding 8)."""

from __future__ import annotations

import pytest

from vendorguard.catalog import placeholder_list, sandbox
from vendorguard.catalog.clause_services import preview

SAMPLES = placeholder_list.sample_values("engagement")


@pytest.mark.parametrize("body", ["{{ contractor_name.upper }}", "{{ work_locations.append }}"])
def test_a_method_of_a_placeholder_is_refused_at_save(ja, body):
    with pytest.raises(sandbox.ClauseBodyError) as caught:
        sandbox.check_body(body, "engagement")
    assert "「.」を付ける書き方は使えません" in caught.value.message


@pytest.mark.parametrize(
    "body",
    [
        "{{ contractor_name.upper }}",
        "{% for place in work_locations %}{{ place.strip }}{% endfor %}",
        "{% for s in subcontractors %}{{ s.name.lower }}{% endfor %}",
    ],
)
def test_a_method_never_renders_as_a_memory_address(ja, body):
    with pytest.raises(sandbox.ClauseBodyError) as caught:
        sandbox.render_body(body, SAMPLES)  # even unchecked
    assert "安全のため" in caught.value.message


def test_fields_of_list_items_and_loop_still_work(ja):
    body = "{% for s in subcontractors %}{{ loop.index }}. {{ s.name }}（{{ s['scope'] }}）{% endfor %}"
    sandbox.check_body(body, "engagement")
    assert sandbox.render_body(body, SAMPLES) == "1. 城崎データサービス株式会社（帳票印刷）"


def test_a_body_that_multiplies_its_text_is_stopped(ja):
    grow = '|replace("", "' + "あ" * 200 + '")'
    body = "{{ contractor_name" + grow * 4 + " }}"
    sandbox.check_body(body, "engagement")  # short and harmless-looking: passes the save check
    with pytest.raises(sandbox.ClauseBodyError) as caught:
        sandbox.render_body(body, SAMPLES)
    assert "安全のため" in caught.value.message


def test_output_is_limited_while_rendering(ja):
    # Each piece is allowed (about 550 characters); 220 of them are not.
    piece = "{{ contractor_name|replace('', access_scope ~ work_description ~ access_method) }}"
    body = piece * 220
    sandbox.check_body(body, "engagement")
    with pytest.raises(sandbox.ClauseBodyError) as caught:
        preview(None, body, "engagement", None)
    assert f"差し込んだ結果が長すぎます（{sandbox.MAX_OUTPUT}文字まで）" in caught.value.message
