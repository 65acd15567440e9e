"""Real servers a test owns: an SMTP sink, a redis-server, a Celery worker and an HTTP receiver
for webhooks. Each listens on 127.0.0.1 only, on a free port; the fixtures in
tests/support/fixtures.py start them and stop them in teardown whatever happens."""

import asyncio
import json
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
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]


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


def _wait_or_kill(process, timeout, kill):
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill()
        process.wait(timeout=10)


# --- SMTP -------------------------------------------------------------------------------------

class SmtpSink:
    """An aiosmtpd handler that keeps every message it accepts (read from the test thread).

    With `hold_after` set, the message after that many is held until `release()`: the worker
    sending it is stuck in the middle of a send, which is where a test can kill it. A held
    message is then refused (451), so the test knows the server never accepted it."""

    def __init__(self):
        self._lock = threading.Lock()
        self._envelopes = []
        self.hold_after = None
        self.holding = threading.Event()
        self._release = threading.Event()
        self.accept_held = False

    async def handle_DATA(self, server, session, envelope):
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


# --- Redis ------------------------------------------------------------------------------------

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
        _wait_or_kill(self._process, 10, self._process.kill)
        self._process = None
        assert not self._answers()


def forget_broker_connections():
    """The Celery app caches its connection and producer pools for the broker it first talked
    to: drop them, so the next publish connects to the broker configured now."""
    from kombu import pools

    from config.celery import app as celery_app

    pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def publish_to(redis_url, *, settings, monkeypatch):
    """Make this process publish tasks to `redis_url` instead of running them eagerly.

    Celery reads CELERY_BROKER_URL from the environment before its own configuration (and
    scripts/testenv.py sets it to its shared Redis); `monkeypatch` and `settings` undo both at
    teardown. Call `forget_broker_connections()` at teardown too."""
    from config.celery import app as celery_app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setenv("CELERY_BROKER_URL", redis_url)
    forget_broker_connections()
    assert celery_app.conf.task_always_eager is False
    assert celery_app.connection_for_write().port == urlsplit(redis_url).port


# --- Celery worker ----------------------------------------------------------------------------

def database_url_of_test_db():
    """A DATABASE_URL for the test database this process uses (PostgreSQL)."""
    from django.db import connection

    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return (f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
            f"{db['NAME']}")


def worker_environment(*, broker_url, smtp_port, **extra):
    """The environment of a worker on the test database that consumes from `broker_url` and
    sends mail to the SMTP sink on `smtp_port`; `extra` adds or overrides variables."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings"),
        "DATABASE_URL": database_url_of_test_db(),
        "CELERY_BROKER_URL": broker_url,
        "REDIS_URL": "",  # the worker's cache must not depend on the Redis the test restarts
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_USE_TLS": "false",
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
        "OUTBOX_SWEEP_AFTER_SECONDS": "0",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


class CeleryWorker:
    """`celery -A config worker` in its own process group, logging to a file the test can read.
    It can be stopped (SIGTERM), killed (SIGKILL) and started again; the log accumulates."""

    START_TIMEOUT = 60

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
                 "--without-heartbeat", "-l", "INFO", "-n", f"test-{uuid.uuid4().hex[:8]}@%h"],
                cwd=BASE_DIR, env=self.env, stdout=log_file, stderr=subprocess.STDOUT,
                start_new_session=True)
        ready = wait_for(lambda: " ready." in self.log()[self._offset:]
                         or self._process.poll() is not None, self.START_TIMEOUT)
        if not ready or self._process.poll() is not None:
            self.stop()
            pytest.fail(f"Celery worker did not become ready:\n{self.log()[-4000:]}")

    def task_results(self, task_name):
        """The return values the worker logged for `task_name`, oldest first."""
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
            pid = self._process.pid
            os.killpg(pid, signal.SIGTERM)
            _wait_or_kill(self._process, 15, lambda: os.killpg(pid, signal.SIGKILL))
        self._process = None


# --- HTTP (webhooks) --------------------------------------------------------------------------

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
