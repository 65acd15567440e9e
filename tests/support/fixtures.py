"""Fixtures for the real servers and the browser, loaded by tests/conftest.py (`pytest_plugins`).

Servers (tests/support/servers.py): `smtp_sink`, `redis_server`, `broker` (this process publishes
to `redis_server`) and `worker` (a Celery worker on the test database, sending to `smtp_sink`;
override `worker_settings` to give it more environment). Browser (tests/support/browser.py):
`browser`, `new_page` and `live`.
"""

import os

import pytest

from tests.support import servers

# --- servers ----------------------------------------------------------------------------------


@pytest.fixture
def smtp_sink():
    """(port, SmtpSink) of an SMTP server on 127.0.0.1 that keeps every message."""
    from aiosmtpd.controller import Controller

    sink = servers.SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=servers.free_port())
    controller.start()
    yield controller.port, sink
    sink.release()
    controller.stop()


@pytest.fixture
def redis_server(tmp_path):
    binary = os.environ.get("REDIS_SERVER_BIN")
    if not binary or not os.path.exists(binary):
        pytest.skip("REDIS_SERVER_BIN is not set: run under scripts/testenv.py")
    server = servers.RedisServer(binary, tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def broker(settings, monkeypatch, redis_server):
    """Make this process publish to `redis_server` instead of running tasks eagerly."""
    servers.publish_to(redis_server.url, settings=settings, monkeypatch=monkeypatch)
    yield redis_server
    servers.forget_broker_connections()


@pytest.fixture
def worker_settings():
    """Environment variables the `worker` gets on top of worker_environment()'s."""
    return {}


@pytest.fixture
def worker(transactional_db, redis_server, smtp_sink, worker_settings, tmp_path):
    """A Celery worker on the test database (the rows it reads must be committed: hence
    `transactional_db`), consuming from `redis_server` and sending mail to `smtp_sink`."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the worker needs the PostgreSQL test database: run under scripts/testenv.py")
    smtp_port, _ = smtp_sink
    env = servers.worker_environment(broker_url=redis_server.url, smtp_port=smtp_port,
                                     **worker_settings)
    celery_worker = servers.CeleryWorker(env, tmp_path / "worker.log")
    celery_worker.start()
    yield celery_worker
    celery_worker.stop()  # before the test database is flushed or dropped


# --- browser ----------------------------------------------------------------------------------


@pytest.fixture
def browser(monkeypatch):
    """Headless Chromium (CHROMIUM_PATH, as scripts/testenv.py sets it, or /usr/bin/chromium)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    from django.db import connections

    from tests.support.browser import CHROMIUM_ARGS, DEFAULT_CHROMIUM

    executable = os.environ.get("CHROMIUM_PATH") or DEFAULT_CHROMIUM
    if not os.path.exists(executable):
        pytest.fail(f"Chromium not found at {executable}: run under scripts/testenv.py "
                    "(make test installs it)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made here
    # (fixtures, final assertions) are still synchronous and safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS,
                                      headless=True)
        try:
            yield chromium
        finally:
            chromium.close()
            # ORM calls made while Playwright runs get their own connection (Django keys
            # connections by context); close it, or the test database cannot be dropped.
            connections.close_all()


@pytest.fixture
def new_page(browser):
    """`new_page()` opens a page in a new browser context: one per person, with separate
    cookies, as separate people have."""
    from tests.support.browser import STEP_TIMEOUT_MS

    contexts = []

    def make():
        context = browser.new_context(locale="nb-NO", timezone_id="Europe/Oslo",
                                      viewport={"width": 1280, "height": 900})
        context.set_default_timeout(STEP_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def live(transactional_db, live_server, settings):
    """The live server's URL, with cookies the plain-http live server can set."""
    # Without DEBUG the cookies are Secure; the live server speaks plain http.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    return live_server.url
