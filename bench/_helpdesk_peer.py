"""The peer of bench/case_list.py: django-helpdesk's staff ticket list, with the same tickets.

`serve(tickets, ...)` makes a virtualenv of its own (HELPDESK_VENV, reused when it already holds
the same requirements), installs django-helpdesk from PyPI with a Django it supports, gunicorn
and psycopg; writes a minimal project (settings and urls, nothing else) into a temporary
directory; gives it a database of its own on the benchmark's PostgreSQL server; then runs this
very file with the venv's Python (`prepare`, which imports nothing of the portal) to migrate,
seed the tickets with bulk_create, count the queries of its list in-process, and make a staff
session; and serves it with gunicorn under the same settings as the portal. The caller measures.

Its staff ticket list is a page whose table is filled by a second request (the DataTables JSON
of `datatables_ticket_list`): a page view here is both requests, one after the other, as a
browser makes them.
"""

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

HELPDESK_VENV = Path(os.environ.get("HELPDESK_VENV", "/tmp/saldo-bench-helpdesk-venv"))
REQUIREMENTS = ["django-helpdesk==2.6.1", "Django>=5.2,<6.0", "gunicorn", "psycopg[binary]"]

SETTINGS = """
import os
SECRET_KEY = "bench-only-" + "x" * 40
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
INSTALLED_APPS = [
    "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
    "django.contrib.sessions", "django.contrib.messages", "django.contrib.staticfiles",
    "django.contrib.sites", "django.contrib.humanize", "rest_framework", "helpdesk",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "hdbench_urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
DATABASES = {"default": {
    "ENGINE": "django.db.backends.postgresql", "NAME": os.environ["HDBENCH_DB_NAME"],
    "HOST": os.environ["HDBENCH_DB_HOST"], "PORT": os.environ["HDBENCH_DB_PORT"],
    "USER": os.environ["HDBENCH_DB_USER"], "CONN_MAX_AGE": 60,
}}
if os.environ.get("HDBENCH_REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": os.environ["HDBENCH_REDIS_URL"]}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
SITE_ID = 1
USE_TZ = True
TIME_ZONE = "Europe/Oslo"
LANGUAGE_CODE = "en"
STATIC_URL = "/static/"
LOGIN_URL = "helpdesk:login"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
HELPDESK_TEAMS_MODE_ENABLED = False
"""

URLS = """
from django.contrib import admin
from django.urls import include, path
urlpatterns = [path("admin/", admin.site.urls), path("helpdesk/", include("helpdesk.urls"))]
"""

# Our state → the peer's (1 open, 3 resolved, 4 closed); severity → its priority (1 highest).
STATUS = {"resolved": 3, "closed": 4}
PRIORITY = {"critical": 1, "high": 2, "normal": 3, "low": 4}


def prepare(workdir):
    """Run by the peer's own Python: migrate, seed DIR/tickets.json, count the queries of the
    list and its table's JSON, make a staff session. Writes DIR/prepared.json."""
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from helpdesk.models import Queue, Ticket

    call_command("migrate", "--noinput", verbosity=0)
    given = json.loads((Path(workdir) / "tickets.json").read_text())
    queues = Queue.objects.bulk_create(
        [Queue(title=name, slug=f"bank-{k:03d}", email_address=f"bank-{k:03d}@example.com")
         for k, name in enumerate(given["banks"])])
    staff = [User.objects.create_user(email.split("@")[0], email, is_staff=True)
             for email in given["handlers"]]

    def when(value):
        return datetime.fromisoformat(value) if value else None

    Ticket.objects.bulk_create([
        Ticket(title=t["summary"], queue=queues[t["bank"]], created=when(t["created"]),
               modified=when(t["resolved_at"] or t["created"]),
               submitter_email=given["reporters"][t["bank"]],
               assigned_to=staff[t["handler"]] if t["handler"] is not None else None,
               status=STATUS.get(t["status"], 1), description=t["description"],
               resolution="Rettet." if t["status"] in STATUS else None,
               priority=PRIORITY[t["severity"]], due_date=when(t["resolution_due"]))
        for t in given["tickets"]], batch_size=1000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    # Open tickets (open, reopened) with the word: what our filtered search asks.
    pages = {"helpdesk_list": "/helpdesk/tickets/",
             "helpdesk_list_search": f"/helpdesk/tickets/?q={given['search']}&status=1&status=2"}
    client = Client()
    client.force_login(staff[0])
    views, queries = {}, {}
    for name, url in pages.items():
        client.get(url)
        with CaptureQueriesContext(connection) as page:
            response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        data_url = data_url_of(response.content.decode(), given["page_size"])
        client.get(data_url)
        with CaptureQueriesContext(connection) as data:
            response = client.get(data_url)
        assert response.status_code == 200, (name, response.status_code)
        assert len(response.json()["data"]) == given["page_size"], name
        views[name] = [url, data_url]
        queries[name] = {"page": len(page), "data": len(data)}

    session = SessionStore()
    session[SESSION_KEY] = str(staff[0].pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = staff[0].get_session_auth_hash()
    session.create()
    (Path(workdir) / "prepared.json").write_text(json.dumps({
        "views": views, "queries": queries, "cookie": f"sessionid={session.session_key}",
        "tickets": Ticket.objects.count()}))


def data_url_of(html, page_size):
    """The JSON request that fills the list's table, as the page's script makes it (the
    first `page_size` rows)."""
    found = re.search(r"(/helpdesk/datatables_ticket_list/[^\"'\s]+)", html)
    if not found:
        raise SystemExit("the peer's ticket list names no datatables_ticket_list URL")
    return found.group(1) + f"?draw=1&start=0&length={page_size}"


def venv_python():
    """The peer's virtualenv, created and installed from PyPI the first time."""
    python = HELPDESK_VENV / "bin" / "python"
    marker = HELPDESK_VENV / ".installed"
    wanted = "\n".join(REQUIREMENTS)
    if not (python.exists() and marker.exists() and marker.read_text() == wanted):
        shutil.rmtree(HELPDESK_VENV, ignore_errors=True)
        print(f"peer: creating {HELPDESK_VENV}, installing {', '.join(REQUIREMENTS)}",
              flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(HELPDESK_VENV)], check=True)
        # -qq: pip's notes about this machine's extra package indexes are not the benchmark's.
        subprocess.run([str(python), "-m", "pip", "install", "-qq",
                        "--disable-pip-version-check", *REQUIREMENTS], check=True)
        marker.write_text(wanted)
    return str(python)


@contextlib.contextmanager
def serve(given, *, database_url, start_server):
    """Prepare the peer and serve it; yields (base URL, session cookie, {page: [its URLs]},
    {page: {"page": n, "data": n}} queries, versions, ticket count).

    `given`: {"banks", "reporters", "handlers", "tickets", "search", "page_size"} as JSON-able
    data. `start_server(python, cwd, env)` starts gunicorn and returns (process, base URL).
    """
    from urllib.parse import urlsplit

    from _common import stop_process

    python = venv_python()
    versions = subprocess.run(
        [python, "-c", "from importlib.metadata import version as v; "
                       "print('django-helpdesk', v('django-helpdesk'), 'Django', v('django'))"],
        check=True, capture_output=True, text=True).stdout.strip()
    workdir = Path(tempfile.mkdtemp(prefix="saldo-bench-helpdesk-"))
    try:
        (workdir / "hdbench_settings.py").write_text(SETTINGS)
        (workdir / "hdbench_urls.py").write_text(URLS)
        (workdir / "tickets.json").write_text(json.dumps(given))
        db = urlsplit(database_url)
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "hdbench_settings",
               "PYTHONPATH": str(workdir), "HDBENCH_DB_NAME": db.path.lstrip("/"),
               "HDBENCH_DB_HOST": db.hostname, "HDBENCH_DB_PORT": str(db.port),
               "HDBENCH_DB_USER": db.username or "postgres",
               "HDBENCH_REDIS_URL": os.environ.get("REDIS_URL", "")}
        for key in ("DATABASE_URL", "VIRTUAL_ENV", "DJANGO_CONFIGURATION"):
            env.pop(key, None)
        started = time.perf_counter()
        subprocess.run([python, str(Path(__file__).resolve()), "prepare", str(workdir)],
                       cwd=workdir, env=env, check=True)
        prepared = json.loads((workdir / "prepared.json").read_text())
        print(f"peer: seeded {prepared['tickets']} tickets in "
              f"{time.perf_counter() - started:.1f} s", flush=True)
        server, base = start_server(python, workdir, env)
        try:
            yield (base, prepared["cookie"], prepared["views"], prepared["queries"], versions,
                   prepared["tickets"])
        finally:
            stop_process(server)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] != ["prepare"]:
        raise SystemExit("usage: _helpdesk_peer.py prepare DIR (run by bench/case_list.py)")
    prepare(sys.argv[2])
