"""Benchmark of the balance engine alone (pure Python: no database, no server).

Builds the 25-year history of bench/saldo_api.py (285 events: five study years, a pause, a
fixed-rate agreement, 19 years of monthly repayments across about 115 rate periods, reminder
fees), computes its balance RUNS times in ROUNDS rounds, and prints the time per borrower (the
median of the rounds) and its ratio to the goal of 1 ms. Appends one JSON line to
bench/results/latest.jsonl:

    {"name": "engine.ms_per_borrower", "value": ms, "unit": "ms", "baseline": 1.0, "ratio": ...}

BENCH_QUICK=1 runs a few iterations only. `make bench` runs it with the other benchmarks.
Figures only: nothing here asserts a speed. The CPU time of this process is printed (and stored
as "cpu_ms") next to the wall clock: on a machine shared with other work the wall clock also
counts the time spent waiting for a CPU.
"""

import datetime as dt
import json
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from balances.engine import (  # noqa: E402  (after the path is set)
    Disbursement,
    Fee,
    FixedRateAgreement,
    InterestStart,
    Repayment,
    compute_balance,
)

QUICK = os.environ.get("BENCH_QUICK") == "1"
ROUNDS = 3 if QUICK else 15
RUNS = 5 if QUICK else 50
GOAL_MS = 1.0
RESULTS = ROOT / "bench" / "results" / "latest.jsonl"


def long_history():
    """The 25-year borrower of bench/saldo_api.py, and the day its balance is asked for."""
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


def per_borrower(run) -> tuple[list[float], list[float]]:
    """Milliseconds per call of ``run`` in each round: (wall clock, CPU time of this process)."""
    wall, cpu = [], []
    for _ in range(ROUNDS):
        started, started_cpu = time.perf_counter(), time.process_time()
        for _ in range(RUNS):
            run()
        wall.append((time.perf_counter() - started) / RUNS * 1000)
        cpu.append((time.process_time() - started_cpu) / RUNS * 1000)
    return wall, cpu


def main():
    events, as_of = long_history()
    result = compute_balance(events, as_of)  # warm up
    wall, cpu = per_borrower(lambda: compute_balance(events, as_of))
    ms = statistics.median(wall)
    print(f"{'balance engine, 25-year history':<34} {ms:8.3f} ms per borrower   "
          f"(median of {ROUNDS} rounds × {RUNS} runs; min {min(wall):.3f}, max {max(wall):.3f}; "
          f"CPU {statistics.median(cpu):.3f}; {len(events)} events, "
          f"{len(result.explanation)} period lines, total {result.total} kr)")
    print(f"{'ratio to the goal of 1 ms':<34} {ms / GOAL_MS:8.2f} ×")
    # The portal's borrower page also reads the explanation (as text) and the postings, which
    # the result builds when first read; the Saldo API reads neither.
    def explained():
        read = compute_balance(events, as_of)
        return read.describe(), read.bookings, read.postings

    explained_wall, explained_cpu = per_borrower(explained)
    print(f"{'… and its explanation read as text':<34} {statistics.median(explained_wall):8.3f} ms "
          f"per borrower (CPU {statistics.median(explained_cpu):.3f}; the portal's page, not the "
          f"goal)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write(json.dumps({"name": "engine.ms_per_borrower", "value": round(ms, 4),
                              "unit": "ms", "baseline": GOAL_MS, "ratio": round(ms / GOAL_MS, 4),
                              "cpu_ms": round(statistics.median(cpu), 4)}) + "\n")


if __name__ == "__main__":
    main()
