"""The lookup log's daily roll-up equals a direct count of the log, for every day and bank,
after the beat task and after rows that arrive late; readers are exact before the task runs."""

from datetime import datetime, time, timedelta

import pytest
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from balances.models import LookupDaily, LookupDailyKey, LookupLog
from balances.rollup import (
    api_keys_in_use,
    api_usage_daily,
    latency_percentile,
    lookup_rollup_fold,
    lookup_rollup_rebuild,
    lookup_rollup_tick,
)
from balances.tasks import lookup_rollup

pytestmark = pytest.mark.django_db


def at(day, hour=12):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def log(org, day, *, status=200, latency=30.0, env="production", key="k1", hour=12):
    return LookupLog.objects.create(organisation=org, created_at=at(day, hour), environment=env,
                                    request_id=f"r-{LookupLog.objects.count()}", status=status,
                                    latency_ms=latency, api_key_prefix=key)


def direct_counts():
    rows = (LookupLog.objects.annotate(d=TruncDate("created_at",
                                                    tzinfo=timezone.get_default_timezone()))
            .values("d", "organisation_id", "environment", "status").annotate(n=Count("pk")))
    return {(r["d"], r["organisation_id"], r["environment"], r["status"]): r["n"] for r in rows}


def rollup_counts():
    return {(r.day, r.organisation_id, r.environment, r.status): r.calls
            for r in LookupDaily.objects.all()}


def seed(bank, other_bank):
    today = timezone.localdate()
    for i in range(5):
        day = today - timedelta(days=i)
        log(bank, day)
        log(bank, day, status=401, latency=12)
        log(other_bank, day, env="test", status=500, latency=700, key="k2")
    # Late in the evening in Oslo: a UTC date would put it on the next day.
    log(bank, today - timedelta(days=2), hour=23)
    return today


def test_rollup_equals_a_direct_count_for_every_day_and_bank_after_the_task(bank, other_bank):
    seed(bank, other_bank)
    lookup_rollup.delay()
    assert rollup_counts() == direct_counts()
    assert sum(rollup_counts().values()) == LookupLog.objects.count() == 16


def test_late_rows_are_counted_on_their_own_day_at_the_next_run(bank, other_bank):
    today = seed(bank, other_bank)
    lookup_rollup_tick()
    # Calls logged now for days already folded (a buffered batch arriving late).
    log(bank, today - timedelta(days=4), status=503)
    log(other_bank, today - timedelta(days=30))
    log(bank, today - timedelta(days=1))
    lookup_rollup_tick()
    assert rollup_counts() == direct_counts()


def test_readers_count_rows_not_yet_folded_so_today_is_exact(bank, other_bank, bits_user):
    today = seed(bank, other_bank)
    lookup_rollup_fold()
    log(bank, today, status=500)
    log(bank, today)
    rows = api_usage_daily(user=bits_user, start=today, end=today)
    got = {(r["organisation_id"], r["environment"], r["status"]): r["calls"] for r in rows}
    assert got == {(bank.pk, "production", 200): 2, (bank.pk, "production", 401): 1,
                   (bank.pk, "production", 500): 1, (other_bank.pk, "test", 500): 1}


def test_a_fold_and_a_rebuild_of_the_same_day_do_not_count_twice(bank, other_bank):
    today = seed(bank, other_bank)
    lookup_rollup_fold()
    lookup_rollup_rebuild(day=today - timedelta(days=1))
    lookup_rollup_fold()
    assert rollup_counts() == direct_counts()


def test_a_bank_counts_only_its_own_calls(bank, other_bank, bank_member):
    today = seed(bank, other_bank)
    lookup_rollup_tick()
    rows = api_usage_daily(user=bank_member, start=today - timedelta(days=10), end=today)
    assert {r["organisation_id"] for r in rows} == {bank.pk}
    keys = api_keys_in_use(user=bank_member, start=today - timedelta(days=10), end=today)
    assert keys == {(bank.pk, "production"): {"k1"}}


def test_distinct_keys_over_a_range_come_from_the_key_rollup(bank, other_bank, bits_user):
    today = seed(bank, other_bank)
    log(bank, today, key="k3")
    lookup_rollup_tick()
    assert LookupDailyKey.objects.filter(organisation=bank).count() == 6
    keys = api_keys_in_use(user=bits_user, start=today - timedelta(days=10), end=today)
    assert keys[(bank.pk, "production")] == {"k1", "k3"}


def test_latency_percentiles_from_the_histogram_are_interpolated_in_their_bucket():
    # Buckets: <10, <25, <50, ...: ten calls between 25 and 50 ms.
    histogram = [0, 0, 10] + [0] * 8
    assert latency_percentile(histogram, 0.5) == 37.5
    assert latency_percentile(histogram, 0.95) == pytest.approx(48.75)
    assert latency_percentile([0] * 11, 0.5) is None
    assert latency_percentile([0] * 10 + [3], 0.5) == 10000.0

