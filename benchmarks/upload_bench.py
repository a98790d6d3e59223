"""Benchmark: a 1 GiB upload through the app into S3 (moto's server), against boto3's own upload.

    .venv/bin/python benchmarks/upload_bench.py [--size-mib 1024] [--rounds 2]

Three processes on 127.0.0.1: moto's S3 server; the app server (werkzeug's threaded server, a
view that calls ``uploads.receive_files`` with S3 storage; ``--serve`` below); and this script,
which generates the file on the fly (a PDF header and a repeated random 1 MiB block, never held
whole), POSTs it as multipart/form-data and measures

- the app server's peak memory growth: VmHWM (peak RSS, reset through /proc/<pid>/clear_refs
  before the upload) minus VmRSS before it, after a warm-up upload; a 20 ms VmRSS sampler
  checks it;
- the throughput of the app path, end to end (first byte sent → response received);
- boto3's ``upload_fileobj`` of the same generated stream to the same moto server, with
  boto3's default transfer settings and with the storage's (8 MiB parts, 4 threads).

Each object is deleted again (moto keeps objects in memory). Results go to docs/benchmarks.md by
hand.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
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


def post_upload(port: int, size: int) -> tuple[float, dict]:
    """POST the generated file as multipart/form-data; returns (seconds, response JSON)."""
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="comment"\r\n\r\n'
        f'benchmark\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; '
        f'filename="bench.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    connection.putrequest("POST", "/bench/upload")
    connection.putheader("Content-Type", f"multipart/form-data; boundary={BOUNDARY}")
    connection.putheader("Content-Length", str(len(head) + size + len(tail)))
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
    if response.status != 200:
        raise RuntimeError(f"upload failed: {response.status} {body[:500]!r}")
    return elapsed, json.loads(body)


def boto3_upload(client, bucket: str, size: int, config) -> float:
    key = f"baseline/{uuid.uuid4().hex}"
    started = time.perf_counter()
    client.upload_fileobj(Generated(size), bucket, key, Config=config)
    elapsed = time.perf_counter() - started
    assert client.head_object(Bucket=bucket, Key=key)["ContentLength"] == size
    client.delete_object(Bucket=bucket, Key=key)
    return elapsed


def serve(port: int, endpoint: str, bucket: str) -> None:
    """The app server: create_app with S3 storage and one upload view (werkzeug, threaded)."""
    from dataclasses import asdict

    from flask import Blueprint, request
    from werkzeug.serving import make_server

    from vendorguard import create_app
    from vendorguard.evidence import uploads
    from vendorguard.extensions import csrf
    from vendorguard.storage import get_storage

    instance = tempfile.mkdtemp(prefix="vg-bench-")
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance}/bench.db",
            "STORAGE_URL": f"s3://{bucket}/vg",
            "S3_ENDPOINT_URL": endpoint,
            "S3_REGION": "us-east-1",
            "MAX_UPLOAD_MB": 2048,
        },
        instance_path=instance,
    )
    bp = Blueprint("bench", __name__)

    @bp.post("/bench/upload")
    @csrf.exempt
    def upload():
        try:
            received = uploads.receive_files(request, get_storage(), csrf=False)
        except uploads.UploadRefused as error:
            return {"error": error.message}, 422
        return {"files": [asdict(f) for f in received.files]}

    @bp.post("/bench/delete/<path:key>")
    @csrf.exempt
    def delete(key):
        get_storage().delete(key)
        return {"deleted": key}

    app.register_blueprint(bp)
    make_server("127.0.0.1", port, app, threaded=True).serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=2, help="uploads of each kind (alternating)")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--endpoint", help=argparse.SUPPRESS)
    parser.add_argument("--bucket", help=argparse.SUPPRESS)
    args = parser.parse_args()
    env = dict(
        os.environ,
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_EC2_METADATA_DISABLED="true",
    )
    os.environ.update(env)
    if args.serve:
        serve(args.port, args.endpoint, args.bucket)
        return

    import boto3
    from boto3.s3.transfer import TransferConfig

    from vendorguard.storage.s3 import CONCURRENCY, PART_SIZE

    size = args.size_mib * MiB
    moto_port, app_port, bucket = free_port(), free_port(), "vg-bench"
    endpoint = f"http://127.0.0.1:{moto_port}"
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(moto_port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
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
                    __file__,
                    "--serve",
                    "--port",
                    str(app_port),
                    "--endpoint",
                    endpoint,
                    "--bucket",
                    bucket,
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        wait_for(app_port)
        server_pid = processes[1].pid
        sha = expected_sha256(size)

        # Warm-up: imports, the boto3 client, thread pools and the first multipart upload.
        _, warm = post_upload(app_port, 32 * MiB)
        client.delete_object(Bucket=bucket, Key="vg/" + warm["files"][0]["storage_key"])

        storage_config = TransferConfig(
            multipart_threshold=PART_SIZE,
            multipart_chunksize=PART_SIZE,
            max_concurrency=CONCURRENCY,
        )
        storage_config.max_in_memory_upload_chunks = CONCURRENCY
        app_times, growths, sampled, default_times, same_times = [], [], [], [], []
        cpu: dict[str, list[str]] = {"app": [], "default": [], "same": []}
        pids = {"moto": processes[0].pid, "app server": server_pid, "client": None}
        for _ in range(args.rounds):
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
                elapsed, result = post_upload(app_port, size)
            cpu["app"].append(meter.text())
            peak_sampled = sampler.stop()
            status = proc_status(server_pid)
            peak = status["VmHWM"] if reset else peak_sampled
            [stored] = result["files"]
            assert stored["sha256"] == sha and stored["size"] == size, stored
            assert (
                client.head_object(Bucket=bucket, Key="vg/" + stored["storage_key"])[
                    "ContentLength"
                ]
                == size
            )
            client.delete_object(Bucket=bucket, Key="vg/" + stored["storage_key"])
            app_times.append(elapsed)
            growths.append(peak - before)
            sampled.append(peak_sampled - before)

        def rate(seconds: float) -> float:
            return size / MiB / seconds

        app_rate = rate(statistics.median(app_times))
        default_rate = rate(statistics.median(default_times))
        same_rate = rate(statistics.median(same_times))
        print(
            f"file: {args.size_mib} MiB generated on the fly; rounds: {args.rounds}; sha256 verified"
        )
        print(
            f"app server peak RSS growth (VmHWM{'' if reset else ' unavailable: sampled'}): "
            f"{', '.join(f'{g / MiB:.1f}' for g in growths)} MiB (max {max(growths) / MiB:.1f} MiB); "
            f"20 ms samples: max {max(sampled) / MiB:.1f} MiB"
        )
        print(
            f"through the app (HTTP → receive_files → S3): {app_rate:.0f} MiB/s "
            f"(runs: {', '.join(f'{t:.1f}' for t in app_times)} s)"
        )
        print(
            f"boto3 upload_fileobj, default TransferConfig: {default_rate:.0f} MiB/s "
            f"(runs: {', '.join(f'{t:.1f}' for t in default_times)} s)"
        )
        print(
            f"boto3 upload_fileobj, the storage's TransferConfig: {same_rate:.0f} MiB/s "
            f"(runs: {', '.join(f'{t:.1f}' for t in same_times)} s)"
        )
        for name, label in (
            ("app", "through the app"),
            ("default", "boto3 default"),
            ("same", "boto3 same settings"),
        ):
            print(f"CPU seconds, {label}: " + " | ".join(cpu[name]))
        print(
            f"app / boto3 default: {app_rate / default_rate:.0%}; app / boto3 same settings: "
            f"{app_rate / same_rate:.0%}"
        )
    finally:
        for process in reversed(processes):
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
