"""Benchmark of the admin pages at 10,000 and 100,000 certificates on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python -m bench.admin_views

It creates a throwaway database (bench_ + the name in DATABASE_URL), seeds it (tests/seed.py:
bulk inserts, a few real DERs reused), and times through Django's test client, as a logged-in
certificate admin: the dashboard, a filtered and sorted table page, and the CSV export of
every certificate, streamed. The export runs in a process of its own, which reports its
resident memory before and while streaming. Each figure is the median of several requests,
printed against its target. Nothing of the database is kept.
"""

from __future__ import annotations

import argparse
import base64
import os
import secrets
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable

TARGET_PAGE_MS = 200.0
TARGET_CSV_S = 10.0
TABLE_QUERY = "/certificates/?status=active&domain=example.org&expiring_within=365&sort=not_after"
ADMIN = "bench-admin"


def _environment() -> None:
    """Throwaway secrets, as bin/test makes them (settings refuse DATABASE_URL without)."""
    os.environ.setdefault("SECRET_KEY", "bench-" + secrets.token_urlsafe(24))
    os.environ.setdefault("KEY_ENCRYPTION_KEY", base64.b64encode(os.urandom(32)).decode())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    # whitenoise looks for STATIC_ROOT, which only collectstatic makes; pages need no files here
    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()


def _median_ms(get: Callable[[], object], runs: int) -> tuple[float, int]:
    """Median wall time of ``runs`` calls (after one warm-up) and the queries of one call."""
    from django.db import connection

    get()
    queries: list[str] = []
    with connection.execute_wrapper(lambda run, sql, *args: queries.append(sql) or run(sql, *args)):
        get()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        get()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), len(queries)


def _client():  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import Group, User
    from django.test import Client

    from certificates.services.access import ADMIN_GROUP

    admin, _ = User.objects.get_or_create(username=ADMIN, email="admin@example.com")
    admin.groups.add(Group.objects.get_or_create(name=ADMIN_GROUP)[0])
    client = Client()
    client.force_login(admin)
    return client


def _page(client, url: str) -> Callable[[], object]:  # type: ignore[no-untyped-def]
    def get() -> object:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    return get


def export_once() -> None:
    """Child process: stream the CSV of every certificate once; print seconds, rows, bytes,
    and the resident memory before the export and the most it reached while streaming."""
    _environment()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host name is allowed
    client = _client()
    client.get("/certificates/export.csv?status=active&sort=not_after&q=nobody")  # warm
    before = _rss_kib()
    start = time.perf_counter()
    response = client.get("/certificates/export.csv")
    lines = size = 0
    during = before
    for number, chunk in enumerate(response.streaming_content):
        size += len(chunk)
        lines += chunk.count(b"\n")
        if number % 20 == 0:
            during = max(during, _rss_kib())
    seconds = time.perf_counter() - start
    print(f"{seconds:.3f} {lines - 1} {size} {before} {max(during, _rss_kib())}")


def _rss_kib() -> int:
    """The process's resident memory now (Linux), in KiB."""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1])


def _export(database_url: str, runs: int) -> tuple[float, int, int, int, int]:
    results = []
    for _ in range(runs):
        env = {**os.environ, "DATABASE_URL": database_url}
        child = subprocess.run(
            [sys.executable, "-m", "bench.admin_views", "--export-once"],
            env=env,
            capture_output=True,
            text=True,
        )
        if child.returncode:
            sys.exit(f"The export process failed:\n{child.stderr}")
        out = child.stdout.split()
        results.append((float(out[0]), *map(int, out[1:])))
    seconds = statistics.median(r[0] for r in results)
    _, rows, size, before, after = results[-1]
    return seconds, rows, size, before, after


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=9, help="requests per page figure")
    parser.add_argument("--export-runs", type=int, default=3)
    parser.add_argument("--export-once", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export_once:
        export_once()
        return
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database: the targets are for PostgreSQL.")
    _environment()
    from django.db import connection
    from django.test.utils import setup_test_environment

    from tests.seed import seed_certificates, seed_domains, seed_requests, seed_users

    setup_test_environment()
    # Its own name, so that a test run on the same server (test_NAME) is left alone.
    connection.settings_dict["TEST"]["NAME"] = f"bench_{connection.settings_dict['NAME']}"
    test_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    try:
        seed_domains()
        owners = seed_users(20_000)
        client = _client()
        seeded = 0
        print(f"PostgreSQL database {test_name}; median of {args.runs} requests per page")
        print(f"{'certificates':>12} {'page':<22} {'median':>10} {'target':>9} {'queries':>8}")
        for size in sorted(args.sizes):
            start = time.perf_counter()
            seed_certificates(size - seeded, owners, seed=size)
            seed_requests((size - seeded) // 100, owners)
            seeded = size
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")  # as autovacuum would: index-only scans
            print(f"{'':>12} (seeded {size:,} in {time.perf_counter() - start:.1f} s)")
            for label, url in (("dashboard", "/dashboard/"), ("table (filtered)", TABLE_QUERY)):
                ms, queries = _median_ms(_page(client, url), args.runs)
                verdict = "ok" if ms < TARGET_PAGE_MS else "SLOW"
                print(
                    f"{size:>12,} {label:<22} {ms:>7.1f} ms {'<200 ms':>9} {queries:>8} {verdict}"
                )
            seconds, rows, size_bytes, before, after = _export(
                f"{base}/{test_name}", args.export_runs
            )
            verdict = "ok" if seconds < TARGET_CSV_S else "SLOW"
            print(
                f"{size:>12,} {'CSV export (all rows)':<22} {seconds:>8.2f} s {'<10 s':>9} "
                f"{'':>8} {verdict}: {rows:,} rows, {size_bytes / 1e6:.1f} MB; RSS "
                f"{before / 1024:.0f} MiB before, at most {after / 1024:.0f} MiB while streaming"
            )
    finally:
        connection.creation.destroy_test_db(test_name, verbosity=0)


if __name__ == "__main__":
    main()
