"""Benchmark: a 1 GiB upload through the real portal endpoint (gunicorn) into S3, against boto3.

    .venv/bin/python benchmarks/upload_bench.py [--size-mib 1024] [--rounds 2] [--database-url URL]

Processes on 127.0.0.1: moto's S3 server; the app as deployed (``gunicorn app:app``, one sync
worker, configured only through ``VENDORGUARD_*`` variables: S3 storage on the moto server, a
real database); and this script. Before the server starts, the script builds the database
(SQLite file by default, or ``--database-url``: e.g. PostgreSQL) with a department, a contractor,
its portal user (password login; contractors need no second factor by default), an engagement
and one open evidence request per upload. It then signs in through the real login form (CSRF
token from the page), opens the request's page for the upload form's CSRF token, and POSTs the
file — generated on the fly: a PDF header and a repeated random 1 MiB block, never held whole —
as multipart/form-data to ``/portal/requests/<id>/submit``. The answer must be the redirect
back to the request; the stored file's size and sha256 are then checked in the database row and
the object's size by an S3 HEAD. Measured:

- the gunicorn worker's peak memory growth: VmHWM (peak RSS, reset through
  /proc/<pid>/clear_refs before the upload) minus VmRSS before it, after a warm-up upload;
  a 20 ms VmRSS sampler checks it;
- the throughput of the endpoint, end to end (first byte sent → redirect received);
- boto3's ``upload_fileobj`` of the same generated stream to the same moto server, with boto3's
  default TransferConfig and with the storage's own, interleaved with the endpoint's uploads.

Each object is deleted again (moto keeps objects in memory). Results go to docs/benchmarks.md by
hand, with the load average printed at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MiB = 1024 * 1024
BOUNDARY = "vgbench" + uuid.uuid4().hex
PDF_HEAD = b"%PDF-1.7\n"


class Generated:
    """A non-seekable stream of ``size`` bytes: a PDF header, then one random MiB repeated."""

    def __init__(self, size: int, seed: bytes = b"vendorguard"):
        self.left = size
        self.block = hashlib.shake_256(seed).digest(MiB)
        self.pending = PDF_HEAD

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self.left
        out = []
        want = min(size, self.left)
        while want > 0:
            if not self.pending:
                self.pending = self.block
            piece, self.pending = self.pending[:want], self.pending[want:]
            out.append(piece)
            want -= len(piece)
            self.left -= len(piece)
        return b"".join(out)


def expected_sha256(size: int) -> str:
    digest = hashlib.sha256()
    stream = Generated(size)
    while chunk := stream.read(8 * MiB):
        digest.update(chunk)
    return digest.hexdigest()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


def proc_status(pid: int) -> dict[str, int]:
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0]) * 1024
    return values


def cpu_seconds(pid: int | None = None) -> float:
    """User + system CPU time of a process so far (this one when ``pid`` is None)."""
    if pid is None:
        times = os.times()
        return times.user + times.system
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """CPU seconds used by each process between start() and stop()."""

    def __init__(self, pids: dict[str, int | None]):
        self.pids = pids

    def __enter__(self):
        self.start = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        return self

    def __exit__(self, *exc):
        self.used = {name: cpu_seconds(pid) - self.start[name] for name, pid in self.pids.items()}

    def text(self) -> str:
        return ", ".join(f"{name} {seconds:.1f}" for name, seconds in self.used.items())


def reset_peak(pid: int) -> bool:
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")  # resets VmHWM to the current RSS
        return True
    except OSError:
        return False


class Sampler(threading.Thread):
    """Samples a process's RSS every 20 ms."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop_event = pid, 0, threading.Event()

    def run(self) -> None:
        while not self.stop_event.is_set():
            self.peak = max(self.peak, proc_status(self.pid)["VmRSS"])
            time.sleep(0.02)

    def stop(self) -> int:
        self.stop_event.set()
        self.join()
        return self.peak


def boto3_upload(client, bucket: str, size: int, config) -> float:
    key = f"baseline/{uuid.uuid4().hex}"
    started = time.perf_counter()
    client.upload_fileobj(Generated(size), bucket, key, Config=config)
    elapsed = time.perf_counter() - started
    assert client.head_object(Bucket=bucket, Key=key)["ContentLength"] == size
    client.delete_object(Bucket=bucket, Key=key)
    return elapsed


def login(base: str, email: str, password: str):
    """Sign in through the real login form; returns (opener, cookie jar)."""
    import http.cookiejar
    import urllib.parse
    import urllib.request

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    token = csrf_token(opener.open(f"{base}/login").read().decode())
    data = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token})
    with opener.open(f"{base}/login", data=data.encode()) as response:
        if "/login" in response.geturl():
            raise RuntimeError("login failed: still on the login page")
    return opener, jar


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page
    )
    if not match:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1)


def post_upload(base: str, port: int, opener, jar, request_id: int, size: int) -> float:
    """POST the generated file to the portal's submit URL as the browser's form would."""
    page = f"/portal/requests/{request_id}"
    token = csrf_token(opener.open(base + page).read().decode())
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; '
        f'filename="bench.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
    ).encode()
    tail = (
        f'\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name="comment"\r\n\r\n'
        f"benchmark\r\n--{BOUNDARY}--\r\n"
    ).encode()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    connection.putrequest("POST", f"{page}/submit")
    connection.putheader("Content-Type", f"multipart/form-data; boundary={BOUNDARY}")
    connection.putheader("Content-Length", str(len(head) + size + len(tail)))
    connection.putheader("Cookie", "; ".join(f"{c.name}={c.value}" for c in jar))
    connection.endheaders()
    connection.send(head)
    stream = Generated(size)
    while chunk := stream.read(MiB):
        connection.send(chunk)
    connection.send(tail)
    response = connection.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    connection.close()
    if response.status != 302 or not response.getheader("Location", "").endswith(page):
        raise RuntimeError(f"upload failed: {response.status} {body[:2000]!r}")
    return elapsed


def prepare_database(app, requests: int) -> tuple[str, list[int]]:
    """Tables, a contractor's portal user, an engagement and open requests; (email, request ids)."""
    from tests.factories import PASSWORD, Factory
    from vendorguard.auth.roles import Role
    from vendorguard.evidence.models import (
        Cadence,
        EvidenceProvider,
        EvidenceRequest,
        EvidenceRequirement,
        RequestStatus,
    )
    from vendorguard.extensions import db

    assert PASSWORD
    with app.app_context():
        db.drop_all()
        db.create_all()
        make = Factory(db.session)
        department = make.department(name="ベンチ課", email="bench@city.example.jp")
        contractor = make.contractor(name="ベンチ商事株式会社")
        user = make.user(Role.CONTRACTOR, contractor_id=contractor.id, email="bench@example.jp")
        engagement = make.engagement(department=department, contractor=contractor)
        ids = []
        for n in range(requests):
            requirement = EvidenceRequirement(
                arrangement_id=engagement.id,
                title=f"ベンチ報告書{n}",
                description="benchmark",
                cadence=Cadence.AD_HOC,
                provider=EvidenceProvider.CONTRACTOR,
                due_offset_days=14,
            )
            db.session.add(requirement)
            db.session.flush()
            request = EvidenceRequest(
                evidence_requirement_id=requirement.id,
                arrangement_id=engagement.id,
                occurrence=f"bench-{n}",
                scheduled_due_on=date(2026, 12, 1),
                due_on=date(2026, 12, 1),
                status=RequestStatus.OPEN,
            )
            db.session.add(request)
            db.session.flush()
            ids.append(request.id)
        db.session.commit()
        email = user.email
        db.engine.dispose()
    return email, ids


def stored_file(app, request_id: int):
    """(storage_key, size, sha256) of the file recorded for the request's latest submission."""
    from sqlalchemy import select

    from vendorguard.evidence.models import EvidenceFile, EvidenceSubmission
    from vendorguard.extensions import db

    with app.app_context():
        row = db.session.execute(
            select(EvidenceFile.storage_key, EvidenceFile.size, EvidenceFile.sha256)
            .join(EvidenceSubmission, EvidenceSubmission.id == EvidenceFile.submission_id)
            .where(EvidenceSubmission.request_id == request_id)
            .order_by(EvidenceFile.id.desc())
            .limit(1)
        ).one()
        db.session.close()
    return row


def worker_pid(master: int, timeout: float = 30) -> int:
    """The gunicorn master's (only) worker process."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("gunicorn started no worker")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=2, help="uploads of each kind (alternating)")
    parser.add_argument(
        "--database-url", help="SQLAlchemy URL of an EMPTY-able database (default: a SQLite file)"
    )
    args = parser.parse_args()
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_EC2_METADATA_DISABLED="true",
    )

    import boto3
    from boto3.s3.transfer import TransferConfig

    from vendorguard import create_app
    from vendorguard.storage.s3 import S3Storage

    size = args.size_mib * MiB
    moto_port, app_port, bucket = free_port(), free_port(), "vg-bench"
    endpoint = f"http://127.0.0.1:{moto_port}"
    base = f"http://127.0.0.1:{app_port}"
    instance = tempfile.mkdtemp(prefix="vg-bench-")
    database_url = args.database_url or f"sqlite:///{instance}/bench.db"
    app_env = {
        "VENDORGUARD_INSTANCE_PATH": instance,
        "VENDORGUARD_SECRET_KEY": "bench-" + uuid.uuid4().hex,
        "VENDORGUARD_DATABASE_URL": database_url,
        "VENDORGUARD_STORAGE_URL": f"s3://{bucket}/vg",
        "VENDORGUARD_S3_ENDPOINT_URL": endpoint,
        "VENDORGUARD_S3_REGION": "us-east-1",
        "VENDORGUARD_MAX_UPLOAD_MB": str(max(2048, args.size_mib + 64)),
    }
    env = dict(os.environ, **app_env)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": app_env["VENDORGUARD_SECRET_KEY"],
        },
        instance_path=instance,
    )
    email, request_ids = prepare_database(app, args.rounds + 1)
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(moto_port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    log = open(Path(instance) / "gunicorn.log", "wb")
    try:
        wait_for(moto_port)
        client = boto3.session.Session().client(
            "s3", endpoint_url=endpoint, region_name="us-east-1"
        )
        client.create_bucket(Bucket=bucket)
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "--workers",
                    "1",
                    "--bind",
                    f"127.0.0.1:{app_port}",
                    "--timeout",
                    "600",
                    "app:app",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=log,
            )
        )
        wait_for(app_port)
        server_pid = worker_pid(processes[1].pid)
        sha = expected_sha256(size)
        from tests.factories import PASSWORD

        opener, jar = login(base, email, PASSWORD)

        # Warm-up: imports, the boto3 client, thread pools and the first multipart upload.
        post_upload(base, app_port, opener, jar, request_ids[0], 32 * MiB)
        key, _, _ = stored_file(app, request_ids[0])
        client.delete_object(Bucket=bucket, Key="vg/" + key)

        # The storage's own TransferConfig (part size, concurrency, parts buffered).
        storage_config = S3Storage(bucket, endpoint_url=endpoint, region="us-east-1")._transfer
        app_times, growths, sampled, default_times, same_times = [], [], [], [], []
        cpu: dict[str, list[str]] = {"app": [], "default": [], "same": []}
        pids = {"moto": processes[0].pid, "gunicorn worker": server_pid, "client": None}
        for request_id in request_ids[1:]:
            with CpuMeter(pids) as meter:
                default_times.append(boto3_upload(client, bucket, size, TransferConfig()))
            cpu["default"].append(meter.text())
            with CpuMeter(pids) as meter:
                same_times.append(boto3_upload(client, bucket, size, storage_config))
            cpu["same"].append(meter.text())

            before = proc_status(server_pid)["VmRSS"]
            reset = reset_peak(server_pid)
            sampler = Sampler(server_pid)
            sampler.start()
            with CpuMeter(pids) as meter:
                elapsed = post_upload(base, app_port, opener, jar, request_id, size)
            cpu["app"].append(meter.text())
            peak_sampled = sampler.stop()
            status = proc_status(server_pid)
            peak = status["VmHWM"] if reset else peak_sampled
            key, stored_size, stored_sha = stored_file(app, request_id)
            assert (stored_size, stored_sha) == (size, sha), (stored_size, stored_sha)
            head = client.head_object(Bucket=bucket, Key="vg/" + key)
            assert head["ContentLength"] == size, head
            client.delete_object(Bucket=bucket, Key="vg/" + key)
            app_times.append(elapsed)
            growths.append(peak - before)
            sampled.append(peak_sampled - before)

        def rate(seconds: float) -> float:
            return size / MiB / seconds

        app_rate = rate(statistics.median(app_times))
        default_rate = rate(statistics.median(default_times))
        same_rate = rate(statistics.median(same_times))
        print(
            f"file: {args.size_mib} MiB generated on the fly; rounds: {args.rounds}; "
            f"database: {database_url.split(':', 1)[0]}; size and sha256 verified (row + S3 HEAD)"
        )
        print(
            f"gunicorn worker peak RSS growth (VmHWM{'' if reset else ' unavailable: sampled'}): "
            f"{', '.join(f'{g / MiB:.1f}' for g in growths)} MiB (max {max(growths) / MiB:.1f} MiB); "
            f"20 ms samples: max {max(sampled) / MiB:.1f} MiB"
        )
        print(
            f"portal endpoint (login, POST /portal/requests/<id>/submit → S3): {app_rate:.0f} MiB/s "
            f"(runs: {', '.join(f'{t:.1f}' for t in app_times)} s)"
        )
        print(
            f"boto3 upload_fileobj, default TransferConfig: {default_rate:.0f} MiB/s "
            f"(runs: {', '.join(f'{t:.1f}' for t in default_times)} s)"
        )
        print(
            f"boto3 upload_fileobj, the storage's part size and concurrency: {same_rate:.0f} MiB/s "
            f"(runs: {', '.join(f'{t:.1f}' for t in same_times)} s)"
        )
        for name, label in (
            ("app", "endpoint"),
            ("default", "boto3 default"),
            ("same", "boto3 same settings"),
        ):
            print(f"CPU seconds, {label}: " + " | ".join(cpu[name]))
        print(
            f"endpoint / boto3 default: {app_rate / default_rate:.0%}; "
            f"endpoint / boto3 same settings: {app_rate / same_rate:.0%}"
        )
        print(
            "load average (1, 5, 15 min) at the end: "
            + " ".join(f"{x:.2f}" for x in os.getloadavg())
        )
    finally:
        for process in reversed(processes):
            process.terminate()
            process.wait(timeout=30)
        log.close()


if __name__ == "__main__":
    main()
