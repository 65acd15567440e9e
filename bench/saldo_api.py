"""Benchmark of the Saldo API: `make bench` runs it inside scripts/testenv.py (throw-away
PostgreSQL and Redis; DATABASE_URL and REDIS_URL set).

    uvr python scripts/testenv.py -- uvr python bench/saldo_api.py

1. makes its own database next to DATABASE_URL's, migrates it, seeds the 17 test customers,
   and gives a bench bank test access, an API key, and tokens from the local test issuer (one
   Maskinporten token, one consent per customer, reused as a bank reuses them);
2. counts the SQL queries of one call on a warm cache, in this process (Django's test client,
   the same database and Redis): every customer called twice, then once more under
   CaptureQueriesContext;
3. starts gunicorn on a free port of 127.0.0.1 (with PSU_ID let through, as in production);
4. runs a bounded load (BENCH_SECONDS, default 20 s, per endpoint) from a pool of threads, each
   with its own httpx client: GET /test/saldo/v1/Accounts over the 17 test customers, each call
   with a fresh X-Request-Id and the full checks and a lookup-log row, and a trivial JSON view
   in the same server (/saldo-api/health). The two take turns in BENCH_SLICES slices each
   (default 4), Accounts first: the machine is shared, and a burst of someone else's work then
   falls on both rather than on one;
5. prints requests per second, p50 and p99 for both, their ratios and the queries per call, and
   the load generator's own CPU time per call and its share of the machine's CPUs (the load
   generator runs on the same CPUs as the server: the larger its share, the more the ratio is
   pulled towards 1); and appends to bench/results/latest.jsonl (bench/_common.record):
   `saldo_api.throughput` (value and ratio: Accounts ÷ trivial req/s; baseline: trivial req/s),
   `saldo_api.p99` (value and ratio: Accounts ÷ trivial p99; baseline: trivial p99 in ms),
   `saldo_api.queries_per_call` (baseline: the goal, 2).

BENCH_QUICK=1 runs a second of load per endpoint (a smoke test). Figures only: nothing here
asserts a speed.
"""

import datetime as dt
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["SALDO_TEST_ISSUER_ENABLED"] = "1"
os.environ["SALDO_THROTTLE_RATE"] = "100000000"  # measure the API, not the throttle
os.environ["SECURE_SSL_REDIRECT"] = "0"  # plain HTTP on 127.0.0.1; production is behind TLS
os.environ.setdefault("LOG_LEVEL", "WARNING")

from _common import (  # noqa: E402  (after the path is set)
    QUICK,
    bench_database,
    free_port,
    percentile,
    record,
    require_postgres,
    start_gunicorn,
    stop_process,
)

SECONDS = 1.0 if QUICK else float(os.environ.get("BENCH_SECONDS", "20"))
WARM_UP_SECONDS = 0.5 if QUICK else 1.0
THREADS = int(os.environ.get("BENCH_THREADS", "8"))
SLICES = 1 if QUICK else max(1, int(os.environ.get("BENCH_SLICES", "4")))
WORKERS = int(os.environ.get("BENCH_WORKERS", str(max(2, os.cpu_count() or 2))))
BANK_ORGNR = "910000004"
ACCOUNTS = "/test/saldo/v1/Accounts"
TRIVIAL = "/saldo-api/health"
QUERIES_GOAL = 2


def manage(*args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True)


def prepare():
    """Seed, and return {fnr: headers without X-Request-Id}."""
    import django

    manage("migrate", "--noinput", "-v", "0")
    manage("seed_saldo_test_customers", "--quiet")
    django.setup()
    from accounts.models import Organisation
    from balances import testissuer
    from balances.services import api_access_grant, api_key_issue
    from balances.testcustomers import load_test_customers

    bank, _ = Organisation.objects.get_or_create(orgnr=BANK_ORGNR,
                                                 defaults={"name": "Benkebank", "kind": "bank"})
    api_access_grant(organisation=bank, environment="test", by=None)
    _key, api_key = api_key_issue(organisation=bank, environment="test", by=None)
    lifetime = dt.timedelta(seconds=SECONDS * 3 + 120)
    token = testissuer.maskinporten_token(orgnr=BANK_ORGNR, lifetime=lifetime)
    return {
        c.fnr: {"ApiKey": api_key, "Authorization": token, "PSU_ID": c.fnr,
                "Consent-ID": testissuer.consent_token(fnr=c.fnr, orgnr=BANK_ORGNR,
                                                       lifetime=lifetime)}
        for c in load_test_customers()
    }


def queries_per_call(headers_by_fnr) -> float:
    """SQL queries of one call on a warm cache, averaged over the customers (in-process)."""
    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()

    def call(headers):
        meta = {"HTTP_" + name.upper().replace("-", "_"): value
                for name, value in {**headers, "X-Request-Id": str(uuid.uuid4())}.items()}
        response = client.get(ACCOUNTS, **meta)
        if response.status_code != 200:
            raise SystemExit(f"in-process call gave {response.status_code}: {response.content}")

    for headers in headers_by_fnr.values():
        call(headers)
        call(headers)
    with CaptureQueriesContext(connection) as captured:
        for headers in headers_by_fnr.values():
            call(headers)
    connections.close_all()
    return len(captured.captured_queries) / len(headers_by_fnr)


def cpu_seconds() -> float:
    """CPU time of this process (the load generator) so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def load(url: str, make_headers, seconds: float):
    """Calls from THREADS threads until the time is up: (latencies in s, statuses, elapsed,
    CPU seconds this process spent)."""
    latencies, statuses = [], Counter()
    lock = threading.Lock()
    cpu_before = cpu_seconds()
    stop_at = time.perf_counter() + seconds

    def worker(index):
        mine, counts, n = [], Counter(), index
        with httpx.Client(timeout=10) as client:
            while time.perf_counter() < stop_at:
                headers = make_headers(n)
                n += THREADS
                started = time.perf_counter()
                response = client.get(url, headers=headers)
                mine.append(time.perf_counter() - started)
                counts[response.status_code] += 1
        with lock:
            latencies.extend(mine)
            statuses.update(counts)

    started = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(worker, range(THREADS)))
    return latencies, statuses, time.perf_counter() - started, cpu_seconds() - cpu_before


def loads_in_turn(runs: dict, seconds: float) -> dict:
    """{name: (latencies, statuses, elapsed, load generator CPU)}: each of ``runs`` ({name: (url,
    make_headers)}) loaded for ``seconds`` in all, in SLICES turns taken in order."""
    totals = {name: ([], Counter(), 0.0, 0.0) for name in runs}
    for _turn in range(SLICES):
        for name, (url, make_headers) in runs.items():
            latencies, statuses, elapsed, cpu = load(url, make_headers, seconds / SLICES)
            so_far = totals[name]
            so_far[0].extend(latencies)
            so_far[1].update(statuses)
            totals[name] = (so_far[0], so_far[1], so_far[2] + elapsed, so_far[3] + cpu)
    return totals


def summary(name, latencies, statuses, elapsed, cpu):
    p50 = statistics.median(latencies) * 1000
    p99 = percentile(latencies, 0.99) * 1000
    rps = len(latencies) / elapsed
    codes = ", ".join(f"{code}: {count}" for code, count in sorted(statuses.items()))
    print(f"{name:<34} {rps:8.1f} req/s   p50 {p50:7.2f} ms   p99 {p99:7.2f} ms   ({codes})")
    share = cpu / (elapsed * (os.cpu_count() or 1))
    print(f"{'  load generator':<34} {cpu / len(latencies) * 1e6:8.0f} µs CPU per call, "
          f"{share:.0%} of the machine's CPUs")
    return rps, p50, p99, share


def main():
    require_postgres("saldo_api")
    database_url, drop_database = bench_database(os.environ["DATABASE_URL"], "bench_saldo")
    os.environ["DATABASE_URL"] = database_url
    server = None
    try:
        headers_by_fnr = prepare()
        queries = queries_per_call(headers_by_fnr)
        fnrs = list(headers_by_fnr)
        port = free_port()
        server = start_gunicorn(port, workers=WORKERS, health_path=TRIVIAL, extra_args=(
            # PSU_ID has an underscore: let it through, as the deployment must (balances.api).
            "--forwarder-headers", "SCRIPT_NAME,PATH_INFO,PSU_ID"))
        base = f"http://127.0.0.1:{port}"

        def saldo_headers(n):
            return {**headers_by_fnr[fnrs[n % len(fnrs)]], "X-Request-Id": str(uuid.uuid4())}

        def no_headers(n):
            return {}

        for make, path in ((saldo_headers, ACCOUNTS), (no_headers, TRIVIAL)):
            load(base + path, make, WARM_UP_SECONDS)  # warm up every worker
        print(f"gunicorn: {WORKERS} sync workers; load: {THREADS} threads, {SECONDS:.0f} s each "
              f"in {SLICES} turns, on {os.cpu_count()} CPUs shared with the load generator")
        runs = loads_in_turn({"accounts": (base + ACCOUNTS, saldo_headers),
                              "trivial": (base + TRIVIAL, no_headers)}, SECONDS)
        accounts = summary(f"GET {ACCOUNTS}", *runs["accounts"])
        trivial = summary(f"GET {TRIVIAL} (trivial)", *runs["trivial"])
    finally:
        stop_process(server)
        drop_database()
    throughput = accounts[0] / trivial[0]
    p50_ratio, p99_ratio = accounts[1] / trivial[1], accounts[2] / trivial[2]
    print(f"{'ratio Accounts / trivial':<34} {throughput:8.2f} × throughput   "
          f"p50 × {p50_ratio:.1f}   p99 × {p99_ratio:.1f}")
    print(f"{'SQL queries per call, warm cache':<34} {queries:8.2f}   (goal ≤ {QUERIES_GOAL})")
    record("saldo_api.throughput", throughput, "x", trivial[0], ratio=round(throughput, 4),
           accounts_rps=round(accounts[0], 1), loadgen_cpu_share=[round(accounts[3], 3),
                                                                  round(trivial[3], 3)],
           quick=QUICK)
    record("saldo_api.p99", p99_ratio, "x", trivial[2], ratio=round(p99_ratio, 4),
           accounts_p99_ms=round(accounts[2], 2), p50_ratio=round(p50_ratio, 4), quick=QUICK)
    record("saldo_api.queries_per_call", queries, "queries", QUERIES_GOAL, quick=QUICK)


if __name__ == "__main__":
    main()
