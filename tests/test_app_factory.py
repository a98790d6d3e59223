"""What ``create_app`` does for a served process beyond wiring the features."""

from __future__ import annotations

import gc

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
