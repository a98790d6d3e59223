"""What ``create_app`` does for a served process beyond wiring the features."""

from __future__ import annotations

import gc
from unittest.mock import patch

import click

from vendorguard import create_app


def test_a_served_app_freezes_its_startup_heap_and_a_test_app_does_not(tmp_path):
    settings = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}", "SECRET_KEY": "x"}
    gc.unfreeze()
    try:
        create_app(dict(settings, TESTING=True), instance_path=str(tmp_path))
        assert gc.get_freeze_count() == 0
        create_app(settings, instance_path=str(tmp_path))
        # the app's modules, mappers and templates: the full collections no longer walk them
        assert gc.get_freeze_count() > 50_000
    finally:
        gc.unfreeze()


def test_a_served_app_has_every_template_compiled_before_its_first_request(tmp_path):
    settings = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}", "SECRET_KEY": "x"}
    gc.unfreeze()
    try:
        served = create_app(settings, instance_path=str(tmp_path))
        with click.Context(click.Command("vg")):  # a command-line run (flask …) is left cold
            command_line = create_app(settings, instance_path=str(tmp_path))
    finally:
        gc.unfreeze()
    test_app = create_app(dict(settings, TESTING=True), instance_path=str(tmp_path))
    names = served.jinja_env.list_templates()
    assert "engagements/detail.html" in names and "base.html" in names

    def compiled(app) -> set[str]:
        """The templates ``app`` serves from Jinja's cache: compiling another one fails."""
        env, found = app.jinja_env, set()
        with patch.object(env, "compile", side_effect=AssertionError("compiled on request")):
            for name in names:
                try:
                    env.get_template(name)
                    found.add(name)
                except AssertionError:
                    pass
        return found

    assert compiled(served) == set(names)
    assert compiled(command_line) == compiled(test_app) == set()


def test_a_served_app_freezes_what_serving_added_after_its_first_requests(
    database_url, tmp_path, monkeypatch
):
    from vendorguard.web import heap

    monkeypatch.setattr(heap, "REFREEZE_AFTER", (3,))
    settings = {"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x"}
    gc.unfreeze()
    try:
        served = create_app(settings, instance_path=str(tmp_path))
        client = served.test_client()

        def get(url: str = "/login") -> int:
            """A request, its response closed as a WSGI server closes it once sent."""
            with client.get(url) as response:
                return response.status_code

        frozen_at_start = gc.get_freeze_count()
        kept = [[] for _ in range(1_000)]  # what serving made and keeps (caches)
        for _ in range(2):
            assert get() == 200
        assert gc.get_freeze_count() <= frozen_at_start
        # the 3rd is a static file, whose close callbacks Werkzeug drops: the 4th freezes
        assert get("/static/app.css") == 200
        assert gc.get_freeze_count() <= frozen_at_start
        assert get() == 200
        after_fourth = gc.get_freeze_count()
        assert after_fourth >= frozen_at_start + len(kept)
        for _ in range(3):
            get()
        assert gc.get_freeze_count() <= after_fourth  # only on the schedule
        assert kept
    finally:
        gc.unfreeze()
