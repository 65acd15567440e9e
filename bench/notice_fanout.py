"""Benchmark: one critical notice published to 300 banks × 3 contact points through the real
Celery worker to a local SMTP server.

Run by `make bench` inside scripts/testenv.py (which sets DATABASE_URL and CELERY_BROKER_URL).
Works in its own database on that PostgreSQL server, dropped afterwards. Prints the latency of
the publishing web request (the fan-out happens in the worker, not in the request), the time
from publishing until the SMTP server accepted the last mail, and mails per second; then the
baseline (the same mails — recipients, subjects and texts read back from the outbox — sent
directly by one process of its own over one SMTP connection) and the ratio between them.
Before the measured notice, a warm-up notice to Bits alone goes through the same request and
worker, as a web process that has served requests would have: templates loaded, the broker
connection open.

JSON lines (bench/_common.py): `fanout.last_mail` (seconds from publishing to the last mail,
baseline the one-connection seconds, ratio the goal's ≤ 2) and `fanout.publish_ms` (the
publishing request). BENCH_QUICK=1: 30 banks.

    BENCH_BANKS=300 BENCH_CONTACT_POINTS=3 BENCH_WORKER_ARGS="--pool=prefork --concurrency=2"
"""

import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import QUICK, ROOT, bench_database, free_port, record  # noqa: E402

BASE_DIR = ROOT
BANKS = int(os.environ.get("BENCH_BANKS", "30" if QUICK else "300"))
CONTACT_POINTS = int(os.environ.get("BENCH_CONTACT_POINTS", "3"))
WORKER_ARGS = shlex.split(os.environ.get("BENCH_WORKER_ARGS", "--pool=prefork --concurrency=2"))
TIMEOUT_SECONDS = int(os.environ.get("BENCH_TIMEOUT_SECONDS", "600"))


# The baseline's sender (run as `python -c BASELINE_SENDER mails.json`): Django's configured
# mail backend, one connection for all the mails; prints the monotonic clock (the same clock in
# every process of this machine) just before the first mail goes.
BASELINE_SENDER = """
import json, sys, time
import django
django.setup()
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
with open(sys.argv[1]) as f:
    mails = [EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
             for to, subject, body in json.load(f)]
with get_connection() as connection:
    started = time.monotonic()
    connection.send_messages(mails)
print(started)
"""


class Sink:
    """Counts the mails the SMTP server accepts and when the last one came."""

    def __init__(self):
        self.lock = threading.Lock()
        self.count = 0
        self.last_at = None

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += len(envelope.rcpt_tos)
            self.last_at = time.monotonic()
        return "250 Message accepted for delivery"


def seed():
    from allauth.mfa.totp.internal.auth import TOTP

    from accounts.models import ContactPoint, Membership, Organisation, User
    from balances.models import ApiAccess
    from notices.models import Component

    lk_org = Organisation.objects.create(name="Lånekassen", orgnr="960885406",
                                         kind=Organisation.Kind.LANEKASSEN)
    bits = Organisation.objects.create(name="Bits AS", orgnr="916000006",
                                       kind=Organisation.Kind.BITS)
    lk_user = User.objects.create_user("saksbehandler@lanekassen.example.com", "x" * 16)
    Membership.objects.create(user=lk_user, organisation=lk_org)
    TOTP.activate(lk_user, "JBSWY3DPEHPK3PXP")
    bits_user = User.objects.create_user("vakt@bits.example.com", "x" * 16)
    Membership.objects.create(user=bits_user, organisation=bits)
    banks = Organisation.objects.bulk_create(
        [Organisation(name=f"Bank {i:03d}", orgnr=f"{800000000 + i}") for i in range(BANKS)])
    kinds = [ContactPoint.Kind.BUSINESS, ContactPoint.Kind.TECHNICAL, ContactPoint.Kind.SECURITY]
    ContactPoint.objects.bulk_create(
        [ContactPoint(organisation=b, kind=kinds[k % 3], name=f"Kontakt {k}",
                      email=f"kontakt{k}@bank{b.orgnr}.example.com")
         for b in banks for k in range(CONTACT_POINTS)])
    ApiAccess.objects.bulk_create([ApiAccess(organisation=b, environment="production")
                                   for b in banks])
    users = User.objects.bulk_create([User(email=f"drift@bank{b.orgnr}.example.com",
                                           password="!") for b in banks])
    Membership.objects.bulk_create([Membership(user=u, organisation=b)
                                    for u, b in zip(users, banks, strict=True)])
    component = Component.objects.get_or_create(name="Saldo-API-et")[0]
    return lk_user, component


def main():
    if "DATABASE_URL" not in os.environ or "CELERY_BROKER_URL" not in os.environ:
        sys.exit("run under scripts/testenv.py (make bench): DATABASE_URL and "
                 "CELERY_BROKER_URL must be set")
    db_url, drop_db = bench_database(os.environ["DATABASE_URL"], "notice_bench")
    smtp_port = free_port()
    os.environ.update({
        "DATABASE_URL": db_url, "DJANGO_SETTINGS_MODULE": "config.settings",
        "CELERY_TASK_ALWAYS_EAGER": "false", "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port), "EMAIL_USE_TLS": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "REDIS_URL": "", "LOG_LEVEL": "WARNING", "ALLOWED_HOSTS": "testserver",
    })
    sys.path.insert(0, str(BASE_DIR))
    worker = controller = None
    log = tempfile.NamedTemporaryFile(prefix="notice-bench-worker-", suffix=".log",
                                      delete=False)
    try:
        import django

        django.setup()
        from aiosmtpd.controller import Controller
        from django.core.management import call_command
        from django.test import Client
        from django.urls import reverse

        from notices import services
        from notifications.models import FanoutJob

        call_command("migrate", verbosity=0)
        lk_user, component = seed()
        expected = BANKS * CONTACT_POINTS + 1  # and Bits' one user

        sink = Sink()
        controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
        controller.start()
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", *WORKER_ARGS,
             "--without-mingle", "--without-gossip", "-l", "WARNING"],
            cwd=BASE_DIR, env=dict(os.environ), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        time.sleep(1)
        deadline = time.monotonic() + 60
        from config.celery import app

        while not app.control.ping(timeout=0.5):
            if time.monotonic() > deadline or worker.poll() is not None:
                raise RuntimeError("the Celery worker did not start:\n"
                                   + Path(log.name).read_text()[-3000:])

        notice = services.notice_create(
            by=lk_user, kind="fault", severity="critical", environments=["production"],
            components=[component], title="Saldo-API-et svarer 503",
            body="Alle kall mot produksjon feiler. Vi feilsøker.")
        client = Client()
        client.force_login(lk_user)
        client.get(reverse("notices:list"), secure=True)  # warm up URLs and templates
        warm_up = services.notice_create(
            by=lk_user, kind="fault", severity="minor", environments=["test"],
            components=[component], title="Oppvarming", body="Bare Bits får denne.")
        response = client.post(reverse("notices:action", args=[warm_up.reference, "publish"]),
                               secure=True)
        assert response.status_code == 302, response.status_code
        deadline = time.monotonic() + 60
        while sink.count < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        sink.count = 0

        started = time.monotonic()
        response = client.post(reverse("notices:action", args=[notice.reference, "publish"]),
                               secure=True)
        request_seconds = time.monotonic() - started
        assert response.status_code == 302, response.status_code

        deadline = started + TIMEOUT_SECONDS
        fanout_done_at = None
        while time.monotonic() < deadline:
            if fanout_done_at is None and not FanoutJob.objects.filter(
                    finished_at__isnull=True).exists():
                fanout_done_at = time.monotonic()
            if sink.count >= expected:
                break
            time.sleep(0.05)
        if sink.count < expected:
            raise RuntimeError(f"only {sink.count} of {expected} mails arrived in "
                               f"{TIMEOUT_SECONDS} s")
        total = sink.last_at - started
        print(f"notice fan-out: {BANKS} banks × {CONTACT_POINTS} contact points + Bits "
              f"= {expected} mails, worker {' '.join(WORKER_ARGS)}")
        print(f"  publish request latency:        {request_seconds * 1000:8.1f} ms")
        if fanout_done_at:
            print(f"  fan-out bookkeeping finished:   {fanout_done_at - started:8.2f} s")
        print(f"  publish → last mail accepted:   {total:8.2f} s")
        print(f"  throughput:                     {expected / total:8.1f} mails/s")

        # Baseline: the same mails (the fan-out's own recipients, subjects and texts, read back
        # from the outbox) sent straight from one process over one SMTP connection — what
        # writing and transporting them alone costs, with no outbox, broker or worker. The
        # sender is a process of its own, as the workers are: in this process it would share
        # the interpreter's lock with the SMTP server's thread, and its time swung from 0.6 to
        # 1.0 s between runs with the machine's load.
        from notifications.models import OutboxMessage

        before = sink.count
        sent = list(OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT)
                    .order_by("-pk").values_list("to", "subject", "body")[:expected])
        assert len(sent) == expected, len(sent)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as mails_file:
            json.dump(sent, mails_file)
        try:
            sender = subprocess.run([sys.executable, "-c", BASELINE_SENDER, mails_file.name],
                                    cwd=BASE_DIR, env=dict(os.environ), capture_output=True,
                                    text=True, timeout=TIMEOUT_SECONDS, check=True)
        finally:
            os.unlink(mails_file.name)
        baseline_started = float(sender.stdout.split()[-1])
        while sink.count < before + expected and time.monotonic() < deadline:
            time.sleep(0.01)
        baseline = sink.last_at - baseline_started
        print(f"  baseline (one process, one SMTP connection): {baseline:6.2f} s, "
              f"{expected / baseline:8.1f} mails/s")
        print(f"  ratio fan-out / baseline:       {total / baseline:8.1f} × the time")
        record("fanout.last_mail", total, "s", baseline, mails=expected)
        record("fanout.publish_ms", request_seconds * 1000, "ms", None, banks=BANKS)
    finally:
        if worker is not None and worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(timeout=10)
        if controller is not None:
            controller.stop()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001 - best effort before dropping the database
            pass
        drop_db()
        log.close()
        os.unlink(log.name)


if __name__ == "__main__":
    main()
