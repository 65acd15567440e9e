"""What the benchmarks share: the JSON-lines record, quick mode, free ports, a throw-away
database, gunicorn on 127.0.0.1, percentiles. `make bench` skips this module (its name starts
with an underscore) and runs every other bench/*.py.

Every benchmark prints its own table and calls `record()` once per measure, which appends one
line to bench/results/latest.jsonl (or to $BENCH_RESULTS: the smoke test writes elsewhere):

    {"name": "fanout.last_mail", "value": 1.4, "unit": "s", "baseline": 0.9, "ratio": 1.56}

`name` is stable from run to run (`<benchmark>.<measure>`); `baseline` is what the value is
compared with (the trivial view, the one-connection baseline, the goal) or null; `ratio` is
value ÷ baseline, or null. `make bench` empties the file first, so after a run it holds that
run's figures only.

BENCH_QUICK=1 asks for a short run (seconds, not minutes): `make test`'s smoke test uses it to
check that each benchmark still runs, and asserts nothing about speed.
"""

import json
import math
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
QUICK = os.environ.get("BENCH_QUICK") == "1"


def results_path() -> Path:
    return Path(os.environ.get("BENCH_RESULTS") or ROOT / "bench" / "results" / "latest.jsonl")


def record(name, value, unit, baseline=None, **extra):
    """Append one measure to the results file; returns the line's dict."""
    ratio = None
    if baseline:
        ratio = round(value / baseline, 4)
    line = {"name": name, "value": round(value, 4) if isinstance(value, float) else value,
            "unit": unit, "baseline": round(baseline, 4) if isinstance(baseline, float)
            else baseline, "ratio": ratio, **extra}
    path = results_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
    return line


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values, fraction):
    """The value below which `fraction` of `values` lie (nearest rank; 0 for no values)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, math.ceil(len(ordered) * fraction) - 1))]


def require_postgres(name):
    """Exit with a message (status 2) unless DATABASE_URL names a PostgreSQL server: run
    under scripts/testenv.py (make bench does)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.stderr.write(f"{name}: run under scripts/testenv.py (make bench): it needs "
                         "DATABASE_URL on PostgreSQL\n")
        sys.exit(2)


def bench_database(url, prefix):
    """A fresh database next to the one in `url`; returns (its URL, a function that drops it).
    A benchmark works in its own database so that it never meets another's rows."""
    import psycopg

    parts = urlsplit(url)
    name = f"{prefix}_{os.getpid()}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return urlunsplit(parts._replace(path=f"/{name}")), drop


def start_gunicorn(port, *, workers, health_path, env=None, extra_args=(), timeout=30):
    """gunicorn serving the portal on 127.0.0.1:`port`; returns the process once `health_path`
    answers 200. Stop it with `stop_process`."""
    import httpx

    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application",
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning",
         *extra_args],
        cwd=ROOT, env=env if env is not None else os.environ.copy(), start_new_session=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}{health_path}", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    stop_process(server)
    raise SystemExit("gunicorn did not start")


def stop_process(process, timeout=20):
    """Stop a process started in its own session (and its children): TERM, then KILL."""
    import signal

    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
