"""Benchmark: the portal under load — 50 simulated people for 5 minutes, with Locust.

`make bench` runs it inside scripts/testenv.py (throw-away PostgreSQL and Redis). It
1. migrates and seeds its own database (dropped afterwards): 20 banks with a few users each and
   some error reports, Bits handlers, Lånekassen caseworkers (TOTP set up, as the portal
   demands of them), and a logged-in session for every simulated person;
2. starts gunicorn on a free port of 127.0.0.1 (plain HTTP on the loopback, as behind the
   TLS-terminating proxy: SECURE_SSL_REDIRECT and secure cookies are off for this server only;
   no Celery worker — what the portal queues waits in Redis);
3. runs Locust headless, as a library, bounded by time (after a warm-up of 20 s, not counted):
   bank users browse (home, their error reports, a report, notices) and file error reports;
   Bits handlers work the queue (open a report, take it, reply to the bank); Lånekassen
   writes and publishes a notice; and a probe asks the trivial view (/saldo-api/health) twice
   a second, so its p95 is measured under the same load;
4. prints requests per second, p50/p95/p99 and failures per page, and writes the JSON lines
   `portal_load.errors` (failed requests) and `portal_load.p95` (the pages' p95 ÷ the trivial
   view's p95; goal < 10).

Logins: a session per person made with Django's SessionStore (what logging in through the
allauth pages leaves behind), not the login pages themselves: the load is the portal's pages,
and one-time TOTP codes cannot be shared by 50 people logging in in the same 30 seconds. A page
that answers with the login page counts as a failure.

    BENCH_USERS=50 BENCH_SECONDS=300; BENCH_QUICK=1: 5 people for 10 seconds.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    QUICK,
    ROOT,
    bench_database,
    free_port,
    record,
    require_postgres,
    start_gunicorn,
    stop_process,
)

USERS = int(os.environ.get("BENCH_USERS", "5" if QUICK else "50"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "10" if QUICK else "300"))
WARMUP = 2 if QUICK else 20
WORKERS = int(os.environ.get("BENCH_WORKERS", str(max(2, os.cpu_count() or 2))))
BANKS = 20
TRIVIAL = "/saldo-api/health"


def people(total):
    """How many of each kind: one probe, at least one of every person, the rest mostly banks."""
    probe = 1
    lanekassen = max(1, round(total * 0.06))
    bits = max(1, round(total * 0.2))
    return {"bank": max(1, total - probe - lanekassen - bits), "bits": bits,
            "lanekassen": lanekassen, "probe": probe}


# --- seeding (a child process: Django and psycopg stay out of Locust's gevent process) -------

def seed(counts):
    """Migrate, seed, and return {"bank": [session keys], "bits": [...], "lanekassen": [...]}."""
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from allauth.mfa.totp.internal.auth import TOTP
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.utils import timezone

    from accounts.models import ContactPoint, Membership, Organisation, User
    from balances.models import ApiAccess
    from incidents import services as incidents
    from notices.models import Component

    call_command("migrate", verbosity=0)
    Component.objects.get_or_create(name="Saldo-API-et")
    bits = Organisation.objects.create(name="Bits AS", orgnr="916000006",
                                       kind=Organisation.Kind.BITS)
    lanekassen = Organisation.objects.create(name="Lånekassen", orgnr="960885406",
                                             kind=Organisation.Kind.LANEKASSEN)
    banks = Organisation.objects.bulk_create(
        [Organisation(name=f"Bank {i:02d}", orgnr=f"{810000000 + i}") for i in range(BANKS)])
    ApiAccess.objects.bulk_create(
        [ApiAccess(organisation=bank, environment=env) for bank in banks
         for env in ("test", "production")])
    ContactPoint.objects.bulk_create(
        [ContactPoint(organisation=bank, kind=ContactPoint.Kind.TECHNICAL, name="Drift",
                      email=f"drift@bank{bank.orgnr}.example.com") for bank in banks])

    def person(org, email, totp=False):
        user = User.objects.create_user(email, "x" * 16)
        Membership.objects.create(user=user, organisation=org)
        if totp:
            TOTP.activate(user, "JBSWY3DPEHPK3PXP")
        return user

    def session_for(user):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        return session.session_key

    sessions = {"bank": [], "bits": [], "lanekassen": []}
    for i in range(counts["bank"]):
        bank = banks[i % BANKS]
        user = person(bank, f"ansatt{i}@bank{bank.orgnr}.example.com")
        sessions["bank"].append(session_for(user))
        for n in range(3):  # something to browse from the first minute
            incidents.incident_report(
                by=user, environment="test", severity="normal", occurred_at=timezone.now(),
                request_ids=[f"seed-{i}-{n}"], summary=f"Feil {n} fra {bank.name}",
                description="Saldo-API-et svarte 500 på et kall som skulle gått bra.")
    for i in range(counts["bits"]):
        sessions["bits"].append(session_for(person(bits, f"vakt{i}@bits.example.com", True)))
    for i in range(counts["lanekassen"]):
        sessions["lanekassen"].append(
            session_for(person(lanekassen, f"saksbehandler{i}@lanekassen.example.com", True)))
    return sessions


# --- the people ----------------------------------------------------------------------------

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
REPORT = re.compile(r'href="/feilmeldinger/([A-Z]+-\d{4}-\d+)/"')
NOTICE = re.compile(r"/driftsmeldinger/([A-Z]+-\d{4}-\d+)/")
COMPONENT = re.compile(r'name="components" value="(\d+)"')


def define_people(sessions):
    """The Locust user classes (defined here: locust must be imported after the seeding)."""
    import itertools
    import random

    from locust import HttpUser, between, constant, task

    pools = {kind: itertools.cycle(keys) for kind, keys in sessions.items()}

    class Person(HttpUser):
        abstract = True
        wait_time = between(1, 3)
        kind = None

        def on_start(self):
            self.client.cookies.set("sessionid", next(pools[self.kind]))
            self.client.headers["Accept-Language"] = "nb"

        def page(self, method, url, name, **kwargs):
            """A request that fails on an error status or on being sent to the login page."""
            with self.client.request(method, url, name=name, catch_response=True,
                                     **kwargs) as response:
                if response.status_code >= 400:
                    response.failure(f"{response.status_code}")
                elif "/accounts/login/" in response.url:
                    response.failure("sent to the login page")
                else:
                    response.success()
                return response

        def form(self, url, name):
            """GET a form page: (its CSRF token or None when the page failed, its HTML)."""
            html = self.page("GET", url, name).text or ""
            found = CSRF.search(html)
            return (found.group(1) if found else None), html

    class BankUser(Person):
        kind = "bank"
        fixed_count = COUNTS["bank"]

        @task(3)
        def home(self):
            self.page("GET", "/", "/ (bank)")

        @task(4)
        def reports(self):
            found = REPORT.findall(self.page("GET", "/feilmeldinger/", "/feilmeldinger/ (bank)")
                                   .text or "")
            if found:
                self.page("GET", f"/feilmeldinger/{random.choice(found)}/",
                          "/feilmeldinger/[ref]/ (bank)")

        @task(2)
        def notices(self):
            self.page("GET", "/driftsmeldinger/", "/driftsmeldinger/ (bank)")

        @task(1)
        def file_report(self):
            token, _html = self.form("/feilmeldinger/ny/", "/feilmeldinger/ny/")
            if token:
                self.page("POST", "/feilmeldinger/ny/", "/feilmeldinger/ny/ (file)", data={
                    "csrfmiddlewaretoken": token, "environment": "test", "severity": "normal",
                    "occurred_at": "2026-01-15T09:12", "request_ids": "9f1c2d3e-0001",
                    "summary": "Saldo-API-et svarer 500",
                    "description": "Fra kl. 09.12 svarer Saldo-API-et 500 på alle kall."})

    class BitsHandler(Person):
        kind = "bits"
        fixed_count = COUNTS["bits"]

        @task(3)
        def queue(self):
            self.page("GET", "/feilmeldinger/?status=open", "/feilmeldinger/ (Bits queue)")

        @task(2)
        def work_a_report(self):
            found = REPORT.findall(self.page("GET", "/feilmeldinger/",
                                             "/feilmeldinger/ (Bits queue)").text or "")
            if not found:
                return
            reference = random.choice(found)
            token, _html = self.form(f"/feilmeldinger/{reference}/",
                                     "/feilmeldinger/[ref]/ (Bits)")
            if token is None:
                return
            # Taking a report someone else took, or one already closed, is told and changes
            # nothing: the answer is the case page again, not an error.
            self.page("POST", f"/feilmeldinger/{reference}/handling/take/",
                      "/feilmeldinger/[ref]/handling/take/",
                      data={"csrfmiddlewaretoken": token})
            self.page("POST", f"/feilmeldinger/{reference}/melding/",
                      "/feilmeldinger/[ref]/melding/ (reply)",
                      data={"csrfmiddlewaretoken": token, "visibility": "public",
                            "body": "Vi ser på saken og kommer tilbake i løpet av dagen."})

    class LanekassenCaseworker(Person):
        kind = "lanekassen"
        fixed_count = COUNTS["lanekassen"]
        wait_time = between(5, 10)

        @task(3)
        def notices(self):
            self.page("GET", "/driftsmeldinger/", "/driftsmeldinger/ (Lånekassen)")

        @task(1)
        def publish_a_notice(self):
            token, html = self.form("/driftsmeldinger/ny/", "/driftsmeldinger/ny/")
            components = COMPONENT.findall(html)[:1]
            if token is None or not components:
                return
            created = self.page("POST", "/driftsmeldinger/ny/", "/driftsmeldinger/ny/ (write)",
                                data={"csrfmiddlewaretoken": token, "kind": "fault",
                                      "severity": "major", "environments": ["test"],
                                      "components": components, "title": "Treghet i testmiljøet",
                                      "body": "Kall mot testmiljøet tar opptil 5 sekunder."})
            found = NOTICE.search(created.url or "")
            if found:
                self.page("POST", f"/driftsmeldinger/{found.group(1)}/handling/publish/",
                          "/driftsmeldinger/[ref]/handling/publish/",
                          data={"csrfmiddlewaretoken": token})

    class Probe(HttpUser):
        fixed_count = COUNTS["probe"]
        wait_time = constant(0.5)

        @task
        def trivial(self):
            self.client.get(TRIVIAL, name=f"{TRIVIAL} (trivial)")

    return [BankUser, BitsHandler, LanekassenCaseworker, Probe]


COUNTS = people(USERS)


def run_locust(base, sessions):
    from locust import events
    from locust.env import Environment
    from locust.stats import StatsEntry

    environment = Environment(user_classes=define_people(sessions), host=base, events=events)
    runner = environment.create_local_runner()
    import gevent

    runner.start(USERS, spawn_rate=max(USERS / 5, 1))
    # Measured after a warm-up (every person spawned, every worker's first requests served).
    gevent.sleep(WARMUP)
    environment.stats.reset_all()
    gevent.spawn_later(SECONDS, runner.quit)
    runner.greenlet.join()

    stats = environment.stats
    pages = StatsEntry(stats, "all pages", "")
    trivial = None
    print(f"portal under load: {USERS} people ({', '.join(f'{v} {k}' for k, v in COUNTS.items())}"
          f") for {SECONDS:.0f} s; gunicorn {WORKERS} sync workers on {os.cpu_count()} CPUs "
          "shared with the load generator")
    print(f"{'page':<48} {'requests':>8} {'fail':>5} {'p50':>6} {'p95':>6} {'p99':>6}  ms")
    for (name, method), entry in sorted(stats.entries.items()):
        print(f"{method + ' ' + name:<48} {entry.num_requests:>8} {entry.num_failures:>5} "
              f"{entry.get_response_time_percentile(0.5):>6.0f} "
              f"{entry.get_response_time_percentile(0.95):>6.0f} "
              f"{entry.get_response_time_percentile(0.99):>6.0f}")
        if name.endswith("(trivial)"):
            trivial = entry
        else:
            pages.extend(entry)
    total = stats.total
    print(f"{'all pages':<48} {pages.num_requests:>8} {pages.num_failures:>5} "
          f"{pages.get_response_time_percentile(0.5):>6.0f} "
          f"{pages.get_response_time_percentile(0.95):>6.0f} "
          f"{pages.get_response_time_percentile(0.99):>6.0f}")
    rps = total.num_requests / max(total.last_request_timestamp - total.start_time, 1e-9)
    print(f"throughput: {rps:.1f} requests/s; failures: {total.num_failures}")
    for error in stats.errors.values():
        print(f"  {error.occurrences} × {error.method} {error.name}: {error.error}")
    if trivial is None or not trivial.num_requests:
        raise SystemExit("the trivial view was never asked: no baseline")
    # Locust keeps times in whole milliseconds; the trivial view may answer in under one.
    trivial_p95 = max(trivial.get_response_time_percentile(0.95), 1)
    pages_p95 = pages.get_response_time_percentile(0.95)
    print(f"pages p95 ÷ trivial p95: {pages_p95:.0f} ms ÷ {trivial_p95:.0f} ms = "
          f"{pages_p95 / trivial_p95:.1f} × (goal < 10)")
    record("portal_load.errors", total.num_failures, "requests", None,
           requests=total.num_requests, rps=round(rps, 1))
    record("portal_load.p95", float(pages_p95), "ms", float(trivial_p95))
    return total.num_failures


def main():
    if sys.argv[1:] == ["--seed"]:
        print(json.dumps(seed(json.loads(sys.stdin.read()))))
        return
    require_postgres("portal_load")
    db_url, drop_db = bench_database(os.environ["DATABASE_URL"], "portal_load")
    env = {**os.environ, "DATABASE_URL": db_url, "DJANGO_SETTINGS_MODULE": "config.settings",
           "DEBUG": "false", "SECURE_SSL_REDIRECT": "false", "SECURE_COOKIES": "false",
           "CELERY_TASK_ALWAYS_EAGER": "false", "ALLOWED_HOSTS": "127.0.0.1",
           "LOG_LEVEL": "WARNING", "SALDO_THROTTLE_RATE": "100000000"}
    server = None
    try:
        # Locust patches the standard library for gevent when imported: after psycopg made the
        # database, before httpx (in start_gunicorn) opens a socket.
        import locust  # noqa: F401

        seeded = subprocess.run([sys.executable, __file__, "--seed"], cwd=ROOT, env=env,
                                input=json.dumps(COUNTS), capture_output=True, text=True)
        if seeded.returncode:
            raise SystemExit(f"seeding failed:\n{seeded.stderr[-4000:]}")
        sessions = json.loads(seeded.stdout.strip().splitlines()[-1])
        port = free_port()
        server = start_gunicorn(port, workers=WORKERS, health_path=TRIVIAL, env=env)
        run_locust(f"http://127.0.0.1:{port}", sessions)
    finally:
        stop_process(server)
        drop_db()


if __name__ == "__main__":
    main()
