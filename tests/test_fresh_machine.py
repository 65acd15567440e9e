"""`make test` on a machine that has Python and nothing else: no uv on PATH, no venv.

The Makefile then installs uv with pip into the machine's python3 and runs it as
`python3 -m uv`. That once failed inside `uv run` (as `make test` nests it), where a bare
`python3` is the project's venv, which has no uv: the Makefile names the interpreter by its
absolute path. This test builds such a machine — a throw-away venv without uv as the only
Python on PATH, and a copy of the repository's tracked files — and runs the Makefile's `uv` and
`deps` targets and a nested `$(UV) run ... $(UV) run ...` like `make test`'s; and shows that
the same run with a bare `python3` fails, so the check can see the bug.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# `make test` runs `$(UV) run python scripts/testenv.py -- $(UV) run pytest`: the inner $(UV) is
# expanded by make and run by a process inside `uv run`, with the project's venv first on PATH.
NESTED = ("fresh-machine-check: deps ; @$(UV) run bash -c "
          "'$(UV) run python -c \"import django; print(django.get_version())\"'")

# What the machine's network settings need (certificates, proxies, pip's index); nothing of
# this shell's Python, venv or uv.
PASSED_ON = ("PIP_", "SSL_CERT", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


def _uv_cache_dir():
    # The real cache: the copy installs the same locked wheels without downloading them again.
    if os.environ.get("UV_CACHE_DIR"):
        return os.environ["UV_CACHE_DIR"]
    return str(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "uv")


def _machine_env(path):
    env = {key: value for key, value in os.environ.items()
           if key.startswith(PASSED_ON) or key.lower().endswith("_proxy")}
    return {**env, "PATH": path, "HOME": os.environ.get("HOME", "/root"), "LANG": "C.UTF-8",
            "UV_CACHE_DIR": _uv_cache_dir()}


def _copy_tracked_files(destination):
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                            check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():  # a tracked file someone has just deleted is not copied
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)


def _run(command, **kwargs):
    return subprocess.run(command, capture_output=True, text=True, timeout=900, **kwargs)


@pytest.fixture
def machine(tmp_path):
    """(python3, PATH, environment, repository copy) of a machine with Python and nothing else."""
    venv = tmp_path / "python"
    base_python = getattr(sys, "_base_executable", sys.executable)
    _run([base_python, "-m", "venv", str(venv)], check=True)
    python3 = venv / "bin" / "python3"
    path = f"{venv / 'bin'}:/usr/bin:/bin"
    env = _machine_env(path)

    # The machine really is bare: no uv anywhere on PATH or in its Python.
    assert shutil.which("uv", path=path) is None
    assert Path(shutil.which("python3", path=path)) == python3
    assert _run([str(python3), "-m", "uv", "--version"], env=env).returncode != 0

    repo = tmp_path / "repo"
    _copy_tracked_files(repo)
    assert not (repo / ".venv").exists()
    return python3, env, repo


def _make(repo, env, *overrides):
    # One make run, as on the first `make test`: $(UV) is decided before uv is installed.
    return _run(["make", "--no-print-directory", "--eval", NESTED, *overrides, "uv", "deps",
                 "fresh-machine-check"], cwd=repo, env=env)


@pytest.mark.fresh_machine
def test_make_installs_uv_and_the_venv_on_a_machine_without_uv(machine):
    python3, env, repo = machine
    made = _make(repo, env)
    assert made.returncode == 0, made.stdout + made.stderr
    assert made.stdout.split()[-1].startswith("5."), made.stdout  # Django, from the venv

    # uv went into the machine's Python, the project got its venv, and that venv has no uv:
    # the nested `$(UV)` was the machine's, not the venv's `python3`.
    assert _run([str(python3), "-m", "uv", "--version"], env=env).returncode == 0
    venv_python = repo / ".venv" / "bin" / "python"
    assert venv_python.exists()
    assert _run([str(venv_python), "-c", "import uv"], env=env).returncode != 0


@pytest.mark.fresh_machine
def test_the_check_sees_the_old_bug_of_a_bare_python3(machine):
    """With `PYTHON3 = python3` (as before the fix) the same run fails as it did on the
    fresh machine, so the test above would have caught it."""
    _python3, env, repo = machine
    made = _make(repo, env, "PYTHON3=python3")
    assert made.returncode != 0
    assert "/.venv/bin/python3: No module named uv" in made.stderr, made.stderr
