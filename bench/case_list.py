"""Benchmark of the case lists against a peer: django-helpdesk's staff ticket list.

`make bench` runs it inside scripts/testenv.py (throw-away PostgreSQL and Redis):

    uvr python scripts/testenv.py -- uvr python bench/case_list.py

1. makes a database of its own on that server (never the tests' one), migrates it, and seeds
   300 banks, Bits, Lånekassen and 10,000 error reports with bulk_create: over two years, most
   of them closed, the open ones spread over every status, about a tenth escalated to
   Lånekassen, a few large banks and many small ones;
2. counts the SQL queries of each page in-process (Django's test client and
   CaptureQueriesContext): Bits' queue, Lånekassen's list of escalated reports and one bank's
   own list (the bank with the most reports), each as its first page and as a filtered search
   (a word, open reports only);
3. serves the portal with gunicorn (BENCH_WORKERS sync workers on 127.0.0.1) and logs in with
   sessions made with SessionStore: Bits and Lånekassen with TOTP set up (what
   accounts.middleware checks) and the session's record of the second factor, as allauth leaves
   it after the code;
4. the peer (bench/_helpdesk_peer.py): django-helpdesk from PyPI in a virtualenv of its own,
   its own database on the same server, the same 10,000 tickets (a queue per bank; the same
   titles, descriptions, times, handlers and states), the same gunicorn settings, logged in as
   a staff user; its staff ticket list measured the same way, first page and a filtered search
   (the same word, open tickets). Its list is a page and a JSON request that fills the table: a
   page view is both, one after the other, as a browser makes them (each is printed too).
   Both servers run at once and every page, ours and the peer's, is asked for in turn, round
   after round (BENCH_ROUNDS, after a few to warm up), one request at a time: on a machine
   shared with other work, both meet the same load. p50 per page;
5. prints a table and appends JSON lines (bench/_common.record): `case_list.p50` (Bits' queue,
   first page, with the peer's first page as its baseline; the goal is a ratio ≤ 0.5),
   `case_list.<page>.p50_ms` and `case_list.<page>.queries` for every page of ours and the
   peer's (`case_list.helpdesk_list.p50_ms`, ...).

BENCH_QUICK=1 (the smoke test): 200 reports, a few rounds, and no peer at all, so that it runs
fast and offline. Figures only: nothing here asserts a speed.
"""

import contextlib
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import httpx
from _common import (
    QUICK,
    bench_database,
    free_port,
    record,
    require_postgres,
    start_gunicorn,
    stop_process,
)

ROOT = Path(__file__).resolve().parent.parent
REPORTS = 200 if QUICK else int(os.environ.get("BENCH_REPORTS", "10000"))
BANKS = 300
HANDLERS = 8
ROUNDS = 10 if QUICK else int(os.environ.get("BENCH_ROUNDS", "50"))
WARMUP = 3 if QUICK else 10
WORKERS = int(os.environ.get("BENCH_WORKERS", str(max(2, os.cpu_count() or 2))))
SEARCH_WORD = "tidsavbrudd"
PAGE_SIZE = 25

SYMPTOMS = ["feil beløp", "tidsavbrudd", "500-feil", "tom respons", "treg respons",
            "ugyldig signatur", "mangler konto", "feil rentesats"]
AREAS = ["saldo", "renter", "kontoliste", "samtykke", "token", "tilgang", "API-nøkkel", "gebyr",
         "nedbetaling", "fastrente"]
OPEN_MIX = {"new": 20, "in_progress": 40, "awaiting_bank": 15, "escalated": 15, "fixed": 10}
SEVERITY_MIX = {"critical": 5, "high": 20, "normal": 50, "low": 25}
SEARCH = f"?q={SEARCH_WORD}&status=open"
# (page, persona, query string)
PAGES = [("bits_queue", "bits", ""), ("bits_queue_search", "bits", SEARCH),
         ("lanekassen_list", "lanekassen", ""), ("lanekassen_list_search", "lanekassen", SEARCH),
         ("bank_list", "bank", ""), ("bank_list_search", "bank", SEARCH)]


def tickets_spec(*, now, targets, calendar):
    """REPORTS reports as plain data, the same for the portal and the peer."""
    rng = random.Random(13)
    # A few large banks and many small ones: the largest has about 3 % of all reports.
    banks = rng.choices(range(BANKS), weights=[1 / (k + 1) ** 0.5 for k in range(BANKS)],
                        k=REPORTS)
    rows = []
    for i in range(REPORTS):
        is_open = rng.random() < 0.3
        if is_open:
            status = rng.choices(list(OPEN_MIX), list(OPEN_MIX.values()))[0]
            created = now - timedelta(minutes=rng.randint(5, 30 * 24 * 60))
        else:
            status = "closed" if rng.random() < 0.85 else "resolved"
            created = now - timedelta(minutes=rng.randint(30 * 24 * 60, 730 * 24 * 60))
        severity = rng.choices(list(SEVERITY_MIX), list(SEVERITY_MIX.values()))[0]
        first, resolution = targets[severity]
        taken = status != "new"
        symptom, area = rng.choice(SYMPTOMS), rng.choice(AREAS)
        resolved_at = min(now, created + timedelta(days=rng.randint(1, 20)))
        rows.append({
            "n": i, "bank": banks[i], "status": status, "severity": severity,
            "environment": "production" if rng.random() < 0.6 else "test",
            "handler": rng.randrange(HANDLERS) if taken else None,
            "created": created,
            "summary": f"{symptom.capitalize()} i {area}",
            "description": (f"Kallet mot {area} ga {symptom} for en låntaker. Det skjedde "
                            f"{rng.randint(1, 40)} ganger i løpet av dagen; vi har lagt ved "
                            "X-Request-Id for kallene og forventet svar."),
            "first_response_due": calendar.add(created, first),
            "resolution_due": calendar.add(created, resolution),
            "first_response_at": created + timedelta(minutes=rng.randint(10, 600))
            if taken else None,
            "escalated": status in ("escalated", "fixed") or (not is_open and rng.random() < 0.1),
            "resolved_at": None if is_open else resolved_at,
            "paused_since": now - timedelta(hours=rng.randint(1, 72))
            if status == "awaiting_bank" else None,
        })
    return rows


def page_views(views):
    """Milliseconds of each request of each page view, the pages taken in turn in every round
    (so that ours and the peer's meet the same load on a shared machine): {page: ROUNDS lists
    of per-request times}. `views`: {page: (httpx client, [its URLs, one after the other])}."""
    rounds = {name: [] for name in views}
    for n in range(WARMUP + ROUNDS):
        for name, (client, urls) in views.items():
            times = []
            for url in urls:
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{url}: HTTP {response.status_code}")
            if n >= WARMUP:
                rounds[name].append(times)
    return rounds


def p50(rounds, part=None):
    """The median page view (`part`: the median of one of its requests)."""
    return statistics.median(sum(r) if part is None else r[part] for r in rounds)


def seed():
    """Migrate and seed our database; returns (the reports as plain data, {persona: user})."""
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT,
                   check=True)
    import django

    django.setup()
    from allauth.mfa.totp.internal.auth import TOTP
    from django.db import connection
    from django.utils import timezone

    from accounts.models import Membership, Organisation, User
    from casework.sla import calendar_get, sla_targets_map
    from incidents.models import ErrorReport

    spec = tickets_spec(now=timezone.now(), targets=sla_targets_map(process="incident"),
                        calendar=calendar_get())
    banks = Organisation.objects.bulk_create(
        [Organisation(name=f"Bank {k:03d} ASA", orgnr=f"9{k:08d}") for k in range(BANKS)])
    bits = Organisation.objects.create(name="Bits AS", orgnr="816000006", kind="bits")
    lanekassen = Organisation.objects.create(name="Lånekassen", orgnr="860885406",
                                             kind="lanekassen")

    def person(email, name):
        user = User(email=email, name=name)
        user.set_unusable_password()
        return user

    reporters = User.objects.bulk_create(
        [person(f"meldar@bank-{k:03d}.example.com", f"Meldar {k:03d}") for k in range(BANKS)])
    handlers = User.objects.bulk_create(
        [person(f"behandler{j}@bits.example.com", f"Behandler {j}") for j in range(HANDLERS)])
    caseworker = User.objects.bulk_create(
        [person("saksbehandler@lanekassen.example.com", "Saksbehandler")])[0]
    Membership.objects.bulk_create(
        [Membership(user=u, organisation=b) for u, b in zip(reporters, banks, strict=True)]
        + [Membership(user=u, organisation=bits) for u in handlers]
        + [Membership(user=caseworker, organisation=lanekassen)])
    for user in (handlers[0], caseworker):
        TOTP.activate(user, "JBSWY3DPEHPK3PXP")
    ErrorReport.objects.bulk_create([
        ErrorReport(
            reference=f"FM-{r['created'].year}-{r['n'] + 1:05d}", organisation=banks[r["bank"]],
            reported_by=reporters[r["bank"]], status=r["status"], severity=r["severity"],
            environment=r["environment"], created_at=r["created"],
            occurred_at=r["created"] - timedelta(minutes=30), status_changed_at=r["created"],
            request_ids=[f"req-{r['n']:05d}-a", f"req-{r['n']:05d}-b"], summary=r["summary"],
            description=r["description"],
            assignee=handlers[r["handler"]] if r["handler"] is not None else None,
            first_response_at=r["first_response_at"], first_response_due=r["first_response_due"],
            resolution_due=r["resolution_due"],
            escalated_at=r["created"] + timedelta(hours=2) if r["escalated"] else None,
            resolved_at=r["resolved_at"],
            closed_at=r["resolved_at"] if r["status"] == "closed" else None,
            paused_since=r["paused_since"])
        for r in spec], batch_size=1000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    largest = max(range(BANKS), key=[r["bank"] for r in spec].count)
    users = {"bits": handlers[0], "lanekassen": caseworker, "bank": reporters[largest]}
    peer_data = {
        "banks": [b.name for b in banks], "reporters": [u.email for u in reporters],
        "handlers": [u.email for u in handlers], "search": SEARCH_WORD, "page_size": PAGE_SIZE,
        "tickets": [{k: v.isoformat() if isinstance(v, datetime) else v for k, v in r.items()}
                    for r in spec]}
    return spec, users, peer_data


def count_queries(users):
    """Queries per page, in-process (after one request that warms the caches)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    url = reverse("incidents:list")
    counts = {}
    for name, persona, query in PAGES:
        client = Client()
        client.force_login(users[persona])
        client.get(url + query, secure=True)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url + query, secure=True)
        assert response.status_code == 200, (name, response.status_code)
        # A full first page; a search may find fewer (a bank's own open reports with the word).
        rows = response.content.decode().count(f'href="{url}FM-')
        assert rows == PAGE_SIZE or (rows and (QUICK or query)), (name, rows)
        counts[name] = len(queries)
    return counts


def session_cookie(user, *, mfa):
    """A logged-in session, as allauth leaves it after the password (and the TOTP code)."""
    from allauth.mfa.models import Authenticator
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    records = [{"method": "password", "at": time.time(), "email": user.email}]
    if mfa:
        totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
        records.append({"method": "mfa", "at": time.time(), "id": totp.pk, "type": "totp"})
    session["account_authentication_methods"] = records
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def serve_ours(users, stack):
    """Our gunicorn (stopped by `stack`); {page: (client, [URL])}."""
    from django.db import connections
    from django.urls import reverse

    cookies = {persona: session_cookie(user, mfa=persona != "bank")
               for persona, user in users.items()}
    connections.close_all()
    port = free_port()
    # Requests come as from the deployment's proxy (X-Forwarded-Proto: https, which gunicorn
    # takes from 127.0.0.1); only the start-up probe asks over plain http, so no redirect.
    env = {**os.environ, "SECURE_SSL_REDIRECT": "false"}
    server = start_gunicorn(port, workers=WORKERS, health_path="/saldo-api/health", env=env)
    stack.callback(stop_process, server)
    url = f"http://127.0.0.1:{port}{reverse('incidents:list')}"
    views = {}
    for name, persona, query in PAGES:
        headers = {"Cookie": cookies[persona], "X-Forwarded-Proto": "https"}
        client = stack.enter_context(httpx.Client(headers=headers, timeout=30))
        views[name] = (client, [url + query])
    return views


def peer_gunicorn(python, cwd, env):
    """The peer under the same gunicorn settings as the portal; (process, base URL)."""
    port = free_port()
    server = subprocess.Popen(
        [python, "-m", "gunicorn", "django.core.wsgi:get_wsgi_application()",
         "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS), "--log-level", "warning"],
        cwd=cwd, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the peer's gunicorn exited with {server.returncode}")
        try:
            if httpx.get(f"{base}/helpdesk/login/", timeout=2).status_code == 200:
                return server, base
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    stop_process(server)
    raise SystemExit("the peer's gunicorn did not start")


def serve_peer(peer_data, server_url, stack):
    """The peer, served until `stack` closes; ({page: (client, [page URL, table URL])},
    {page: {"page": n, "data": n}} queries, versions, ticket count)."""
    import _helpdesk_peer

    url, drop = bench_database(server_url, "saldo_bench_helpdesk")
    stack.callback(drop)
    base, cookie, urls, queries, versions, tickets = stack.enter_context(_helpdesk_peer.serve(
        peer_data, database_url=url, start_server=peer_gunicorn))
    client = stack.enter_context(httpx.Client(headers={"Cookie": cookie}, timeout=30))
    views = {name: (client, [base + page, base + data]) for name, (page, data) in urls.items()}
    return views, queries, versions, tickets


def main():
    require_postgres("case_list")
    server_url = os.environ["DATABASE_URL"]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    with contextlib.ExitStack() as stack:
        url, drop = bench_database(server_url, "saldo_bench_case_list")
        stack.callback(drop)
        os.environ["DATABASE_URL"] = url
        started = time.perf_counter()
        spec, users, peer_data = seed()
        print(f"seeded {len(spec)} error reports over {BANKS} banks in "
              f"{time.perf_counter() - started:.1f} s", flush=True)
        queries = count_queries(users)
        views = serve_ours(users, stack)
        peer = None if QUICK else serve_peer(peer_data, server_url, stack)
        if peer:
            views.update(peer[0])
        rounds = page_views(views)
        from django.db import connections

        connections.close_all()
    report(rounds, queries, peer)


def report(rounds, queries, peer):
    print(f"\ngunicorn: {WORKERS} sync workers each; {ROUNDS} rounds of page views (every page "
          f"in turn, each request after the other) after {WARMUP} to warm up; "
          f"{os.cpu_count()} CPUs shared with the client")
    print(f"{'page':<26} {'p50 ms':>8} {'queries':>8} {'÷ peer p50':>11}")
    ours = {name: p50(rounds[name]) for name, _persona, _query in PAGES}
    peer_p50 = {name: p50(rounds[name]) for name in peer[0]} if peer else {}
    for name, _persona, _query in PAGES:
        peer_page = "helpdesk_list_search" if name.endswith("_search") else "helpdesk_list"
        baseline = peer_p50.get(peer_page)
        ratio = f"{ours[name] / baseline:10.2f}×" if baseline else f"{'–':>11}"
        print(f"{name:<26} {ours[name]:8.1f} {queries[name]:8d} {ratio}")
        record(f"case_list.{name}.p50_ms", ours[name], "ms", baseline)
        record(f"case_list.{name}.queries", queries[name], "queries",
               sum(peer[1][peer_page].values()) if peer else None)
    if not peer:
        print("\nBENCH_QUICK=1: the peer (django-helpdesk) is skipped.")
        return
    _views, peer_queries, versions, tickets = peer
    print(f"\n{versions}, {tickets} tickets over {BANKS} queues; a page view is the page and "
          "the JSON request that fills its table")
    for name, value in peer_p50.items():
        page_ms, data_ms = p50(rounds[name], 0), p50(rounds[name], 1)
        count = peer_queries[name]
        print(f"{name:<26} {value:8.1f} {count['page'] + count['data']:8d}   "
              f"(page {page_ms:.1f} ms, {count['page']} queries; "
              f"table {data_ms:.1f} ms, {count['data']} queries)")
        record(f"case_list.{name}.p50_ms", value, "ms", page_ms=round(page_ms, 4),
               table_ms=round(data_ms, 4))
        record(f"case_list.{name}.queries", count["page"] + count["data"], "queries")
    headline = ours["bits_queue"] / peer_p50["helpdesk_list"]
    print(f"\n{'case_list.p50':<26} {headline:8.2f}× (Bits' queue, first page, ÷ the peer's "
          "first page; goal ≤ 0.5×)")
    record("case_list.p50", ours["bits_queue"], "ms", peer_p50["helpdesk_list"])


if __name__ == "__main__":
    main()
