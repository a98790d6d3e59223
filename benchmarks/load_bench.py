"""Benchmark: 50 signed-in users for 60 s against the real app under gunicorn, beside a bare page.

    . env (VENDORGUARD_DATABASE_URL, VENDORGUARD_SECRET_KEY) pointing at a database filled with
    flask --app vendorguard vg seed-scale   (20,000 arrangements, 500,000 evidence requests …)
    .venv/bin/python benchmarks/load_bench.py [--users 50] [--seconds 60] [--workers 4]
        [--threads 1] [--think 0]

Two gunicorn servers on 127.0.0.1 with the same worker settings (served.py): the real app as
deployed (``create_app`` with the environment's settings, CSRF, sessions; MFA_REQUIRED_ROLES empty
because the seeded users have no second factor) and the bare Flask + Jinja page of page_bench.py.
Each simulated user is a thread with its own cookie session (requests), signed in through the
login form before the clock starts: admins, an auditor's sessions, officers of different
departments and contractors (``roster``). Until the time is up each user walks journeys —
home, a list's page 1, a later page (the pagination's last or next link), a search, a detail page
linked from the list — and after every page requests the bare page rendering as many table rows
as that page had, so the bare page gets the same share of requests under the same load. Printed:
requests, errors (any status but 200 and 302, or no answer), requests/s, p50 / p95 / p99 of the
app and of the bare page and the ratio of the p95s (issue 16: 0 errors, ≤ 10×); CPU seconds of
the app's workers and of PostgreSQL per request, memory per worker, the database's size.
"""

from __future__ import annotations

import argparse
import html
import os
import random
import re
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from page_bench import PASSWORD  # noqa: E402
from served import (  # noqa: E402
    BARE_APP,
    REAL_APP,
    DatabaseCpu,
    Gunicorn,
    Workers,
    cpu_seconds,
    memory_kib,
    sign_in,
)

# Share of each role among the users (officers take the rest): the security office's admins,
# the auditor's sessions and contractors answering evidence requests in the portal.
ROLE_SHARES = {"admin": 0.10, "auditor": 0.06, "contractor": 0.24}
# The lists each role opens, with a search term each list's data contains (None: no search box).
LISTS: dict[str, list[tuple[str, str | None]]] = {
    "admin": [
        ("/engagements/", "税務"),
        ("/contractors/", "情報"),
        ("/cloud-services/", "住民記録"),
        ("/social-accounts/", "図書館"),
        ("/evidence/requests/", "第1234号"),
        ("/admin/audit/", None),
        ("/notifications/", None),
        ("/admin/reminders/sent", None),
    ],
    "officer": [
        ("/engagements/", "保守"),
        ("/contractors/", "情報"),
        ("/cloud-services/", "福祉"),
        ("/social-accounts/", "税務"),
        ("/evidence/requests/", "第1"),
        ("/notifications/", None),
    ],
    "auditor": [
        ("/engagements/", "監視"),
        ("/contractors/", "情報"),
        ("/cloud-services/", "介護"),
        ("/social-accounts/", "広報"),
        ("/admin/audit/", None),
    ],
    "contractor": [("/portal/", None)],
}
HOME = {"admin": "/", "officer": "/", "auditor": "/", "contractor": "/portal/"}
KINDS = ("home", "list p1", "list later", "search", "detail")
OK = (200, 302)


@dataclass(frozen=True)
class User:
    """A simulated user: role and sign-in email."""

    role: str
    email: str


def roster(users: int, departments: list[int], contractors: list[int]) -> list[User]:
    """``users`` users by ROLE_SHARES: the one admin and auditor account signed in several times,
    officers round-robin over departments (then the next officer of each), distinct contractors."""
    counts = {role: round(users * share) for role, share in ROLE_SHARES.items()}
    counts["officer"] = users - sum(counts.values())
    out = [User("admin", "scale-admin@city.example.jp")] * counts["admin"]
    out += [User("auditor", "scale-auditor@city.example.jp")] * counts["auditor"]
    for i in range(counts["officer"]):
        dept, k = departments[i % len(departments)], (i // len(departments)) % 3
        out.append(User("officer", f"scale-o{dept}-{k}@city.example.jp"))
    step = max(1, len(contractors) // max(1, counts["contractor"]))
    for c in contractors[::step][: counts["contractor"]]:
        out.append(User("contractor", f"scale-c{c}@vendor{c}.example.jp"))
    return out


def percentile(samples: list[float], q: float) -> float:
    """The ``q``-th percentile (0–100), linear between the closest ranks (numpy's default)."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def pagination_links(body: str) -> tuple[str | None, str | None]:
    """(next, last) page links of a page's pagination, or None where it has none."""
    nav = re.search(r'<nav class="pagination".*?</nav>', body, re.S)
    if not nav:
        return None, None
    links = [html.unescape(h) for h in re.findall(r'href="([^"]+)"', nav.group(0))]
    following = re.search(r'href="([^"]+)" rel="next"', nav.group(0))
    numbered = [(int(m.group(1)), h) for h in links if (m := re.search(r"[?&]page=(\d+)", h))]
    last = max(numbered)[1] if numbered else None
    return (html.unescape(following.group(1)) if following else None), last


def detail_links(body: str, list_path: str) -> list[str]:
    """Links from a list page to its records' pages (``<list path><id>``)."""
    prefix = list_path if list_path.endswith("/") else list_path + "/"
    return sorted(set(re.findall(rf'href="({re.escape(prefix)}(?:requests/)?\d+)"', body)))


def rows_of(body: str) -> int:
    """Table rows a page showed (as page_bench counts them): the bare page renders as many."""
    return max(1, body.count("<tr") - 1)


def walk(role: str, listing: tuple[str, str | None], rng: random.Random, fetch) -> list[str]:
    """One visit: home, the list's page 1, a later page (its next or last link), a search, a
    record linked from page 1. ``fetch(kind, url)`` returns the page's body, or None to stop
    (time is up); returns the kinds fetched."""
    path, term = listing
    done: list[str] = []
    for kind, url in (("home", HOME[role]), ("list p1", path)):
        body = fetch(kind, url)
        if body is None:
            return done
        done.append(kind)
    following, last = pagination_links(body)
    details = detail_links(body, path)
    rest = (
        ("list later", rng.choice([u for u in (following, last) if u] or [""])),
        ("search", f"{path}?q={term}" if term else ""),
        ("detail", rng.choice(details) if details else ""),
    )
    for kind, url in rest:
        if url:
            if fetch(kind, url) is None:
                return done
            done.append(kind)
    return done


@dataclass
class Tally:
    """Samples of one server: seconds per kind, statuses, the first error messages."""

    seconds: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    statuses: Counter[str] = field(default_factory=Counter)
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # kind, status, where
    slowest: list[tuple[float, str]] = field(default_factory=list)  # seconds, where

    def all(self) -> list[float]:
        """Every sample."""
        return [s for samples in self.seconds.values() for s in samples]

    def add(self, kind: str, seconds: float, status: int | str, where: str) -> None:
        """Count one answer (``status`` is the exception's name when there was none)."""
        self.seconds[kind].append(seconds)
        self.statuses[str(status)] += 1
        self.slowest = sorted([*self.slowest, (seconds, where)], reverse=True)[:SLOWEST]
        if status not in OK:
            self.errors.append((kind, str(status), where))

    def merge(self, other: Tally) -> None:
        """Add another user's samples."""
        for kind in KINDS:
            self.seconds[kind] += other.seconds[kind]
        self.statuses += other.statuses
        self.errors += other.errors
        self.slowest = sorted(self.slowest + other.slowest, reverse=True)[:SLOWEST]


SLOWEST = 8  # the slowest requests named in the report (what the p99 is made of)


@dataclass
class Clock:
    """When the measured minute started and ends, and the CPU seconds used before it."""

    started: float = 0.0
    deadline: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)
    db: DatabaseCpu | None = None


def run_user(user, app, bare, barrier, clock, think, seed, app_tally, bare_tally) -> None:
    """Sign in, wait for every user at ``barrier``, then walk journeys until ``clock.deadline``
    (bounded: at most 100,000 requests)."""
    import requests

    def get(session, tally: Tally, kind: str, url: str) -> str:
        started = time.perf_counter()
        try:
            answer = session.get(url, allow_redirects=False, timeout=60)
        except requests.RequestException as error:
            name = type(error).__name__
            tally.add(kind, time.perf_counter() - started, name, f"{url}: {str(error)[:300]}")
            return ""
        tally.add(kind, time.perf_counter() - started, answer.status_code, url)
        return answer.text

    rng = random.Random(seed)
    session, bare_session = requests.Session(), requests.Session()
    for each in (session, bare_session):
        each.headers["Connection"] = "close"  # as nginx talks to gunicorn (see served.py)
    try:
        sign_in(session, app, user.email, PASSWORD)
    except (RuntimeError, requests.RequestException) as error:
        app_tally.statuses["sign-in failed"] += 1
        app_tally.errors.append(("sign-in", "failed", f"{user.email}: {error}"))
        barrier.wait(timeout=600)
        return
    barrier.wait(timeout=600)
    made = [0]
    if think:
        # Users arrive spread over one think time, as people do, not all 50 on the same
        # millisecond: a synchronised first request would queue 50 home pages on 4 workers.
        time.sleep(rng.uniform(0, 2 * think))

    def fetch(kind: str, url: str) -> str | None:
        if time.monotonic() >= clock.deadline:
            return None
        body = get(session, app_tally, kind, app + url)
        get(bare_session, bare_tally, kind, f"{bare}/bare?n={rows_of(body)}")
        made[0] += 1
        if think:
            time.sleep(rng.uniform(0, 2 * think))
        return body

    while time.monotonic() < clock.deadline and made[0] < 100_000:
        walk(user.role, rng.choice(LISTS[user.role]), rng, fetch)


def scale_accounts(url: str) -> tuple[list[int], list[int], int, str]:
    """Departments with officers, contractors with a portal user (both ascending), the database's
    size in bytes and the server's version, read from the seeded accounts."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        emails = connection.scalars(
            text("SELECT email FROM user_account WHERE email LIKE 'scale-%' ORDER BY id")
        ).all()
        size = connection.scalar(text("SELECT pg_database_size(current_database())"))
        version = connection.scalar(text("SHOW server_version"))
    engine.dispose()
    return (*accounts_of(emails), int(size), str(version))


def accounts_of(emails: Sequence[str]) -> tuple[list[int], list[int]]:
    """Departments that have officers and contractors that have a portal user (ascending), from
    the seeded accounts' emails."""
    departments = {int(m.group(1)) for e in emails if (m := re.match(r"scale-o(\d+)-", e))}
    contractors = {int(m.group(1)) for e in emails if (m := re.match(r"scale-c(\d+)@", e))}
    return sorted(departments), sorted(contractors)


def summary(name: str, tally: Tally, elapsed: float) -> str:
    """One row of the result table."""
    samples = tally.all()
    errors = sum(n for status, n in tally.statuses.items() if status not in {"200", "302"})
    ms = [percentile(samples, q) * 1000 for q in (50, 95, 99)]
    return (
        f"| {name} | {len(samples)} | {errors} | {len(samples) / elapsed:.1f} | "
        f"{ms[0]:.1f} | {ms[1]:.1f} | {ms[2]:.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers per server")
    parser.add_argument("--threads", type=int, default=1, help="> 1: gthread with this many")
    parser.add_argument("--think", type=float, default=0, help="mean pause after each page (s)")
    args = parser.parse_args()
    url = os.environ["VENDORGUARD_DATABASE_URL"]
    departments, contractors, size, version = scale_accounts(url)
    users = roster(args.users, departments, contractors)
    workers = Workers(args.workers, args.threads)
    from sqlalchemy.engine import make_url

    print(f"load average before: {os.getloadavg()}", flush=True)
    print(
        f"{os.cpu_count()} cores; PostgreSQL {version}, database {size / 2**20:.0f} MiB; "
        f"gunicorn {metadata.version('gunicorn')}, {workers.label()} per server; {len(users)} users "
        f"({', '.join(f'{r} {n}' for r, n in Counter(u.role for u in users).items())}), "
        f"{args.seconds:g} s, think time {args.think:g} s",
        flush=True,
    )
    with (
        Gunicorn("app", REAL_APP, workers, {}) as app,
        Gunicorn("bare", BARE_APP, workers, {}) as bare,
    ):
        tallies = [(Tally(), Tally()) for _ in users]
        pids = {"app": app.worker_pids(), "bare": bare.worker_pids()}
        clock = Clock()

        def go() -> None:
            """Run by the barrier once every user is signed in: CPU so far, start the clock."""
            clock.cpu = {k: sum(cpu_seconds(p) for p in v) for k, v in pids.items()}
            clock.cpu["client"] = sum(os.times()[:2])
            clock.db = DatabaseCpu(make_url(url).database or "")
            clock.db.start()
            clock.started = time.monotonic()
            clock.deadline = clock.started + args.seconds

        barrier = threading.Barrier(len(users) + 1, action=go)
        threads = [
            threading.Thread(
                target=run_user,
                args=(u, app.url, bare.url, barrier, clock, args.think, i, *tallies[i]),
                daemon=True,
            )
            for i, u in enumerate(users)
        ]
        for thread in threads:
            thread.start()
        barrier.wait(timeout=600)
        for thread in threads:
            thread.join(timeout=args.seconds + 120)
        elapsed = time.monotonic() - clock.started
        cpu = {k: sum(cpu_seconds(p) for p in v) - clock.cpu[k] for k, v in pids.items()}
        cpu["client"] = sum(os.times()[:2]) - clock.cpu["client"]
        cpu["PostgreSQL"] = clock.db.used() if clock.db else 0.0
        memory = [memory_kib(p) for p in pids["app"]]
    app_total, bare_total = Tally(), Tally()
    for mine, base in tallies:
        app_total.merge(mine)
        bare_total.merge(base)
    report(app_total, bare_total, elapsed, cpu, memory)


def report(
    app: Tally, bare: Tally, elapsed: float, cpu: dict[str, float], memory: list[tuple[int, int]]
) -> None:
    """Print the result tables, CPU per request and memory per worker."""
    print("| server | requests | errors | requests/s | p50 ms | p95 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    print(summary("app", app, elapsed))
    print(summary("bare page", bare, elapsed))
    ratio = percentile(app.all(), 95) / percentile(bare.all(), 95)
    print(f"p95 app ÷ p95 bare page: {ratio:.1f}× (issue 16: ≤ 10×, and 0 errors)")
    print("\n| step | requests | p50 ms | p95 ms | p99 ms | bare p95 ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for kind in KINDS:
        ms = [percentile(app.seconds[kind], q) * 1000 for q in (50, 95, 99)]
        bare95 = percentile(bare.seconds[kind], 95) * 1000
        print(
            f"| {kind} | {len(app.seconds[kind])} | " + " | ".join(f"{v:.1f}" for v in ms), end=""
        )
        print(f" | {bare95:.1f} |")
    print(f"\nstatuses: app {dict(app.statuses)}, bare page {dict(bare.statuses)}")
    for name, tally in (("app", app), ("bare page", bare)):
        groups = Counter((kind, status) for kind, status, _ in tally.errors)
        for (kind, status), count in sorted(groups.items()):
            example = next(w for k, s, w in tally.errors if (k, s) == (kind, status))
            print(f"  {name} {kind} → {status} ×{count}, e.g. {example}")
    print("slowest app requests: " + ", ".join(f"{s * 1000:.0f} ms {w}" for s, w in app.slowest))
    served = len(app.all())
    per = {k: 1000 * v / max(1, served) for k, v in cpu.items()}
    print(
        "CPU seconds over the run: "
        + ", ".join(f"{k} {v:.1f}" for k, v in cpu.items())
        + f"; per app request: app workers {per['app']:.1f} ms, PostgreSQL {per['PostgreSQL']:.1f}"
        f" ms → {1000 / max(0.001, per['app'] + per['PostgreSQL']):.1f} app requests/s per busy"
        " core (app + database)"
    )
    rss = [r / 1024 for r, _ in memory]
    pss = [p / 1024 for _, p in memory]
    print(
        f"app worker memory after the run: RSS {min(rss):.0f}–{max(rss):.0f} MiB, "
        f"PSS {min(pss):.0f}–{max(pss):.0f} MiB ({len(memory)} workers)"
    )
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
