"""The API's Swagger UI runs from local files under the app's Content-Security-Policy."""

from __future__ import annotations

import pytest


@pytest.mark.browser
def test_swagger_ui_shows_every_operation_without_csp_errors(live_server, page):
    messages, outside = [], []
    page.on("console", lambda message: messages.append(message.text))
    page.on(
        "request",
        lambda request: (
            outside.append(request.url) if not request.url.startswith(live_server) else None
        ),
    )
    page.goto(f"{live_server}/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "vendorguard API" in page.inner_text(".swagger-ui .info .title")
    assert "OAS 3.1" in page.inner_text(".swagger-ui .info")
    assert page.locator(".opblock").count() == 24
    assert not [m for m in messages if "Content Security Policy" in m], messages
    assert outside == []  # no CDN, no fonts, no validator
