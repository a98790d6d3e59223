"""Issue 14's accessibility acceptance: per role, a crawl from the home page of the demo city in
Debian's Chromium; every page reached answers 200 and axe-core (shipped inside
axe-playwright-python and injected from the package's file: no network) finds no serious or
critical violation.

Bounded so that all roles together take a few minutes at most on a loaded machine: the demo city is
seeded once for the module; same-origin GET links only, one URL per route (ids and query strings do
not make a new page), never a link that signs out, deletes or downloads, at most ``MAX_PAGES`` pages
per role. Axe runs on each role's home page and once per other route over the whole module (each role
opens the routes no earlier role has checked first; the admin, who reaches the most, comes last),
while every role checks that each page it opens answers.
"""

from __future__ import annotations

import threading
import time
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from werkzeug.exceptions import HTTPException
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.conftest import _empty_all_tables
from tests.demo_city import ACCOUNTS, seed_demo_city, sign_in
from vendorguard import create_app
from vendorguard.extensions import db

pytestmark = pytest.mark.browser

MAX_PAGES = 20
SERIOUS = {"serious", "critical"}
# Endpoints a crawl must not open: they sign out, change or delete something, or send a file.
SKIPPED_WORDS = (
    "logout",
    "delete",
    "remove",
    "download",
    "export",
    "file",
    "feed",
    "ics",
    "pdf",
    "docx",
    "xlsx",
    "csv",
    "language",
    "static",
    # The vendored Swagger UI (/api/v1/docs) is third-party markup, not the app's pages.
    "api-docs",
)
AXE = Axe()
CHECKED_ROUTES: set[str] = set()  # routes axe has run on, over all roles of the module


class _QuietHandler(WSGIRequestHandler):
    """No access log: a crawl makes hundreds of requests."""

    def log_request(self, *args, **kwargs) -> None:
        pass


@pytest.fixture(scope="module")
def demo_server(database_url, tmp_path_factory):
    """The demo city served on 127.0.0.1 for the whole module; yields (app, base URL, e-mails)."""
    tmp = tmp_path_factory.mktemp("a11y")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test-secret-key",
            "STORAGE_URL": (tmp / "storage").as_uri(),
            "SERVER_NAME": None,
            "MFA_REQUIRED_ROLES": "",
        },
        instance_path=str(tmp / "instance"),
    )
    with app.app_context():
        emails = seed_demo_city()
        server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield app, f"http://127.0.0.1:{server.server_port}", emails
        finally:
            server.shutdown()
            thread.join(timeout=10)
            db.session.remove()
            _empty_all_tables()
            db.engine.dispose()


def _route_key(app, path: str) -> str | None:
    """The endpoint a path is served by (its ids normalised away); None when not to be opened."""
    try:
        endpoint, _args = app.url_map.bind("127.0.0.1").match(path, method="GET")
    except HTTPException:
        return None
    if any(word in endpoint.lower() for word in SKIPPED_WORDS):
        return None
    return endpoint


def _links(page, origin: str) -> list[str]:
    """Same-origin links of the page (none with a download attribute), without their fragment."""
    hrefs = page.eval_on_selector_all(
        "a[href]:not([download])", "links => links.map(link => link.href)"
    )
    found = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" == origin:
            found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def _serious(results) -> list[str]:
    """One line per serious or critical violation: rule, impact, the first offending nodes."""
    lines = []
    for violation in results.response["violations"]:
        if violation["impact"] in SERIOUS:
            targets = ", ".join(str(node["target"]) for node in violation["nodes"][:3])
            lines.append(f"{violation['id']} ({violation['impact']}): {targets}")
    return lines


def crawl(
    app, page, base_url: str, home: str
) -> tuple[dict[str, str], dict[str, list[str]], list[str]]:
    """Breadth-first from ``home``; returns (route -> URL opened, problems by URL, routes
    not opened because of the cap)."""
    opened: dict[str, str] = {}
    problems: dict[str, list[str]] = {}
    left_over: list[str] = []
    frontier = {_route_key(app, home) or home: home}  # route -> first URL found, in order
    while frontier:
        # Routes no earlier role has checked come first, so the cap leaves out what is known.
        key = next((k for k in frontier if k not in CHECKED_ROUTES), next(iter(frontier)))
        path = frontier.pop(key)
        if len(opened) >= MAX_PAGES:
            left_over.append(key)
            continue
        response = page.goto(base_url + path)
        opened[key] = path
        found = []
        if response is None or response.status != 200:
            found.append(f"status {response.status if response else 'none'}")
        elif "text/html" in response.headers.get("content-type", ""):
            for link in _links(page, base_url):
                route = _route_key(app, link.split("?", 1)[0])
                if route is not None and route not in opened and route not in frontier:
                    frontier[route] = link
            if path == home or key not in CHECKED_ROUTES:  # each role's home is its own
                CHECKED_ROUTES.add(key)
                found += _serious(AXE.run(page))
        if found:
            problems[path] = found
    return opened, problems, left_over


@pytest.mark.parametrize("view", list(ACCOUNTS))
def test_every_page_a_role_reaches_answers_and_has_no_serious_axe_violation(
    demo_server, page, view
):
    app, base_url, emails = demo_server
    # Nothing outside the app can be reached: axe comes from the package, not from a CDN.
    page.context.route(lambda url: not url.startswith(base_url), lambda route: route.abort())
    sign_in(page, base_url, emails[view])
    started = time.monotonic()
    home = urlsplit(page.url).path  # where signing in leads: the home page, or the portal
    opened, problems, left_over = crawl(app, page, base_url, home)
    unchecked = sorted(set(left_over) - CHECKED_ROUTES)
    print(
        f"\n{view}: {len(opened)} pages in {time.monotonic() - started:.1f}s; "
        f"{len(CHECKED_ROUTES)} routes checked by axe so far; reached, not yet checked: {unchecked}"
    )
    assert len(opened) >= 3, opened
    assert not problems, "\n".join(
        f"{path}: {line}" for path, lines in problems.items() for line in lines
    )


def test_axe_runs_offline_and_reports_a_critical_violation(page):
    """The crawl's silence means something: axe, injected from the package with every request
    refused, flags an image without text as critical."""
    page.context.route("**/*", lambda route: route.abort())
    page.set_content(
        '<html lang="en"><head><title>t</title></head><body><main><img src="x.png"></main></body></html>'
    )
    assert any(line.startswith("image-alt (critical)") for line in _serious(AXE.run(page)))
