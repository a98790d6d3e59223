"""The deployment recipe refers to what exists: compose services, the Dockerfile and the systemd
units run real files, real ``vg`` commands with options they accept, and real settings."""

from __future__ import annotations

import dataclasses
import json
import re
import shlex

import click
import yaml

from config import PREFIX, Settings
from tests.jobs.conftest import ROOT

SETTINGS = {
    PREFIX + (f.metadata.get("env") or f.name.upper()) for f in dataclasses.fields(Settings)
}


def check_command(app, argv: list[str]) -> None:
    """``argv`` is a gunicorn line serving ``app:app``, or a ``flask --app app vg …`` line whose
    command and options the real CLI accepts."""
    program = argv[0].rsplit("/", 1)[-1]
    if program == "gunicorn":
        assert argv[-1] == "app:app" and "app = create_app()" in (ROOT / "app.py").read_text()
        return
    assert program == "flask" and argv[1:3] == ["--app", "app"], argv
    if argv[3] == "db":
        assert argv[4] == "upgrade"
        return
    assert argv[3] == "vg", argv
    group = app.cli.commands["vg"]
    command = group.commands.get(argv[4])
    assert command is not None, f"no command vg {argv[4]}"
    with click.Context(group) as parent:
        command.make_context(argv[4], list(argv[5:]), parent=parent)  # raises on a bad option


def lines_of(command) -> list[list[str]]:
    """The command lines a compose ``command`` runs (``sh -c "a && b"`` is two)."""
    if command[:2] == ["sh", "-c"]:
        return [shlex.split(part) for part in command[2].split("&&")]
    return [command]


def test_compose_runs_app_worker_scheduler_postgres_and_s3(app):
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert {"db", "s3", "migrate", "app", "worker", "scheduler"} <= set(services)
    assert services["db"]["image"].startswith("postgres:")
    assert services["s3"]["image"].startswith("minio/")
    ours = {name: s for name, s in services.items() if s.get("build") == "."}
    assert set(ours) == {"migrate", "app", "worker", "scheduler"}
    ran = set()
    for service in ours.values():
        for argv in lines_of(service["command"]):
            check_command(app, argv)
            ran.add(" ".join(argv[3:5]) if argv[0] == "flask" else argv[0])
        env = service["environment"]
        assert {k for k in env if k.startswith(PREFIX)} <= SETTINGS
        assert env["VENDORGUARD_JOB_ENGINE"] == "procrastinate"
        assert env["VENDORGUARD_STORAGE_URL"].startswith("s3://")
        assert "@db:5432/" in env["VENDORGUARD_DATABASE_URL"]
    assert ran == {
        "db upgrade",
        "vg jobs-schema",
        "gunicorn",
        "vg jobs-worker",
        "vg jobs-scheduler",
    }
    for name in ("app", "worker", "scheduler"):
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
    example = (ROOT / "deploy" / "compose.env.example").read_text()
    for variable in set(re.findall(r"\$\{(\w+):\?", (ROOT / "compose.yaml").read_text())):
        assert f"\n{variable}=" in "\n" + example, variable


def test_dockerfile_copies_files_that_exist_and_serves_the_app(app):
    dockerfile = (ROOT / "Dockerfile").read_text()
    copied = [line.split()[1:-1] for line in dockerfile.splitlines() if line.startswith("COPY ")]
    assert copied
    for sources in copied:
        for source in sources:
            assert (ROOT / source).exists(), source
    packaged = {"vendorguard", "templates", "static", "migrations", "contract_templates", "app.py"}
    assert packaged <= {s for sources in copied for s in sources}
    cmd = next(line for line in dockerfile.splitlines() if line.startswith("CMD "))
    argv = json.loads(cmd[4:])
    check_command(app, argv)
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    assert compose["services"]["app"]["command"] == argv
    assert "'.[postgres,server]'" in dockerfile  # procrastinate and psycopg come with postgres


def test_systemd_units_run_real_commands(app):
    units = sorted((ROOT / "deploy" / "systemd").glob("*.service"))
    names = {unit.name for unit in units}
    assert {"vendorguard.service", "vendorguard-worker.service"} <= names
    assert "vendorguard-scheduler.service" in names
    for unit in units:
        exec_start = re.search(r"^ExecStart=(.+)$", unit.read_text(), re.M).group(1)
        check_command(app, shlex.split(exec_start))
        assert "EnvironmentFile=/etc/vendorguard/env" in unit.read_text()
    for timer in (ROOT / "deploy" / "systemd").glob("*.timer"):
        assert timer.with_suffix(".service").exists(), timer.name
    deploy = (ROOT / "docs" / "deploy.md").read_text()
    for name in names:
        assert name in deploy, f"docs/deploy.md does not mention {name}"
