"""Benchmark of the Saldo API: `make bench` runs it inside scripts/testenv.py (throw-away
PostgreSQL and Redis; DATABASE_URL and REDIS_URL set).

1. migrates and seeds the test customers into that database, and gives a bench bank test access,
   an API key, and tokens from the local test issuer;
2. starts gunicorn on a free port of 127.0.0.1 (with PSU_ID let through, as in production);
3. runs a bounded load (BENCH_SECONDS, default 20 s, per endpoint) from a pool of threads, each
   with its own httpx client: first GET /test/saldo/v1/Accounts over the 17 test customers, each
   call with fresh X-Request-Id and the full token and consent checks and a lookup-log row; then a
   trivial JSON view in the same server (/saldo-api/health);
4. prints requests per second, p50 and p99 for both, and their ratio; and the balance engine's
   time per borrower for a 25-year history.

Figures only: nothing here asserts a speed.
"""

import datetime as dt
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["SALDO_TEST_ISSUER_ENABLED"] = "1"
os.environ["SALDO_THROTTLE_RATE"] = "100000000"  # measure the API, not the throttle
os.environ.setdefault("LOG_LEVEL", "WARNING")

SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
THREADS = int(os.environ.get("BENCH_THREADS", "8"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str(max(2, os.cpu_count() or 2))))
BANK_ORGNR = "910000004"


def manage(*args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare():
    """Seed, and return (API key, {fnr: headers without X-Request-Id})."""
    import django

    manage("migrate", "--noinput", "-v", "0")
    manage("seed_saldo_test_customers", "--quiet")
    django.setup()
    from django.db import connections

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
    headers = {
        c.fnr: {"ApiKey": api_key, "Authorization": token, "PSU_ID": c.fnr,
                "Consent-ID": testissuer.consent_token(fnr=c.fnr, orgnr=BANK_ORGNR,
                                                       lifetime=lifetime)}
        for c in load_test_customers()
    }
    connections.close_all()
    return headers


def start_server(port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application",
         "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS),
         # PSU_ID has an underscore: let it through, as the deployment must (see balances.api).
         "--forwarder-headers", "SCRIPT_NAME,PATH_INFO,PSU_ID",
         "--log-level", "warning"],
        cwd=ROOT, env=os.environ.copy())
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/saldo-api/health", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def load(url: str, make_headers, seconds: float):
    """Calls from THREADS threads until the time is up: (latencies in s, statuses, elapsed)."""
    latencies, statuses = [], Counter()
    lock = threading.Lock()
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
    return latencies, statuses, time.perf_counter() - started


def summary(name, latencies, statuses, elapsed):
    ordered = sorted(latencies)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    rps = len(ordered) / elapsed
    codes = ", ".join(f"{code}: {count}" for code, count in sorted(statuses.items()))
    print(f"{name:<34} {rps:8.1f} req/s   p50 {p50:7.2f} ms   p99 {p99:7.2f} ms   ({codes})")
    return rps, p50, p99


def long_history():
    """A borrower over 25 years: five study years, a pause, a fixed-rate agreement, 19 years of
    monthly repayments across about 115 rate periods, and reminder fees."""
    from balances.engine import (
        Disbursement,
        Fee,
        FixedRateAgreement,
        InterestStart,
        Repayment,
    )

    events = []
    for year in range(2001, 2006):
        for month in (1, 2, 3, 4, 5, 8, 9, 10, 11, 12):
            events.append(Disbursement(dt.date(year, month, 15), Decimal("9800.00")))
    events.append(InterestStart(dt.date(2006, 6, 15)))
    events.append(FixedRateAgreement(dt.date(2012, 3, 1), 5))
    day = dt.date(2007, 1, 15)
    while day < dt.date(2026, 1, 1):
        events.append(Repayment(day, Decimal("2100.00")))
        if day.month == 6 and day.year % 4 == 0:
            events.append(Fee(day + dt.timedelta(days=14), Decimal("35.00")))
        day = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 15)
    return events, dt.date(2026, 1, 31)


def engine_time():
    from balances.engine import compute_balance

    events, as_of = long_history()
    compute_balance(events, as_of)  # warm up
    runs = 30
    started = time.perf_counter()
    for _ in range(runs):
        result = compute_balance(events, as_of)
    per_borrower = (time.perf_counter() - started) / runs * 1000
    print(f"{'balance engine, 25-year history':<34} {per_borrower:8.2f} ms per borrower   "
          f"({len(events)} events, {len(result.explanation)} period lines)")


def main():
    if "DATABASE_URL" not in os.environ:
        raise SystemExit("Run through scripts/testenv.py (make bench): it needs DATABASE_URL.")
    headers_by_fnr = prepare()
    fnrs = list(headers_by_fnr)
    port = free_port()
    server = start_server(port)
    base = f"http://127.0.0.1:{port}"
    try:
        def saldo_headers(n):
            return {**headers_by_fnr[fnrs[n % len(fnrs)]], "X-Request-Id": str(uuid.uuid4())}

        def no_headers(n):
            return {}

        for make, path in ((saldo_headers, "/test/saldo/v1/Accounts"),
                           (no_headers, "/saldo-api/health")):
            load(base + path, make, 1.0)  # warm up every worker
        print(f"gunicorn: {WORKERS} sync workers; load: {THREADS} threads, {SECONDS:.0f} s each, "
              f"on {os.cpu_count()} CPUs shared with the load generator")
        accounts = summary("GET /test/saldo/v1/Accounts",
                           *load(base + "/test/saldo/v1/Accounts", saldo_headers, SECONDS))
        trivial = summary("GET /saldo-api/health (trivial)",
                          *load(base + "/saldo-api/health", no_headers, SECONDS))
        print(f"{'ratio Accounts / trivial':<34} {accounts[0] / trivial[0]:8.2f} × throughput   "
              f"p50 × {accounts[1] / trivial[1]:.1f}   p99 × {accounts[2] / trivial[2]:.1f}")
    finally:
        server.terminate()
        server.wait(timeout=20)
    engine_time()


if __name__ == "__main__":
    main()
