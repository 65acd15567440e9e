"""Links in e-mails point at the port the portal is served on: `PORT=8801 make run` gives
SITE_URL http://127.0.0.1:8801 unless SITE_URL is set."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "PORT", "DATABASE_URL"}}
    env.update(extra)
    return env


def _make_dry_run(*args, **env):
    result = subprocess.run(["make", "-n", "run", *args], cwd=ROOT, env=_env(**env),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    runserver = [line for line in result.stdout.splitlines() if "runserver" in line]
    assert len(runserver) == 1, result.stdout
    return runserver[0]


def test_make_run_on_another_port_passes_a_site_url_with_that_port():
    line = _make_dry_run("PORT=8801")
    assert "SITE_URL=http://127.0.0.1:8801 " in line
    assert "runserver 127.0.0.1:8801" in line


def test_make_run_keeps_a_site_url_that_is_already_set():
    line = _make_dry_run("PORT=8801", SITE_URL="https://portal.example")
    assert "SITE_URL=https://portal.example " in line


def _settings_site_url(**env):
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.SITE_URL)"],
        cwd=ROOT, env=_env(DJANGO_SETTINGS_MODULE="config.settings", **env),
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_settings_site_url_follows_port():
    assert _settings_site_url(PORT="8801") == "http://127.0.0.1:8801"


def test_settings_site_url_defaults_to_8000_and_an_explicit_one_wins():
    assert _settings_site_url() == "http://127.0.0.1:8000"
    assert _settings_site_url(PORT="8801", SITE_URL="https://portal.example") == \
        "https://portal.example"
