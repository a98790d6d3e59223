"""gunicorn on 127.0.0.1 for the benchmarks: the real app as deployed and the bare comparison page.

Both servers get the same worker settings (``--workers``, ``--threads``: gthread when > 1), the
same ``--preload``, ``--timeout 120`` and an access log, as ``Dockerfile``, ``compose.yaml`` and
``deploy/systemd/vendorguard.service`` run the app. The port is the one the kernel gave (bind to
port 0, read gunicorn's "Listening at" line), so two benchmarks never collide.

Clients send ``Connection: close``, as nginx does towards its upstream by default (HTTP/1.0) and as
sync workers answer anyway: with keep-alive, gthread workers close idle connections after 2 s and
a request sent on one at that moment is reset — a browser retries it, ``requests`` does not.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The seeded users have no second factor: the real app with MFA_REQUIRED_ROLES empty (an empty
# VENDORGUARD_* variable means "the default", so the override goes through the factory call).
REAL_APP = "vendorguard:create_app({'MFA_REQUIRED_ROLES': ''})"
BARE_APP = "page_bench:bare_app()"


@dataclass(frozen=True)
class Workers:
    """gunicorn's worker settings; ``threads`` > 1 means the gthread worker class."""

    workers: int = 4
    threads: int = 1

    def argv(self) -> list[str]:
        """The command-line options for these settings."""
        options = ["--workers", str(self.workers)]
        if self.threads > 1:
            options += ["--worker-class", "gthread", "--threads", str(self.threads)]
        return options

    def label(self) -> str:
        """How the docs name these settings, e.g. "4 sync workers", "2 × 4 gthread"."""
        if self.threads > 1:
            return f"{self.workers} gthread workers × {self.threads} threads"
        return f"{self.workers} sync workers"


class Gunicorn:
    """One gunicorn master serving ``app_spec``; ``with`` starts it and stops it."""

    def __init__(self, name: str, app_spec: str, workers: Workers, env: dict[str, str]) -> None:
        self.name, self.app_spec, self.workers = name, app_spec, workers
        self.folder = Path(tempfile.mkdtemp(prefix=f"vg-{name}-"))
        self.log_path = self.folder / "gunicorn.log"
        self.env = {
            **os.environ,
            **env,
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "benchmarks")]),
            "VENDORGUARD_INSTANCE_PATH": str(self.folder / "instance"),
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""

    def __enter__(self) -> Gunicorn:
        argv = [sys.executable, "-m", "gunicorn", "--bind", "127.0.0.1:0", *self.workers.argv()]
        argv += ["--preload"]  # as deployed: the master builds (and warms) the app, then forks
        argv += ["--timeout", "120", "--access-logfile", str(self.folder / "access.log")]
        # gunicorn ≥ 23 opens a control socket at one fixed path per user: two servers (or another
        # engineer's) would take it from each other. The benchmarks never use it.
        argv += ["--no-control-socket"]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [*argv, self.app_spec], cwd=ROOT, env=self.env, stdout=log, stderr=log
            )
        self._wait_ready(timeout=90)
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        self.stop()
        if kind is None:  # the log and instance folder are kept when something went wrong
            shutil.rmtree(self.folder, ignore_errors=True)

    def _wait_ready(self, timeout: float) -> None:
        """Until every worker has booted and the server answers (bounded by ``timeout``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.log_path.read_text()[-3000:]}")
            log = self.log_path.read_text(errors="replace")
            found = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", log)
            booted = len(re.findall(r"Booting worker with pid", log))
            if found and booted >= self.workers.workers:
                self.url = found.group(1)
                try:
                    with urllib.request.urlopen(self.url + "/", timeout=30):
                        pass
                    return
                except urllib.error.HTTPError:
                    return  # answered (a redirect to /login or a 404 is an answer)
                except OSError:
                    pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready in {timeout} s:\n{self.log_path.read_text()}")

    def worker_pids(self) -> list[int]:
        """The master's worker processes."""
        assert self.process is not None
        master = self.process.pid
        return [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 15 s."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def memory_kib(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of a process in KiB; PSS shares the pages forked workers have in common."""
    rss = pss = 0
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name == "Rss":
            rss = int(rest.split()[0])
        elif name == "Pss":
            pss = int(rest.split()[0])
    return rss, pss


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def sign_in(session, base: str, email: str, password: str) -> None:
    """Sign a ``requests.Session`` in through the login form (its CSRF token, the password); a
    302 away from /login means signed in."""
    page = session.get(base + "/login", timeout=60).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    data = {"email": email, "password": password, "csrf_token": token.group(1) if token else ""}
    answer = session.post(base + "/login", data=data, allow_redirects=False, timeout=60)
    if answer.status_code != 302 or "/login" in answer.headers.get("Location", ""):
        raise RuntimeError(f"sign-in of {email} failed: {answer.status_code}")


def backends_cpu(database: str) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend connected to ``database``, found by their
    process titles ("postgres: user database host(port) state"): PostgreSQL on this machine."""
    out = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if title.startswith(b"postgres: ") and f" {database} ".encode() in title:
            out[int(entry.name)] = cpu_seconds(int(entry.name))
    return out


class DatabaseCpu(threading.Thread):
    """Samples the database's backends every half second until stopped: a connection the app's
    pool closes during the run (gthread's overflow) still counts with its last sample."""

    def __init__(self, database: str) -> None:
        super().__init__(daemon=True)
        self.database, self.halt = database, threading.Event()
        self.before = backends_cpu(database)
        self.last = dict(self.before)

    def run(self) -> None:
        while not self.halt.wait(0.5):
            self.last.update(backends_cpu(self.database))

    def used(self) -> float:
        """Stop sampling; CPU seconds the backends used since the thread was made."""
        self.halt.set()
        self.join(timeout=10)
        self.last.update(backends_cpu(self.database))
        return sum(s - self.before.get(pid, 0.0) for pid, s in self.last.items())
