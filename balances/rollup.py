"""The lookup log's daily roll-up: how reports and home pages count API calls without reading
the log.

The log grows with every call; the roll-up has one row per day, bank, environment and status
code (``LookupDaily``, with a latency histogram) and one per day, bank, environment and API key
(``LookupDailyKey``).

How it stays exact:
- ``lookup_rollup_fold`` (a beat task, every minute) adds the log rows with a pk above the
  watermark ``LookupRollupState.last_log_id`` and moves the watermark, under a row lock so two
  runs never count a row twice. A row that arrives late (a call logged with an old timestamp)
  has a new pk, so it is counted on the day it belongs to.
- Readers add the rows above the watermark themselves (``_since_watermark``): the figures are
  exact up to the last committed call, today included, and a reader never reads more of the log
  than what arrived since the last fold.
- Ids come from a sequence, and a transaction may commit after one with a higher id: once a day
  ``lookup_rollup_rebuild`` recounts the day before in full (up to the watermark), which picks up
  such a row.
"""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Case, Count, IntegerField, Max, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.permissions import is_bank_user, is_bits, is_lanekassen

from .models import (
    LATENCY_BUCKETS_MS,
    LookupDaily,
    LookupDailyKey,
    LookupLog,
    LookupRollupState,
)

# At most this many log rows are folded in one transaction (the first fold of a large log
# takes several runs of the task; readers add the rest meanwhile).
FOLD_BATCH = 500_000
BUCKETS = len(LATENCY_BUCKETS_MS) + 1


def _bucket_expression():
    return Case(*[When(latency_ms__lt=bound, then=Value(i))
                  for i, bound in enumerate(LATENCY_BUCKETS_MS)],
                default=Value(len(LATENCY_BUCKETS_MS)), output_field=IntegerField())


def _day_expression():
    return TruncDate("created_at", tzinfo=timezone.get_default_timezone())


def _start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _count(log_rows):
    """The log rows as ({(day, organisation id, environment, status): [calls, histogram]},
    {(day, organisation id, environment, key prefix): calls}): two grouped queries."""
    by_status = {}
    for row in (log_rows.annotate(d=_day_expression(), bucket=_bucket_expression())
                .values("d", "organisation_id", "environment", "status", "bucket")
                .annotate(n=Count("pk")).order_by()):
        key = (row["d"], row["organisation_id"], row["environment"], row["status"])
        entry = by_status.setdefault(key, [0, [0] * BUCKETS])
        entry[0] += row["n"]
        entry[1][row["bucket"]] += row["n"]
    by_key = {}
    for row in (log_rows.exclude(api_key_prefix="").annotate(d=_day_expression())
                .values("d", "organisation_id", "environment", "api_key_prefix")
                .annotate(n=Count("pk")).order_by()):
        key = (row["d"], row["organisation_id"], row["environment"], row["api_key_prefix"])
        by_key[key] = by_key.get(key, 0) + row["n"]
    return by_status, by_key


def _state_locked():
    LookupRollupState.objects.get_or_create(pk=1)
    return LookupRollupState.objects.select_for_update().get(pk=1)


def _add(by_status, by_key):
    """Add counted rows to the roll-up (rows found by their days: a handful of days)."""
    days = {k[0] for k in by_status} | {k[0] for k in by_key}
    existing = {(r.day, r.organisation_id, r.environment, r.status): r
                for r in LookupDaily.objects.filter(day__in=days)}
    new, changed = [], []
    for key, (calls, histogram) in by_status.items():
        row = existing.get(key)
        if row is None:
            new.append(LookupDaily(day=key[0], organisation_id=key[1], environment=key[2],
                                   status=key[3], calls=calls, latency_buckets=histogram))
            continue
        old = list(row.latency_buckets) + [0] * (BUCKETS - len(row.latency_buckets))
        row.calls += calls
        row.latency_buckets = [a + b for a, b in zip(old, histogram, strict=True)]
        changed.append(row)
    LookupDaily.objects.bulk_create(new, batch_size=1000)
    LookupDaily.objects.bulk_update(changed, ["calls", "latency_buckets"], batch_size=1000)
    existing_keys = {(r.day, r.organisation_id, r.environment, r.api_key_prefix): r
                     for r in LookupDailyKey.objects.filter(day__in=days)}
    new_keys, changed_keys = [], []
    for key, calls in by_key.items():
        row = existing_keys.get(key)
        if row is None:
            new_keys.append(LookupDailyKey(day=key[0], organisation_id=key[1],
                                           environment=key[2], api_key_prefix=key[3],
                                           calls=calls))
        else:
            row.calls += calls
            changed_keys.append(row)
    LookupDailyKey.objects.bulk_create(new_keys, batch_size=1000)
    LookupDailyKey.objects.bulk_update(changed_keys, ["calls"], batch_size=1000)


def lookup_rollup_fold(*, batch=FOLD_BATCH):
    """Count the log rows that arrived since the last fold into the roll-up.

    Side effects: LookupDaily and LookupDailyKey rows created or increased; the watermark moved
    to the highest pk counted. Returns the number of log rows counted.
    """
    with transaction.atomic():
        state = _state_locked()
        highest = (LookupLog.objects.filter(pk__gt=state.last_log_id)
                   .aggregate(m=Max("pk"))["m"])
        if highest is None:
            return 0
        upper = min(highest, state.last_log_id + batch)
        rows = LookupLog.objects.filter(pk__gt=state.last_log_id, pk__lte=upper)
        by_status, by_key = _count(rows)
        _add(by_status, by_key)
        state.last_log_id = upper
        state.save(update_fields=["last_log_id", "updated_at"])
        return sum(calls for calls, _histogram in by_status.values())


def lookup_rollup_rebuild(*, day: date):
    """Recount one day in full from the log (the rows up to the watermark).

    Side effects: that day's LookupDaily and LookupDailyKey rows replaced; `rebuilt_through`
    moved to `day` if it is later.
    """
    with transaction.atomic():
        state = _state_locked()
        rows = LookupLog.objects.filter(
            pk__lte=state.last_log_id, created_at__gte=_start_of_day(day),
            created_at__lt=_start_of_day(day + timedelta(days=1)))
        by_status, by_key = _count(rows)
        LookupDaily.objects.filter(day=day).delete()
        LookupDailyKey.objects.filter(day=day).delete()
        _add(by_status, by_key)
        if state.rebuilt_through is None or state.rebuilt_through < day:
            state.rebuilt_through = day
            state.save(update_fields=["rebuilt_through", "updated_at"])


def lookup_rollup_tick(*, today=None):
    """The beat task's work: fold what arrived, and once a day recount yesterday in full.

    Side effects: those of `lookup_rollup_fold` and (once a day) `lookup_rollup_rebuild`.
    """
    counted = lookup_rollup_fold()
    yesterday = (today or timezone.localdate()) - timedelta(days=1)
    state = LookupRollupState.objects.get(pk=1)
    if state.rebuilt_through is None or state.rebuilt_through < yesterday:
        lookup_rollup_rebuild(day=yesterday)
    return counted


# --- Reading it -----------------------------------------------------------------------------------


def _watermark():
    return LookupRollupState.objects.filter(pk=1).values_list("last_log_id", flat=True).first() or 0


def _since_watermark(watermark, *, start, end, organisation_ids):
    rows = LookupLog.objects.filter(pk__gt=watermark, created_at__gte=_start_of_day(start),
                                    created_at__lt=_start_of_day(end + timedelta(days=1)))
    if organisation_ids is not None:
        rows = rows.filter(organisation_id__in=organisation_ids)
    return rows


def usage_scope(user, organisation=None):
    """The banks whose calls `user` may count: None for all (Bits, Lånekassen; or [organisation]
    when they pick one), the user's own bank for a bank user, nothing for anyone else."""
    if is_bits(user) or is_lanekassen(user):
        return None if organisation is None else [organisation.pk]
    if is_bank_user(user):
        return [user.membership.organisation_id]
    return []


def api_usage_daily(*, user, start: date, end: date, organisation=None):
    """The calls `user` may count from `start` to `end` (inclusive): a list of dicts
    {day, organisation_id, environment, status, calls, buckets}, from the roll-up plus the rows
    logged since its last fold. A constant number of queries, whatever the size of the log."""
    scope = usage_scope(user, organisation)
    if scope == []:
        return []
    watermark = _watermark()
    qs = LookupDaily.objects.filter(day__gte=start, day__lte=end)
    if scope is not None:
        qs = qs.filter(organisation_id__in=scope)
    merged = {}
    for r in qs.values_list("day", "organisation_id", "environment", "status", "calls",
                            "latency_buckets"):
        key = r[:4]
        histogram = list(r[5]) + [0] * (BUCKETS - len(r[5]))
        entry = merged.setdefault(key, [0, [0] * BUCKETS])
        entry[0] += r[4]
        entry[1] = [a + b for a, b in zip(entry[1], histogram, strict=True)]
    delta, _keys = _count(_since_watermark(watermark, start=start, end=end,
                                           organisation_ids=scope))
    for key, (calls, histogram) in delta.items():
        entry = merged.setdefault(key, [0, [0] * BUCKETS])
        entry[0] += calls
        entry[1] = [a + b for a, b in zip(entry[1], histogram, strict=True)]
    return [{"day": k[0], "organisation_id": k[1], "environment": k[2], "status": k[3],
             "calls": v[0], "buckets": v[1]} for k, v in sorted(
                 merged.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0, kv[0][2], kv[0][3]))]


def api_keys_in_use(*, user, start: date, end: date, organisation=None):
    """{(organisation id, environment): set of key prefixes used from `start` to `end`}."""
    scope = usage_scope(user, organisation)
    if scope == []:
        return {}
    watermark = _watermark()
    qs = LookupDailyKey.objects.filter(day__gte=start, day__lte=end)
    if scope is not None:
        qs = qs.filter(organisation_id__in=scope)
    found = {}
    for org_id, env, prefix in qs.values_list("organisation_id", "environment",
                                              "api_key_prefix").distinct():
        found.setdefault((org_id, env), set()).add(prefix)
    for org_id, env, prefix in (_since_watermark(watermark, start=start, end=end,
                                                 organisation_ids=scope)
                                .exclude(api_key_prefix="")
                                .values_list("organisation_id", "environment", "api_key_prefix")
                                .distinct()):
        found.setdefault((org_id, env), set()).add(prefix)
    return found


def latency_percentile(histogram, share):
    """The `share` (0.5, 0.95) percentile of the latencies in `histogram`, in ms, interpolated
    linearly inside its bucket; None without calls. Above the last bound: that bound."""
    total = sum(histogram)
    if not total:
        return None
    rank = share * total
    seen = 0
    for i, count in enumerate(histogram):
        if count and seen + count >= rank:
            lower = LATENCY_BUCKETS_MS[i - 1] if i else 0
            if i >= len(LATENCY_BUCKETS_MS):
                return float(lower)
            upper = LATENCY_BUCKETS_MS[i]
            return lower + (upper - lower) * (rank - seen) / count
        seen += count
    return float(LATENCY_BUCKETS_MS[-1])


def api_calls_failed_latest(*, user, organisation, limit=20):
    """The latest failing calls (status 400 and above) of `organisation`, if `user` may see
    them: the bank itself, Bits and Lånekassen. Newest first, `limit` at most."""
    scope = usage_scope(user, organisation)
    if scope == [] or (scope is not None and organisation.pk not in scope):
        return []
    return list(LookupLog.objects.filter(organisation=organisation, status__gte=400)
                .order_by("-created_at", "-pk")[:limit])
