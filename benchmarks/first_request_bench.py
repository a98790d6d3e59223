"""Benchmark: a fresh gunicorn worker's first request to each page against its later ones, and the
server's start-up time and memory.

    .venv/bin/python benchmarks/first_request_bench.py [--later 5] [--workers 4]

Against the city-scale database (``VENDORGUARD_DATABASE_URL``), the real app under gunicorn as
``served.py`` starts it. Latency: one sync worker (every request reaches the same fresh worker),
signed in as the scale admin through the login form, then each page once ("first") and
``--later`` more times (their median). Start-up: ``--workers`` workers, from starting gunicorn to
the first answer, then RSS and PSS of the master and the workers (PSS shares the pages forked
workers have in common). Results go to docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import requests  # noqa: E402
from served import REAL_APP, Gunicorn, Workers, memory_kib, sign_in  # noqa: E402

PASSWORD = os.environ.get("SCALE_PASSWORD", "scale-password-1")
ADMIN = "scale-admin@city.example.jp"
PAGES = (
    ("password form", "/account/password"),
    ("home", "/"),
    ("engagement detail", "/engagements/1"),
    ("engagements p1", "/engagements/"),
    ("contractors p1", "/contractors/"),
    ("evidence requests p1", "/evidence/requests/"),
    ("notifications", "/notifications/"),
    ("audit log p1", "/admin/audit/"),
    ("catalog", "/catalog/requirements/"),
)


def timed_get(session: requests.Session, url: str) -> float:
    """Milliseconds of one GET, which must answer 200."""
    start = time.perf_counter()
    answer = session.get(url, allow_redirects=False, timeout=120)
    elapsed = (time.perf_counter() - start) * 1000
    assert answer.status_code == 200, (url, answer.status_code)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--later", type=int, default=5, help="requests after the first, per page")
    parser.add_argument("--workers", type=int, default=4, help="workers for start-up and memory")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}", flush=True)

    with Gunicorn("first", REAL_APP, Workers(1), {}) as server:
        session = requests.Session()
        session.headers["Connection"] = "close"
        sign_in(session, server.url, ADMIN, PASSWORD)
        print(f"{'page':24s} {'first':>9s} {'later p50':>10s} {'ratio':>6s}")
        for label, path in PAGES:
            first = timed_get(session, server.url + path)
            later = statistics.median(
                timed_get(session, server.url + path) for _ in range(args.later)
            )
            print(f"{label:24s} {first:7.1f} ms {later:7.1f} ms {first / later:5.1f}×")

    start = time.perf_counter()
    with Gunicorn("startup", REAL_APP, Workers(args.workers), {}) as server:
        ready = time.perf_counter() - start
        assert server.process is not None
        master = memory_kib(server.process.pid)
        workers = [memory_kib(pid) for pid in server.worker_pids()]
    rss = master[0] + sum(w[0] for w in workers)
    pss = master[1] + sum(w[1] for w in workers)
    print(f"start-up, {args.workers} workers: {ready:.1f} s to the first answer")
    print(
        f"memory: master RSS {master[0] / 1024:.0f} MiB; first worker RSS "
        f"{workers[0][0] / 1024:.0f} MiB, PSS {workers[0][1] / 1024:.0f} MiB; "
        f"all processes RSS {rss / 1024:.0f} MiB, PSS {pss / 1024:.0f} MiB"
    )


if __name__ == "__main__":
    main()
