"""Saldo API usage per bank and environment, from the lookup log's daily roll-up."""

from datetime import timedelta

from django.utils.translation import gettext as _

from accounts.permissions import is_bank_user
from accounts.selectors import bank_organisations
from balances.rollup import (
    api_keys_in_use,
    api_usage_daily,
    latency_percentile,
)
from casework.charts import Chart
from casework.models import Environment

from ..tables import Table, share


def _days(start, end):
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def bank_names(user):
    """{id: name} of the banks the user may name: every bank for Bits and Lånekassen, only its
    own for a bank user (a report never names another bank to a bank)."""
    if is_bank_user(user):
        return {user.organisation.pk: user.organisation.name}
    return {b.pk: b.name for b in bank_organisations(user=user)}


def _env_label(env):
    return dict(Environment.choices).get(env, env)


def daily_by_environment(rows, start, end):
    """Calls per day and environment and the error share per day: ({env: [calls per day]},
    {env: [errors per day]}) over every day from `start` to `end`."""
    days = _days(start, end)
    index = {d: i for i, d in enumerate(days)}
    calls = {env: [0] * len(days) for env in Environment.values}
    errors = {env: [0] * len(days) for env in Environment.values}
    for r in rows:
        i = index.get(r["day"])
        if i is None or r["environment"] not in calls:
            continue
        calls[r["environment"]][i] += r["calls"]
        if r["status"] >= 400:
            errors[r["environment"]][i] += r["calls"]
    return days, calls, errors


def api_usage_report(*, user, start, end, organisation=None):
    """Calls per day (chart, by environment), and per bank and environment: calls, the share of
    errors by status code, median and 95th-percentile latency, API keys in use."""
    rows = api_usage_daily(user=user, start=start, end=end, organisation=organisation)
    keys = api_keys_in_use(user=user, start=start, end=end, organisation=organisation)
    names = bank_names(user)
    days, calls, _errors = daily_by_environment(rows, start, end)
    chart = Chart(
        key="api-calls", title=_("API-kall per dag"), unit=_("kall"), stacked=True,
        labels=[d.strftime("%d.%m") for d in days],
        series=[(_env_label(env), calls[env]) for env in Environment.values],
        description=_("Antall kall per dag fra %(start)s til %(end)s, stablet per miljø.") % {
            "start": start.strftime("%d.%m.%Y"), "end": end.strftime("%d.%m.%Y")})
    groups = {}
    for r in rows:
        g = groups.setdefault((r["organisation_id"], r["environment"]),
                              {"calls": 0, "by_status": {}, "buckets": [0] * len(r["buckets"])})
        g["calls"] += r["calls"]
        g["by_status"][r["status"]] = g["by_status"].get(r["status"], 0) + r["calls"]
        g["buckets"] = [a + b for a, b in zip(g["buckets"], r["buckets"], strict=True)]
    error_codes = sorted({s for g in groups.values() for s in g["by_status"] if s >= 400})
    table = Table(key="api", title=_("Bruk per bank og miljø"), columns=[
        _("Bank"), _("Miljø"), _("Kall"), _("Feilandel (%)"),
        *[_("%(code)s (%%)") % {"code": code} for code in error_codes],
        _("Median svartid (ms)"), _("95-persentil svartid (ms)"), _("API-nøkler i bruk")])
    for (org_id, env), g in sorted(groups.items(), key=lambda kv: (
            names.get(kv[0][0], "~"), kv[0][1])):
        errors = sum(n for s, n in g["by_status"].items() if s >= 400)
        p50, p95 = latency_percentile(g["buckets"], 0.5), latency_percentile(g["buckets"], 0.95)
        table.rows.append([
            names.get(org_id, _("Ukjent avsender")), _env_label(env), g["calls"],
            share(errors, g["calls"]),
            *[share(g["by_status"].get(code, 0), g["calls"]) for code in error_codes],
            round(p50, 1) if p50 is not None else None,
            round(p95, 1) if p95 is not None else None,
            len(keys.get((org_id, env), ()))])
    return {"charts": [chart], "tables": [table]}
