"""Two app instances (real gunicorn processes) on one PostgreSQL and one S3 server: a sign-in on
one is valid on the other, logging out on one ends it on both, files go in and out through either.

Nothing of a session lives in a process: the cookie is signed with the shared SECRET_KEY and the
user's ``session_generation`` (raised at logout) is a database column; files are in S3.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from tests.jobs.conftest import ROOT, wait_until
from tests.storage.conftest import aws_credentials, bucket, moto_s3  # noqa: F401  (fixtures)
from vendorguard.auth.roles import Role
from vendorguard.core.timeutil import today_tokyo
from vendorguard.extensions import db
from vendorguard.social.models import SocialProcedureFile

PASSWORD = "correct horse battery"
CONTENT = b"%PDF-1.4\n" + "SNS運用手順（二つのサーバ）".encode() * 40


class Instance:
    """``gunicorn app:app`` on 127.0.0.1, port 0 (the port it got is read from its log)."""

    def __init__(self, name: str, env: dict[str, str], tmp: Path) -> None:
        self.log_path = tmp / f"{name}.log"
        instance = tmp / f"instance-{name}"
        environment = {**os.environ, **env, "VENDORGUARD_INSTANCE_PATH": str(instance)}
        environment.pop("VENDORGUARD_TEST_DATABASE_URL", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", "127.0.0.1:0", "--workers", "1"]
            + ["--graceful-timeout", "3", "--control-socket", str(tmp / f"{name}.ctl"), "app:app"],
            cwd=ROOT,
            env=environment,
            stdout=open(self.log_path, "w"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )
        self.url = ""

    def ready(self) -> bool:
        if self.process.poll() is not None:
            pytest.fail(self.log_path.read_text())
        if not self.url:
            found = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", self.log_path.read_text())
            self.url = found.group(1) if found else ""
        if not self.url:
            return False
        try:
            # The worker imports the app on its first request: wait for it.
            return requests.get(self.url + "/login", timeout=30).status_code == 200
        except requests.RequestException:
            return False

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


@pytest.fixture
def instances(app, moto_s3, bucket, tmp_path):  # noqa: F811
    if db.engine.dialect.name != "postgresql":
        pytest.skip("two instances share one PostgreSQL (set VENDORGUARD_TEST_DATABASE_URL)")
    env = {
        "VENDORGUARD_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "VENDORGUARD_SECRET_KEY": "one-secret-for-every-instance",
        "VENDORGUARD_AUDIT_KEY": "one-audit-key-for-every-instance",
        "VENDORGUARD_STORAGE_URL": f"s3://{bucket}/vg",
        "VENDORGUARD_S3_ENDPOINT_URL": moto_s3.endpoint,
        "VENDORGUARD_S3_REGION": "us-east-1",
        "VENDORGUARD_S3_ADDRESSING_STYLE": "path",
    }
    running = [Instance(name, env, tmp_path) for name in ("a", "b")]
    try:
        wait_until(lambda: all(i.ready() for i in running), timeout=60, what="both instances")
        yield running
    finally:
        for instance in running:
            instance.stop()


def test_a_session_and_files_are_shared_by_two_instances(app, make, instances, moto_s3, bucket):  # noqa: F811
    a, b = instances
    department = make.department()
    owner = make.user(Role.SNS_OWNER, department=department)
    account = make.social_account(department=department)
    db.session.commit()

    browser = requests.Session()
    login_page = browser.get(a.url + "/login").text
    signed_in = browser.post(
        a.url + "/login",
        data={"email": owner.email, "password": PASSWORD, "csrf_token": csrf(login_page)},
        allow_redirects=False,
    )
    assert signed_in.status_code == 302, signed_in.text[:500]
    # The same cookie on the other instance: signed in there too.
    detail = browser.get(f"{b.url}/social-accounts/{account.id}", allow_redirects=False)
    assert detail.status_code == 200 and account.title in detail.text

    # Upload through B, download through A; and the other way round.
    for upload_to, download_from, name in ((b, a, "手順B.pdf"), (a, b, "手順A.pdf")):
        content = CONTENT + name.encode()
        page = browser.get(f"{upload_to.url}/social-accounts/{account.id}").text
        stored = browser.post(
            f"{upload_to.url}/social-accounts/{account.id}/procedures",
            data={"csrf_token": csrf(page)},
            files={"file": (name, content, "application/pdf")},
        )
        assert f"運用手順のファイル「{name}」を登録しました。" in stored.text
        page = browser.get(f"{download_from.url}/social-accounts/{account.id}").text
        file_id = db.session.scalar(
            select(SocialProcedureFile.id).where(SocialProcedureFile.filename == name)
        )
        db.session.rollback()
        download = browser.get(f"{download_from.url}/social-accounts/procedures/{file_id}")
        assert download.status_code == 200 and download.content == content
    objects = moto_s3.client().list_objects_v2(Bucket=bucket, Prefix="vg/social/")
    assert objects["KeyCount"] == 2

    # Log out on A; a copy of the cookie kept from before is refused by B as well.
    copied = dict(browser.cookies)
    page = browser.get(a.url + "/").text
    browser.post(a.url + "/logout", data={"csrf_token": csrf(page)})
    for instance in (a, b):
        again = requests.get(
            f"{instance.url}/social-accounts/{account.id}", cookies=copied, allow_redirects=False
        )
        assert again.status_code == 302 and "/login" in again.headers["Location"]


def _ending_count(html: str) -> str | None:
    found = re.search(r'id="block-ending".*?(\d+)件', html, re.S)
    return found.group(1) if found else None


def test_a_kept_home_page_follows_a_change_made_by_another_process(app, make, instances):
    """Each instance keeps the home page's body while the records marker holds (dashboard.kept):
    a change committed by any other process shows at the next view on both."""
    a, b = instances
    kanko, contractor = make.department(name="観光課"), make.contractor()
    ending = today_tokyo() + timedelta(days=10)
    make.engagement(kanko, contractor, title="観光サイト保守", ends_on=ending)
    officer = make.user(Role.OFFICER, department=kanko)
    browser = requests.Session()
    login_page = browser.get(a.url + "/login").text
    browser.post(
        a.url + "/login",
        data={"email": officer.email, "password": PASSWORD, "csrf_token": csrf(login_page)},
    )
    for instance in (a, b, a, b):  # made, then kept, on each
        assert _ending_count(browser.get(instance.url + "/").text) == "1"

    make.engagement(kanko, contractor, title="観光アプリ保守", ends_on=ending)  # this process
    for instance in (a, b):
        assert _ending_count(browser.get(instance.url + "/").text) == "2"
