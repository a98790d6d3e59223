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
