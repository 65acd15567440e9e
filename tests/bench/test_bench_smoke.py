"""Every benchmark still runs: each bench/*.py, briefly (BENCH_QUICK=1), as `make bench` would
run it, in a subprocess with this suite's environment (scripts/testenv.py's PostgreSQL and
Redis under `make test`). Asserted: it exits 0 and writes the JSON lines it promises, with the
fields every line has. Nothing about speed: the figures are for `make bench` to show.

On SQLite (no DATABASE_URL) the benchmarks that need PostgreSQL are skipped.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.bench_smoke

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"
DEFAULT_RESULTS = BENCH / "results" / "latest.jsonl"

# The measures each benchmark must write (issue 13: names stable from run to run). A benchmark
# not listed here must write at least one measure named after itself.
MEASURES = {
    "saldo_api": {"saldo_api.throughput", "saldo_api.p99", "saldo_api.queries_per_call"},
    "engine": {"engine.ms_per_borrower"},
    "notice_fanout": {"fanout.last_mail", "fanout.publish_ms"},
    # case_list.p50 is the ratio to django-helpdesk, which the quick run does not install: the
    # quick run writes its own measures only (checked by name below).
    "portal_load": {"portal_load.errors", "portal_load.p95"},
}
# Pure Python: runs anywhere. Every other benchmark needs PostgreSQL (and Redis).
NEEDS_NOTHING = {"engine"}
TIMEOUT_SECONDS = 240

SCRIPTS = sorted(path for path in BENCH.glob("*.py") if not path.name.startswith("_"))


def on_postgres():
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


@pytest.mark.parametrize("script", SCRIPTS, ids=[path.stem for path in SCRIPTS])
def test_benchmark_runs_briefly_and_writes_its_measures(script, tmp_path):
    name = script.stem
    if name not in NEEDS_NOTHING and not on_postgres():
        pytest.skip(f"bench/{script.name} needs PostgreSQL: run under scripts/testenv.py")
    results = tmp_path / "latest.jsonl"
    env = {**os.environ, "BENCH_QUICK": "1", "BENCH_RESULTS": str(results)}
    for variable in ("DJANGO_SETTINGS_MODULE", "PYTEST_VERSION", "PYTEST_CURRENT_TEST"):
        env.pop(variable, None)  # the benchmark runs as `make bench` runs it

    default_size = DEFAULT_RESULTS.stat().st_size if DEFAULT_RESULTS.exists() else 0

    done = subprocess.run([sys.executable, str(script)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=TIMEOUT_SECONDS)

    assert done.returncode == 0, f"stdout:\n{done.stdout[-3000:]}\nstderr:\n{done.stderr[-3000:]}"
    text = results.read_text() if results.exists() else ""
    if not text and DEFAULT_RESULTS.exists():
        # A benchmark that writes its own file rather than through bench/_common.record
        # (which honours BENCH_RESULTS): what it appended there.
        with DEFAULT_RESULTS.open("rb") as default:
            default.seek(default_size)
            text = default.read().decode()
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert lines, f"bench/{script.name} wrote no results:\n{done.stdout[-2000:]}"
    for line in lines:
        assert {"name", "value", "unit", "baseline", "ratio"} <= set(line), line
    written = {line["name"] for line in lines}
    expected = MEASURES.get(name)
    if expected is not None:
        assert expected <= written, f"missing {sorted(expected - written)}; wrote {written}"
    else:
        assert any(measure.startswith(f"{name}.") for measure in written), written
