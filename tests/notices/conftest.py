"""Fixtures for notices: banks with API access and contact points, a notice factory, and the
real servers the delivery tests use (Redis, a Celery worker, an SMTP sink and an HTTP receiver,
all on 127.0.0.1, each stopped in teardown whatever happens)."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import ContactPoint, Membership
from balances.models import ApiAccess
from notices import services
from notices.models import Component
from tests.factories import OrganisationFactory, member_of

BASE_DIR = Path(__file__).resolve().parents[2]


# --- data -----------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The personas' passwords are hashed with the production hasher (about a second each on
    # this machine); these tests are not about passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.NOTICES_WEBHOOK_ALLOW_HTTP_LOOPBACK = True


def add_contact_points(org, count=2):
    kinds = [ContactPoint.Kind.TECHNICAL, ContactPoint.Kind.BUSINESS, ContactPoint.Kind.SECURITY]
    slug = slugify(org.name)  # ASCII: "Sørbank" → "srbank"
    return [ContactPoint.objects.create(organisation=org, kind=kinds[i % 3], name=f"Kontakt {i}",
                                        email=f"{kinds[i % 3]}@{slug}.example.com")
            for i in range(count)]


def grant(org, *environments):
    for env in environments:
        ApiAccess.objects.create(organisation=org, environment=env)


@pytest.fixture
def components(db):
    # The data migration made these, but a transactional test before this one may have
    # flushed them.
    names = ["Saldo-API-et", "Maskinporten", "Altinn samtykke", "Forvaltningsportalen"]
    return [Component.objects.get_or_create(name=name, defaults={"position": i})[0]
            for i, name in enumerate(names)]


@pytest.fixture
def api_component(components):
    return next(c for c in components if c.name == "Saldo-API-et")


@pytest.fixture
def receiving_banks(db, bank, bank_member, bank_admin):
    """Three banks with production access and two contact points each; the first is the
    personas' Testbank A."""
    banks = [bank, OrganisationFactory(name="Nordbank", orgnr="930000001"),
             OrganisationFactory(name="Sørbank", orgnr="940000003")]
    for org in banks:
        grant(org, "production")
        add_contact_points(org, 2)
    member_of(banks[1], email="drift@nordbank.example.com")
    member_of(banks[2], role=Membership.Role.ADMIN, email="admin@sorbank.example.com")
    return banks


@pytest.fixture
def make_notice(lk_user, api_component):
    def make(by=None, **overrides):
        fields = {"kind": "fault", "severity": "critical", "environments": ["production"],
                  "components": [api_component], "title": "Saldo-API-et svarer 500",
                  "body": "Alle kall mot **produksjon** feiler. Vi feilsøker."}
        if overrides.get("kind") == "maintenance":
            start = timezone.now() + timedelta(days=1)
            fields.update(window_start=start, window_end=start + timedelta(hours=2),
                          severity="major", title="Planlagt vedlikehold")
        if overrides.get("kind") == "change":
            fields.update(effective_production=timezone.localdate() + timedelta(days=30),
                          severity="information", title="Nytt felt i svaret")
        fields.update(overrides)
        return services.notice_create(by=by or lk_user, **fields)

    return make


@pytest.fixture
def published(make_notice, lk_user, receiving_banks, bits_user, django_capture_on_commit_callbacks):
    """A critical fault published to the three banks and Bits, fanned out eagerly."""
    def make(**overrides):
        notice = make_notice(**overrides)
        with django_capture_on_commit_callbacks(execute=True):
            services.notice_publish(notice=notice, by=lk_user)
        notice.refresh_from_db()
        return notice

    return make


# --- servers --------------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout, interval=0.2):
    """Poll `predicate` until it returns something truthy or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result or time.monotonic() >= deadline:
            return result
        time.sleep(interval)


class WebhookReceiver:
    """An HTTP server on 127.0.0.1 that records every POST. `responses` maps a path to what to
    answer: a status code, ("redirect", location) or ("sleep", seconds)."""

    def __init__(self):
        self.requests = []
        self.responses = {}
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                behaviour = receiver.responses.get(self.path, 200)
                if isinstance(behaviour, tuple) and behaviour[0] == "sleep":
                    time.sleep(behaviour[1])
                    behaviour = 200
                with receiver._lock:
                    receiver.requests.append({"path": self.path, "headers": dict(self.headers),
                                              "body": body})
                if isinstance(behaviour, tuple) and behaviour[0] == "redirect":
                    self.send_response(302)
                    self.send_header("Location", behaviour[1])
                else:
                    self.send_response(behaviour)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self._thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def received(self, path=None):
        with self._lock:
            return [r for r in self.requests if path is None or r["path"] == path]

    def events_per_path(self):
        return Counter((r["path"], json.loads(r["body"])["event"]) for r in self.received())


@pytest.fixture
def webhook_receiver():
    receiver = WebhookReceiver()
    receiver.start()
    yield receiver
    receiver.stop()


class SmtpSink:
    """An aiosmtpd handler that keeps every message it accepts. With `hold_after` set, the
    message after that many is held until `release()`: the worker sending it is stuck in the
    middle of a send, which is where the tests kill it. A held message is then refused (451),
    so the test knows the server never accepted it."""

    def __init__(self):
        self._lock = threading.Lock()
        self._envelopes = []
        self.hold_after = None
        self.holding = threading.Event()
        self._release = threading.Event()
        self.accept_held = False

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        with self._lock:
            hold = self.hold_after is not None and len(self._envelopes) >= self.hold_after
            if hold:
                self.hold_after = None
        if hold:
            self.holding.set()
            while not self._release.is_set():
                await asyncio.sleep(0.05)
            if not self.accept_held:
                return "451 Try again later"
        with self._lock:
            self._envelopes.append((envelope.mail_from, tuple(envelope.rcpt_tos),
                                    envelope.content))
        return "250 Message accepted for delivery"

    def release(self, accept=False):
        self.accept_held = accept
        self._release.set()

    def envelopes(self):
        with self._lock:
            return list(self._envelopes)

    def count(self):
        with self._lock:
            return len(self._envelopes)

    def mails_per_recipient(self):
        return Counter(rcpt for _, rcpts, _ in self.envelopes() for rcpt in rcpts)


@pytest.fixture
def smtp_sink():
    from aiosmtpd.controller import Controller

    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, sink
    sink.release()
    controller.stop()


class RedisServer:
    """A redis-server owned by one test: it can be stopped and started again on the same port
    (it keeps nothing on disk, so a restart loses every queued task)."""

    def __init__(self, binary, workdir):
        self.binary = binary
        self.workdir = workdir
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process = None

    def _answers(self):
        import redis

        try:
            return redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.5,
                               socket_timeout=0.5).ping()
        except redis.RedisError:
            return False

    def start(self):
        self._process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert wait_for(self._answers, 10), f"redis-server did not start on port {self.port}"

    def stop(self):
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=10)
        self._process = None


class CeleryWorker:
    """`celery -A config worker` in its own process group, logging to a file."""

    def __init__(self, env, log_path):
        self.env = env
        self.log_path = log_path
        self._process = None
        self._offset = 0

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def start(self):
        self._offset = len(self.log())
        with open(self.log_path, "ab") as log_file:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
                 "--concurrency=1", "-Q", "celery", "--without-mingle", "--without-gossip",
                 "--without-heartbeat", "-l", "INFO", "-n", f"notices-{uuid.uuid4().hex[:8]}@%h"],
                cwd=BASE_DIR, env=self.env, stdout=log_file, stderr=subprocess.STDOUT,
                start_new_session=True)
        ready = wait_for(lambda: " ready." in self.log()[self._offset:]
                         or self._process.poll() is not None, 60)
        if not ready or self._process.poll() is not None:
            self.stop()
            pytest.fail(f"Celery worker did not become ready:\n{self.log()[-4000:]}")

    def task_results(self, task_name):
        """The return values the worker logged for `task_name`, oldest first."""
        import re

        pattern = rf"Task {re.escape(task_name)}\[[^\]]+\] succeeded in [\d.e-]+s: (.*)"
        return re.findall(pattern, self.log())

    def kill(self):
        """SIGKILL, as when a machine dies: no warm shutdown, the current task is lost."""
        os.killpg(self._process.pid, signal.SIGKILL)
        self._process.wait(timeout=10)
        self._process = None

    def stop(self):
        if self._process is None:
            return
        if self._process.poll() is None:
            os.killpg(self._process.pid, signal.SIGTERM)
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self._process.pid, signal.SIGKILL)
                self._process.wait(timeout=10)
        self._process = None


def database_url_of_test_db():
    from django.db import connection

    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return (f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
            f"{db['NAME']}")


@pytest.fixture
def redis_server(tmp_path):
    binary = os.environ.get("REDIS_SERVER_BIN")
    if not binary or not os.path.exists(binary):
        pytest.skip("REDIS_SERVER_BIN is not set: run under scripts/testenv.py")
    server = RedisServer(binary, tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def broker(settings, redis_server, monkeypatch):
    """Make this process publish to `redis_server` instead of running tasks eagerly."""
    from kombu import pools

    from config.celery import app as celery_app

    # Celery reads CELERY_BROKER_URL from the environment before its own configuration, and
    # scripts/testenv.py sets it to its shared Redis.
    monkeypatch.setenv("CELERY_BROKER_URL", redis_server.url)
    saved = {key: celery_app.conf[key] for key in ("task_always_eager", "broker_url")}
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = redis_server.url
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = redis_server.url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    yield redis_server
    celery_app.conf.update(saved)
    pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def worker(transactional_db, redis_server, smtp_sink, tmp_path):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the worker needs the PostgreSQL test database: run under scripts/testenv.py")
    smtp_port, _ = smtp_sink
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings"),
        "DATABASE_URL": database_url_of_test_db(),
        "CELERY_BROKER_URL": redis_server.url,
        "REDIS_URL": "",  # the worker's cache must not depend on the Redis the test restarts
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_USE_TLS": "false",
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
        "OUTBOX_SWEEP_AFTER_SECONDS": "0",
        "NOTICES_FANOUT_BATCH_SIZE": "1",
        "NOTICES_FANOUT_STALE_SECONDS": "0",
        "PYTHONUNBUFFERED": "1",
    }
    celery_worker = CeleryWorker(env, tmp_path / "worker.log")
    celery_worker.start()
    yield celery_worker
    celery_worker.stop()  # before the test database is flushed or dropped
