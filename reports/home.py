"""The home page's "what needs me": one queue across every process, and the items that are no
case type's (API keys, contact points, acknowledgements, the bank's API traffic).

Each case type's home panel (`casework.registry.home_panels`) may carry `waiting`: items
{url, process, label, text, since, due, sla} for the viewer's side. `home_queue` puts them in
one list: for Bits by SLA risk (breached, at risk, on track), then by deadline, then by age.
"""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import is_bank_user, is_bits, is_org_admin
from accounts.selectors import (
    contact_point_is_overdue,
    contact_points_for_organisation,
    contact_points_overdue_organisations,
)
from balances.rollup import api_usage_daily
from balances.selectors import api_keys_expiring
from casework.charts import Chart
from casework.sla import RISK_ORDER
from notifications.selectors import acknowledgements_overdue_organisations

from .selectors.api import daily_by_environment

# An API key in its rotation grace shows on the bank's home page this long before it stops.
KEY_WARNING = timedelta(days=14)
TRAFFIC_DAYS = 7


def _order(item):
    sla = item.get("sla")
    far = timezone.now() + timedelta(days=36500)
    return (RISK_ORDER.get(sla.state, 8) if sla else 9, item.get("due") or far,
            item.get("since") or far)


def home_queue(panels, extra=()):
    items = [item for panel in panels for item in panel.get("waiting", ())]
    items.extend(extra)
    return sorted(items, key=_order)


def home_extra_items(user, *, now=None):
    """Items that are no case type's: for a bank, API keys nearing the end of their grace and
    (for its admin) contact points due for re-confirmation; for Bits, the banks overdue on
    contact points or on acknowledgements."""
    now = now or timezone.now()
    items = []
    if is_bank_user(user):
        organisation = user.organisation
        for key in api_keys_expiring(organisation=organisation, within=KEY_WARNING, now=now):
            items.append({
                "url": reverse("onboarding:keys"), "process": _("API-nøkkel"),
                "label": _("Nøkkel %(prefix)s… (%(env)s) slutter å virke") % {
                    "prefix": key.prefix, "env": key.get_environment_display()},
                "text": _("roteringens overgangstid slutter %(t)s") % {
                    "t": timezone.localtime(key.expires_at).strftime("%d.%m.%Y %H:%M")},
                "since": key.created_at, "due": key.expires_at, "sla": None})
        if is_org_admin(user):
            due = [cp for cp in contact_points_for_organisation(organisation=organisation)
                   if contact_point_is_overdue(cp, now)]
            if due:
                items.append({
                    "url": reverse("accounts:contact_points"), "process": _("Kontaktpunkter"),
                    "label": _("Bekreft kontaktpunktene"),
                    "text": ", ".join(f"{cp.get_kind_display()}: {cp.name}" for cp in due),
                    "since": min((cp.confirmed_at for cp in due if cp.confirmed_at),
                                 default=None), "due": None, "sla": None})
    if is_bits(user):
        for org in contact_points_overdue_organisations(now=now):
            items.append({
                "url": reverse("onboarding:contact_points_overdue"),
                "process": _("Kontaktpunkter"), "label": org.name,
                "text": _("kontaktpunkter ikke bekreftet på 12 måneder"),
                "since": org.oldest_confirmation, "due": None, "sla": None})
        for org, oldest in acknowledgements_overdue_organisations():
            items.append({
                "url": reverse("notices:list"), "process": _("Bekreftelser"),
                "label": org.name, "text": _("har ikke bekreftet etter påminnelse"),
                "since": oldest, "due": None, "sla": None})
    return items


def api_traffic(user, *, today=None):
    """A bank's calls in the last seven days: a chart by environment, the number of calls and
    the share of errors by status code. None for anyone but a bank user."""
    if not is_bank_user(user):
        return None
    end = today or timezone.localdate()
    start = end - timedelta(days=TRAFFIC_DAYS - 1)
    rows = api_usage_daily(user=user, start=start, end=end)
    days, calls, _errors = daily_by_environment(rows, start, end)
    total = sum(r["calls"] for r in rows)
    by_status = {}
    for r in rows:
        by_status[r["status"]] = by_status.get(r["status"], 0) + r["calls"]
    errors = [{"status": s, "calls": n, "share": round(100 * n / total, 1)}
              for s, n in sorted(by_status.items()) if s >= 400]
    chart = Chart(key="home-api", title=_("API-kall de siste 7 dagene"), unit=_("kall"),
                  stacked=True, labels=[d.strftime("%d.%m") for d in days],
                  series=[(label, calls[env]) for env, label in (
                      ("test", _("Test")), ("production", _("Produksjon")))])
    return {"chart": chart, "calls": total, "errors": errors,
            "error_share": round(100 * sum(e["calls"] for e in errors) / total, 1)
            if total else None, "url": reverse("balances:usage")}
