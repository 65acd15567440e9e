"""Finding 10: with production settings (PostgreSQL, a real SECRET_KEY, DEBUG off),
`manage.py check --deploy` reports nothing, and the settings say https only (HSTS, the SSL
redirect, Secure cookies). Run in a subprocess: settings are read from the environment once."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def production_env(**extra):
    env = {key: value for key, value in os.environ.items()
           if key not in {"DEBUG", "DJANGO_SETTINGS_MODULE", "SECURE_SSL_REDIRECT",
                          "SECURE_HSTS_SECONDS", "SECURE_COOKIES"}}
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings",
        # `check` never connects: no server has to listen here.
        "DATABASE_URL": "postgres://saldo:saldo@127.0.0.1:9/saldo",
        "CELERY_BROKER_URL": "redis://127.0.0.1:9/0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "portal.example.no",
        "SITE_URL": "https://portal.example.no",
        **extra,
    })
    return env


def run(*args, **extra_env):
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=production_env(**extra_env),
                          capture_output=True, text=True, timeout=120)


def test_check_deploy_with_production_settings_reports_nothing():
    result = run("manage.py", "check", "--deploy", "--fail-level", "DEBUG")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output, output


def test_production_settings_are_https_only():
    script = ("import django, json; django.setup(); from django.conf import settings as s; "
              "print(json.dumps({k: getattr(s, k) for k in ('DEBUG', 'SECURE_SSL_REDIRECT', "
              "'SECURE_HSTS_SECONDS', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE')}))")
    result = run("-c", script)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {"DEBUG": False, "SECURE_SSL_REDIRECT": True,
                      "SECURE_HSTS_SECONDS": 365 * 24 * 3600, "SESSION_COOKIE_SECURE": True,
                      "CSRF_COOKIE_SECURE": True}
