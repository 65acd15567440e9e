"""Reports on cases, read through each case type's user-scoped selector in the registry: SLA
compliance, volume per bank and process, the onboarding funnel and the change-request
pipeline."""

from datetime import datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.charts import Chart
from casework.models import AuditEvent
from casework.registry import case_types
from casework.sla import calendar_get, sla_targets_map

from ..tables import Table, median, nearest_rank, share
from .api import bank_names


def _bounds(start, end):
    return (timezone.make_aware(datetime.combine(start, time.min)),
            timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min)))


def _month(moment):
    return timezone.localtime(moment).strftime("%Y-%m")


def _months(start, end):
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04}-{month:02}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _hours(delta):
    return round(delta.total_seconds() / 3600, 2)


def _bank_cases(ct):
    """Case types whose cases belong to a bank (notices are not)."""
    return any(f.name == "organisation" for f in ct.model._meta.get_fields())


def sla_report(*, user, start, end, calendar=None):
    """Per month of opening, process and severity/category: cases, first response and
    resolution within target, and median and 90th-percentile times in opening hours (the time
    the clock stood still while waiting for the bank not counted)."""
    calendar = calendar or calendar_get()
    since, until = _bounds(start, end)
    groups = {}
    for ct in case_types():
        if not ct.sla_process or ct.sla_facts is None:
            continue
        targets = sla_targets_map(process=ct.sla_process)
        cases = ct.list_for_user(user=user).filter(created_at__gte=since, created_at__lt=until)
        for case in cases.order_by("created_at", "pk"):
            facts = ct.sla_facts(case)
            target = targets.get(facts["key"])
            g = groups.setdefault((_month(case.created_at), str(ct.label_plural),
                                   str(facts["key_label"])), {
                "cases": 0, "first": [], "first_ok": 0, "resolution": [], "resolution_ok": 0})
            g["cases"] += 1
            if facts["first_response_at"]:
                took = calendar.between(case.created_at, facts["first_response_at"])
                g["first"].append(_hours(took))
                g["first_ok"] += bool(target and took <= target[0])
            if facts["resolved_at"]:
                took = (calendar.between(case.created_at, facts["resolved_at"])
                        - timedelta(seconds=case.paused_seconds))
                took = max(took, timedelta(0))
                g["resolution"].append(_hours(took))
                g["resolution_ok"] += bool(target and took <= target[1])
    table = Table(key="sla", title=_("SLA per måned, prosess og alvorlighet/kategori"), columns=[
        _("Måned"), _("Prosess"), _("Alvorlighet/kategori"), _("Saker"),
        _("Første respons innen mål"), _("Første respons innen mål (%)"),
        _("Median første respons (timer)"), _("90-persentil første respons (timer)"),
        _("Løst innen mål"), _("Løst innen mål (%)"),
        _("Median løsning (timer)"), _("90-persentil løsning (timer)")])
    for key in sorted(groups):
        g = groups[key]
        table.rows.append([
            *key, g["cases"], g["first_ok"], share(g["first_ok"], len(g["first"])),
            median(g["first"]), nearest_rank(g["first"], 0.9),
            g["resolution_ok"], share(g["resolution_ok"], len(g["resolution"])),
            median(g["resolution"]), nearest_rank(g["resolution"], 0.9)])
    months = _months(start, end)
    first, resolved = [], []
    for m in months:
        rows = [g for k, g in groups.items() if k[0] == m]
        first.append(share(sum(g["first_ok"] for g in rows), sum(len(g["first"]) for g in rows)))
        resolved.append(share(sum(g["resolution_ok"] for g in rows),
                              sum(len(g["resolution"]) for g in rows)))
    chart = Chart(key="sla", title=_("Andel innen SLA-mål per måned"), unit="%", labels=months,
                  series=[(_("Første respons innen mål"), first),
                          (_("Løst innen mål"), resolved)],
                  description=_("Alle prosesser med SLA samlet."))
    return {"charts": [chart], "tables": [table]}


def volume_report(*, user, start, end):
    """New cases per month, bank and process."""
    since, until = _bounds(start, end)
    names = bank_names(user)
    counts = {}
    processes = []
    for ct in case_types():
        if not _bank_cases(ct):
            continue
        processes.append(str(ct.label_plural))
        rows = (ct.list_for_user(user=user).filter(created_at__gte=since, created_at__lt=until)
                .annotate(m=TruncMonth("created_at", tzinfo=timezone.get_default_timezone()))
                .values("m", "organisation_id").annotate(n=Count("pk", distinct=True))
                .order_by())
        for row in rows:
            key = (row["m"].strftime("%Y-%m"), row["organisation_id"], str(ct.label_plural))
            counts[key] = counts.get(key, 0) + row["n"]
    months = _months(start, end)
    chart = Chart(key="volume", title=_("Nye saker per måned og prosess"), unit=_("saker"),
                  stacked=True, labels=months,
                  series=[(p, [sum(n for k, n in counts.items() if k[0] == m and k[2] == p)
                               for m in months]) for p in processes])
    table = Table(key="volume", title=_("Nye saker per måned, bank og prosess"),
                  columns=[_("Måned"), _("Bank"), _("Prosess"), _("Saker")])
    for (month, org_id, process), n in sorted(counts.items(), key=lambda kv: (
            kv[0][0], names.get(kv[0][1], ""), kv[0][2])):
        table.rows.append([month, names.get(org_id, _("Lånekassen")), process, n])
    return {"charts": [chart], "tables": [table]}


def _status_durations(ct, case_ids, since, until):
    """{status: [days spent]} for the stays in a status that ended in [since, until), read
    from the audit events' from/to states (one query)."""
    events = (AuditEvent.objects.filter(content_type=ContentType.objects.get_for_model(ct.model),
                                        object_id__in=case_ids)
              .exclude(to_state="").order_by("object_id", "created_at", "pk")
              .values_list("object_id", "from_state", "to_state", "created_at"))
    durations, entered = {}, {}
    for object_id, from_state, to_state, at in events:
        if from_state == to_state:
            continue
        began = entered.get(object_id)
        if began and began[0] == from_state and since <= at < until:
            durations.setdefault(from_state, []).append(
                round((at - began[1]).total_seconds() / 86400, 1))
        entered[object_id] = (to_state, at)
    return durations


def funnel_report(*, user, start, end):
    """The onboarding funnel: banks in each status now, and for the stays in a status that
    ended in the period the median and slowest number of days."""
    ct = next((c for c in case_types() if c.key == "onboarding"), None)
    if ct is None:
        return {"charts": [], "tables": []}
    since, until = _bounds(start, end)
    cases = ct.list_for_user(user=user).filter(created_at__lt=until)
    now_in = dict(cases.values_list("status").annotate(n=Count("pk")).order_by())
    durations = _status_durations(ct, cases.values("pk"), since, until)
    statuses = [value for value, _label in ct.model._meta.get_field("status").flatchoices]
    table = Table(key="funnel", title=_("Onboarding: banker per steg og tid per steg"), columns=[
        _("Steg"), _("Banker nå"), _("Fullførte opphold i perioden"), _("Median (dager)"),
        _("Lengst (dager)")])
    for status in statuses:
        spent = durations.get(status, [])
        table.rows.append([str(ct.status_label(status)), now_in.get(status, 0), len(spent),
                           median(spent), max(spent) if spent else None])
    chart = Chart(key="funnel", title=_("Banker i hvert steg nå"), unit=_("banker"),
                  labels=[str(i + 1) for i in range(len(statuses))],
                  series=[(_("Banker"), [now_in.get(s, 0) for s in statuses])],
                  description=_("Stegene er nummerert i rekkefølgen i tabellen."))
    return {"charts": [chart], "tables": [table]}


def pipeline_report(*, user, start, end):
    """Change requests created in the period, by status (the pipeline from submitted to in
    production)."""
    ct = next((c for c in case_types() if c.key == "changerequest"), None)
    if ct is None:
        return {"charts": [], "tables": []}
    since, until = _bounds(start, end)
    counts = dict(ct.list_for_user(user=user).filter(created_at__gte=since, created_at__lt=until)
                  .values_list("status").annotate(n=Count("pk", distinct=True)).order_by())
    statuses = [value for value, _label in ct.model._meta.get_field("status").flatchoices]
    table = Table(key="pipeline", title=_("Endringsønsker per status"),
                  columns=[_("Status"), _("Endringsønsker")],
                  rows=[[str(ct.status_label(s)), counts.get(s, 0)] for s in statuses])
    chart = Chart(key="pipeline", title=_("Endringsønsker per status"), unit=_("saker"),
                  labels=[str(i + 1) for i in range(len(statuses))],
                  series=[(_("Endringsønsker"), [counts.get(s, 0) for s in statuses])],
                  description=_("Statusene er nummerert i rekkefølgen i tabellen."))
    return {"charts": [chart], "tables": [table]}
