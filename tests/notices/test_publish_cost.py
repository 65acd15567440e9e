"""Publishing does constant work: one fan-out job row, whatever the number of recipients — the
recipients, the acknowledgements asked, the e-mails, notifications and webhooks are the
worker's. Publishing to 30 banks and to 3,000 costs the same queries, writing the same rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import ContactPoint, Organisation
from balances.models import ApiAccess
from notifications.models import Acknowledgement, Delivery, FanoutJob, OutboxMessage

pytestmark = pytest.mark.django_db


def banks_with_access(count, start):
    banks = Organisation.objects.bulk_create(
        [Organisation(name=f"Bank {i:04d}", orgnr=f"{700000000 + i}")
         for i in range(start, start + count)])
    ApiAccess.objects.bulk_create(
        [ApiAccess(organisation=bank, environment="production") for bank in banks])
    ContactPoint.objects.bulk_create(
        [ContactPoint(organisation=bank, kind=ContactPoint.Kind.TECHNICAL, name="Drift",
                      email=f"drift@{bank.orgnr}.example.com") for bank in banks])
    return banks


def publish(client, notice):
    """The publishing request's writes: (table, rows) of each INSERT, and the other writes."""
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("notices:action", args=[notice.reference, "publish"]))
    assert response.status_code == 302
    inserts, updates = [], []
    for query in queries:
        sql = query["sql"]
        if sql.startswith("INSERT INTO"):
            table = sql.split('"')[1]
            inserts.append((table, sql.count("), (") + 1))
        elif sql.startswith(("UPDATE", "DELETE")):
            updates.append(sql.split('"')[1])
    return len(queries), sorted(inserts), sorted(updates)


def test_publishing_to_thirty_or_three_thousand_banks_costs_the_same_queries(
        client_for, lk_user, bits_user, make_notice):
    # SQLite splits a bulk insert past 999 values into several: there, 100 banks stand in for
    # 3,000 (PostgreSQL, as `make test` runs it, takes the 3,000 in one statement).
    many = 3000 if connection.vendor == "postgresql" else 100
    client = client_for(lk_user)
    client.get(reverse("notices:list"))  # sessions, caches and content types warmed up
    banks_with_access(30, start=0)
    few = publish(client, make_notice(title="Til 30 banker"))

    banks_with_access(many - 30, start=30)
    notice = make_notice(title="Til mange banker")
    assert publish(client, notice) == few
    # One row in each table it writes to, the fan-out job among them.
    tables = [table for table, _rows in few[1]]
    assert "notifications_fanoutjob" in tables
    assert all(rows == 1 for _table, rows in few[1])

    job = FanoutJob.objects.get(title__contains="Til mange banker")
    assert len(job.organisation_ids) == many + 1  # and Bits
    # Nothing per recipient was written in the request: that is the worker's.
    assert not notice.recipients.exists()
    assert not Acknowledgement.objects.filter(notice=notice).exists()
    assert not Delivery.objects.filter(job=job).exists()
    assert not OutboxMessage.objects.filter(key__startswith=job.key).exists()
