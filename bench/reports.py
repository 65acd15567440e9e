"""Reports and home pages do not read the lookup log: their time does not grow with it.

Seeds the lookup log with 20,000 calls (50 banks, two environments, 90 days), folds it into the
daily roll-up (balances.rollup, as the beat task does), and measures the p50 of the API-usage
report (Bits) and a bank's home page; then grows the log to 2,000,000 calls, folds again and
measures the same pages. The goal: p50 with 2 million ÷ p50 with 20,000 under 1.5.

Rows are inserted with PostgreSQL's generate_series (seconds, not minutes). Prints a table and
appends to bench/results/latest.jsonl (bench/_common.record):

    {"name": "reports.p50_ratio", "value": 1.04, "unit": "ratio", "baseline": 1.5, ...}

BENCH_QUICK=1: 20,000 against 40,000 rows, fewer rounds. Run under scripts/testenv.py.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import QUICK, bench_database, percentile, record, require_postgres  # noqa: E402

SMALL = 20_000
LARGE = 40_000 if QUICK else 2_000_000
ROUNDS = 10 if QUICK else 40
BANKS = 50
DAYS = 90
GOAL = 1.5

INSERT = """
INSERT INTO balances_lookuplog (created_at, organisation_id, api_key_prefix, environment,
    request_id, consent_id, consent_source, fnr_hash, status, error, latency_ms)
SELECT now() - (g %% %(days)s) * interval '1 day' - (g %% 80000) * interval '1 second',
       (%(banks)s::bigint[])[1 + g %% %(n)s],
       'key' || (g %% 7),
       CASE WHEN g %% 5 = 0 THEN 'test' ELSE 'production' END,
       'req-' || g, '', '', '',
       CASE WHEN g %% 50 = 0 THEN 500 WHEN g %% 20 = 0 THEN 401 ELSE 200 END,
       '', 5 + (g %% 400)
FROM generate_series(%(first)s, %(last)s) AS g
"""


def seed_organisations():
    from accounts.models import Membership, Organisation, User

    bits = Organisation.objects.create(name="Bits AS", orgnr="916000006", kind="bits")
    banks = Organisation.objects.bulk_create([
        Organisation(name=f"Bank {i:02}", orgnr=f"9{i:08}", kind="bank") for i in range(BANKS)])
    from allauth.mfa.totp.internal.auth import TOTP

    handler = User.objects.create_user("handler@bits.example.com")
    Membership.objects.create(user=handler, organisation=bits)
    TOTP.activate(handler, "JBSWY3DPEHPK3PXP")  # Bits must have a second factor
    member = User.objects.create_user("drift@bank00.example.com")
    Membership.objects.create(user=member, organisation=banks[0])
    return handler, member, [b.pk for b in banks]


def grow_log(bank_ids, first, last):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(INSERT, {"days": DAYS, "banks": bank_ids, "n": len(bank_ids),
                                "first": first, "last": last})
        cursor.execute("ANALYZE balances_lookuplog")


def fold_all():
    from balances.rollup import lookup_rollup_fold

    while lookup_rollup_fold():
        pass


def p50(client, url):
    warm = client.get(url, secure=True)  # warm up
    assert warm.status_code == 200, (warm.status_code, warm.get("Location"), warm.content[:300])
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        response = client.get(url, secure=True)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return percentile(times, 0.5)


def measure(handler, member):
    from django.test import Client
    from django.urls import reverse

    bits, bank = Client(), Client()
    bits.force_login(handler)
    bank.force_login(member)
    return {"api_usage_report": p50(bits, reverse("reports:report", args=["api-bruk"])),
            "bank_home": p50(bank, reverse("dashboard"))}


def main():
    require_postgres("bench/reports.py")
    db_url, drop = bench_database(os.environ["DATABASE_URL"], "bench_reports")
    os.environ.update({"DATABASE_URL": db_url, "DJANGO_SETTINGS_MODULE": "config.settings",
                       "ALLOWED_HOSTS": "testserver", "LOG_LEVEL": "WARNING"})
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        settings.ALLOWED_HOSTS = ["testserver"]
        call_command("migrate", verbosity=0)
        handler, member, bank_ids = seed_organisations()

        grow_log(bank_ids, 1, SMALL)
        fold_all()
        small = measure(handler, member)
        started = time.monotonic()
        grow_log(bank_ids, SMALL + 1, LARGE)
        seeded = time.monotonic()
        fold_all()
        folded = time.monotonic()
        large = measure(handler, member)

        print(f"reports: lookup log {SMALL:,} vs {LARGE:,} rows ({BANKS} banks, {DAYS} days); "
              f"p50 of {ROUNDS} requests")
        print(f"  seeding {LARGE - SMALL:,} rows: {seeded - started:.1f} s, "
              f"folding them into the roll-up: {folded - seeded:.1f} s")
        print(f"  {'page':<20}{'p50 small (ms)':>16}{'p50 large (ms)':>16}{'ratio':>8}")
        worst = 0.0
        for page in small:
            ratio = large[page] / small[page]
            worst = max(worst, ratio)
            print(f"  {page:<20}{small[page]:>16.1f}{large[page]:>16.1f}{ratio:>8.2f}")
            record(f"reports.{page}_p50", large[page], "ms", baseline=small[page],
                   rows=LARGE, baseline_rows=SMALL)
        record("reports.p50_ratio", worst, "ratio", baseline=GOAL, rows=LARGE,
               baseline_rows=SMALL)
        print(f"  worst ratio {worst:.2f} (goal < {GOAL})")
    finally:
        from django.db import connections

        connections.close_all()
        drop()


if __name__ == "__main__":
    main()
