"""E-mail delivery end to end: a real Redis, a real Celery worker and a real SMTP server.

The worker is a separate process that reads the outbox rows from the test database, so the rows
must be committed: these tests use `transactional_db`. Every server listens on 127.0.0.1 only,
on a free port, and is stopped in teardown whatever happens.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from email import message_from_bytes, policy
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from aiosmtpd.controller import Controller
from django.db import connection
from django.utils import timezone
from kombu import pools

from config.celery import app as celery_app
from incidents import services as incidents
from notifications.models import OutboxMessage
from notifications.tasks import outbox_sweep

pytestmark = [pytest.mark.delivery, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(__file__).resolve().parents[2]
DELIVERY_TIMEOUT = 30
WORKER_START_TIMEOUT = 30


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(predicate, timeout, interval=0.2):
    """Poll `predicate` until it returns something truthy or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result or time.monotonic() >= deadline:
            return result
        time.sleep(interval)


class SmtpSink:
    """An aiosmtpd handler that keeps every envelope it receives (read from the test thread)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._envelopes = []

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self._envelopes.append((envelope.mail_from, tuple(envelope.rcpt_tos),
                                    envelope.content))
        return "250 Message accepted for delivery"

    def envelopes(self):
        with self._lock:
            return list(self._envelopes)

    def mails_per_recipient(self):
        return Counter(rcpt for _, rcpts, _ in self.envelopes() for rcpt in rcpts)


class RedisServer:
    """A redis-server owned by one test: it can be stopped and started again on the same port."""

    def __init__(self, binary, workdir):
        self.binary = binary
        self.workdir = workdir
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process = None

    def _answers(self):
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
        assert _wait_for(self._answers, 10), f"redis-server did not start on port {self.port}"

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
        assert not self._answers()


class CeleryWorker:
    """`celery -A config worker` in its own process, logging to a file the test can read."""

    def __init__(self, env, log_path):
        self.env = env
        self.log_path = log_path
        self._process = None

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def start(self):
        with open(self.log_path, "wb") as log_file:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
                 "--concurrency=1", "-Q", "celery", "--without-mingle", "--without-gossip",
                 "-l", "INFO", "-n", f"delivery-{uuid.uuid4().hex[:8]}@%h"],
                cwd=BASE_DIR, env=self.env, stdout=log_file, stderr=subprocess.STDOUT)
        ready = _wait_for(lambda: " ready." in self.log() or self._process.poll() is not None,
                          WORKER_START_TIMEOUT)
        if not ready or self._process.poll() is not None:
            self.stop()
            pytest.fail(f"Celery worker did not become ready:\n{self.log()[-4000:]}")

    def stop(self):
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=10)
        self._process = None

    def task_results(self, task_name):
        """The return values the worker logged for `task_name`, oldest first."""
        pattern = rf"Task {re.escape(task_name)}\[[^\]]+\] succeeded in [\d.e-]+s: (.*)"
        return re.findall(pattern, self.log())


def _test_database_url():
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
def smtp_sink():
    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller.port, sink
    controller.stop()


def _forget_broker_connections():
    # The app caches its connection and producer pools for the broker it first talked to.
    pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker(settings, monkeypatch, redis_server):
    """Make this process publish to `redis_server` instead of running tasks eagerly."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    # Celery reads the CELERY_BROKER_URL environment variable before its configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", redis_server.url)
    _forget_broker_connections()
    assert celery_app.conf.task_always_eager is False
    assert celery_app.connection_for_write().port == redis_server.port
    yield redis_server
    _forget_broker_connections()


@pytest.fixture
def worker(transactional_db, redis_server, smtp_sink, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the worker needs the PostgreSQL test database: run under scripts/testenv.py")
    smtp_port, _ = smtp_sink
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": _test_database_url(),
        "CELERY_BROKER_URL": redis_server.url,
        "REDIS_URL": "",  # the worker's cache must not depend on the Redis the test stops
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_USE_TLS": "false",
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
        "OUTBOX_SWEEP_AFTER_SECONDS": "0",
        "PYTHONUNBUFFERED": "1",
    }
    celery_worker = CeleryWorker(env, tmp_path / "worker.log")
    celery_worker.start()
    yield celery_worker
    celery_worker.stop()  # before the test database is flushed or dropped


@pytest.fixture
def bits_handlers(bits_org):
    from tests.factories import member_of

    return [member_of(bits_org, email="handler-1@bits.example.com"),
            member_of(bits_org, email="handler-2@bits.example.com")]


def _report(by):
    return incidents.incident_report(
        by=by, environment="production", severity="critical", occurred_at=timezone.now(),
        request_ids=["9f1c2d3e-0001"], summary="Alle kall gir 500",
        description="Fra kl. 09.12 svarer Saldo-API-et 500 på alle kall.",
    )


def _outbox_statuses(users):
    rows = OutboxMessage.objects.filter(to__in=[user.email for user in users])
    return sorted(rows.values_list("status", flat=True))


def _subjects(sink):
    return [message_from_bytes(content, policy=policy.default)["Subject"]
            for _, _, content in sink.envelopes()]


def test_error_report_mails_each_bits_handler_once_through_the_worker(
        broker, worker, smtp_sink, bank_member, bits_handlers):
    _, sink = smtp_sink
    expected = Counter({user.email: 1 for user in bits_handlers})

    report = _report(bank_member)

    arrived = _wait_for(lambda: sink.mails_per_recipient() == expected, DELIVERY_TIMEOUT)
    assert arrived, f"mail did not arrive; worker log:\n{worker.log()[-4000:]}"
    assert _wait_for(lambda: _outbox_statuses(bits_handlers) == ["sent", "sent"], 10)
    assert _wait_for(lambda: worker.task_results("notifications.tasks.outbox_deliver")
                     == ["True", "True"], 10), worker.log()[-4000:]
    assert all(subject.startswith(f"{report.reference}: ") for subject in _subjects(sink))
    assert sink.mails_per_recipient() == expected  # nothing more came in the meantime


def test_report_filed_while_redis_is_down_is_delivered_once_by_the_sweep(
        broker, worker, smtp_sink, bank_member, bits_handlers):
    _, sink = smtp_sink
    expected = Counter({user.email: 1 for user in bits_handlers})

    broker.stop()
    started = time.monotonic()
    report = _report(bank_member)
    assert time.monotonic() - started < 10
    assert _outbox_statuses(bits_handlers) == ["pending", "pending"]

    broker.start()
    outbox_sweep.apply_async()  # through the broker: the worker sends, once it has reconnected

    arrived = _wait_for(lambda: sink.mails_per_recipient() == expected, DELIVERY_TIMEOUT)
    assert arrived, f"mail did not arrive; worker log:\n{worker.log()[-4000:]}"
    assert _wait_for(lambda: _outbox_statuses(bits_handlers) == ["sent", "sent"], 10)
    assert _wait_for(lambda: worker.task_results("notifications.tasks.outbox_sweep") == ["2"],
                     10), worker.log()[-4000:]
    assert all(subject.startswith(f"{report.reference}: ") for subject in _subjects(sink))

    outbox_sweep.apply_async()
    assert _wait_for(lambda: len(worker.task_results("notifications.tasks.outbox_sweep")) == 2,
                     DELIVERY_TIMEOUT), worker.log()[-4000:]
    assert worker.task_results("notifications.tasks.outbox_sweep") == ["2", "0"]
    assert sink.mails_per_recipient() == expected
    # Nothing was queued while Redis was down: the sweep alone delivered.
    assert worker.task_results("notifications.tasks.outbox_deliver") == []
