"""The typed settings: defaults in one place, VENDORGUARD_* overrides, the app's config keys."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from config import Settings, load_config
from vendorguard import create_app
from vendorguard.core import settings

DOCS = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_defaults_without_any_variable(tmp_path):
    config = load_config(tmp_path, env={})
    current = Settings.from_config(config)
    assert current.page_size == 25 and current.base_url == "http://127.0.0.1:5000"
    assert current.mail_timeout == 30 and current.mail_sender == "vendorguard@localhost"
    # ASVS 4.0.3 3.3.2 (L2): 30 minutes idle, and an absolute lifetime within 12 hours.
    assert current.session_idle_minutes == 30 and current.session_max_hours == 8
    assert current.sqlalchemy_database_uri == f"sqlite:///{tmp_path / 'vendorguard.db'}"
    assert current.storage_url == (tmp_path / "evidence").resolve().as_uri()
    assert len(current.secret_key) == 64  # generated once and kept in the instance folder
    assert config["PERMANENT_SESSION_LIFETIME"] == 8 * 3600
    assert config["MAX_CONTENT_LENGTH"] == 100 * 1024 * 1024
    assert config["EVIDENCE_ZIP_MAX_EXPANDED"] == 500 * 1024 * 1024
    assert config["SESSION_COOKIE_SECURE"] is False and config["REMEMBER_COOKIE_SECURE"] is False


def test_environment_overrides_each_kind_of_setting(tmp_path):
    env = {
        "VENDORGUARD_PAGE_SIZE": "50",
        "VENDORGUARD_MAIL_TIMEOUT": "2.5",
        "VENDORGUARD_PUBLIC_ACCOUNTS_PAGE": "off",
        "VENDORGUARD_SECURE_COOKIES": "yes",
        "VENDORGUARD_SESSION_HOURS": "2",
        "VENDORGUARD_EVIDENCE_ZIP_MAX_EXPANDED_MB": "7",
        "VENDORGUARD_MAX_UPLOAD_MB": "3",
        "VENDORGUARD_DEFAULT_LOCALE": "en",
        "VENDORGUARD_DATABASE_URL": "postgresql+psycopg://vg@db/vg",
        "VENDORGUARD_S3_REGION": "ap-northeast-1",
        "VENDORGUARD_MAIL_HOST": "",  # empty counts as unset
    }
    config = load_config(tmp_path, env=env)
    current = Settings.from_config(config)
    assert current.page_size == 50 and current.mail_timeout == 2.5
    assert current.public_accounts_page is False
    assert config["SESSION_COOKIE_SECURE"] is True and config["REMEMBER_COOKIE_SECURE"] is True
    assert config["PERMANENT_SESSION_LIFETIME"] == 7200
    assert config["EVIDENCE_ZIP_MAX_EXPANDED"] == 7 * 1024 * 1024
    assert config["MAX_UPLOAD_MB"] == 3 and config["MAX_CONTENT_LENGTH"] == 3 * 1024 * 1024
    assert config["BABEL_DEFAULT_LOCALE"] == "en"
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://vg@db/vg"
    assert current.s3_region == "ap-northeast-1" and current.mail_host == ""


def test_a_number_setting_that_is_not_a_number_stops_the_start(tmp_path):
    with pytest.raises(ValueError, match="VENDORGUARD_PAGE_SIZE must be a number"):
        load_config(tmp_path, env={"VENDORGUARD_PAGE_SIZE": "many"})


def test_secrets_stay_out_of_the_repr(tmp_path):
    env = {"VENDORGUARD_MAIL_PASSWORD": "hunter2", "VENDORGUARD_WEBHOOK_SECRET": "s3cret"}
    text = repr(Settings.from_config(load_config(tmp_path, env=env)))
    assert "hunter2" not in text and "s3cret" not in text


def test_the_app_settings_follow_its_config(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "k",
            "PAGE_SIZE": 7,
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
        },
        instance_path=str(tmp_path),
    )
    with app.app_context():
        first = settings.current()
        assert first.page_size == 7
        assert settings.current() is first  # built once while the config is unchanged
        app.config["PAGE_SIZE"] = 9  # as tests do after create_app
        assert settings.current().page_size == 9


@pytest.mark.parametrize(
    "change",
    [
        lambda config: config.update(PAGE_SIZE=11),
        lambda config: config.update({"PAGE_SIZE": 11}),
        lambda config: config.__ior__({"PAGE_SIZE": 11}),
        lambda config: config.from_mapping(PAGE_SIZE=11),
        lambda config: (config.pop("PAGE_SIZE"), config.setdefault("PAGE_SIZE", 11)),
        lambda config: (config.__delitem__("PAGE_SIZE"), config.__setitem__("PAGE_SIZE", 11)),
    ],
)
def test_every_way_of_changing_the_config_is_seen(tmp_path, monkeypatch, change):
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": "sqlite://"},
        instance_path=str(tmp_path),
    )
    assert isinstance(app.config, settings.TrackedConfig)
    assert settings.for_app(app).page_size == 25
    change(app.config)
    assert settings.for_app(app).page_size == 11
    monkeypatch.setitem(app.config, "PAGE_SIZE", 12)
    assert settings.for_app(app).page_size == 12
    monkeypatch.undo()
    assert settings.for_app(app).page_size == 11


def test_every_setting_is_documented():
    documented = set(re.findall(r"`VENDORGUARD_([A-Z0-9_]+)`", DOCS.read_text(encoding="utf-8")))
    variables = {
        spec.metadata.get("env") or spec.name.upper() for spec in dataclasses.fields(Settings)
    }
    assert variables - documented == set()
