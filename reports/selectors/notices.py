"""Acknowledgement of notices (per notice and per bank) and questions the FAQ answered."""

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _

from accounts.models import Organisation
from casework.charts import Chart
from casework.registry import case_types
from notifications.models import Acknowledgement
from questions.selectors import deflection_counts

from ..tables import Table, median, share
from .api import bank_names
from .cases import _bounds, _months


def notices_report(*, user, start, end):
    """For the notices published in the period that asked for acknowledgement: how many banks
    were asked, how many acknowledged, and the time they took (hours), per notice and per
    bank."""
    ct = next((c for c in case_types() if c.key == "notice"), None)
    if ct is None:
        return {"charts": [], "tables": []}
    since, until = _bounds(start, end)
    notices = {n.pk: n for n in ct.list_for_user(user=user).filter(
        published_at__gte=since, published_at__lt=until, requires_ack=True)}
    names = bank_names(user)
    acks = list(Acknowledgement.objects.filter(
        subject_type=ContentType.objects.get_for_model(ct.model), subject_id__in=list(notices),
        organisation__kind=Organisation.Kind.BANK).values_list(
            "subject_id", "organisation_id", "requested_at", "acknowledged_at"))
    per_notice, per_bank = {}, {}
    for subject_id, org_id, asked, answered in acks:
        for groups, key in ((per_notice, subject_id), (per_bank, org_id)):
            g = groups.setdefault(key, {"asked": 0, "hours": []})
            g["asked"] += 1
            if answered:
                g["hours"].append(round((answered - asked).total_seconds() / 3600, 1))
    columns = [_("Bedt om"), _("Bekreftet"), _("Andel bekreftet (%)"),
               _("Median tid til bekreftelse (timer)"), _("Lengst (timer)")]

    def figures(g):
        return [g["asked"], len(g["hours"]), share(len(g["hours"]), g["asked"]),
                median(g["hours"]), max(g["hours"]) if g["hours"] else None]

    by_notice = Table(key="notices", title=_("Per driftsmelding"),
                      columns=[_("Driftsmelding"), _("Publisert"), *columns])
    ordered = sorted(notices.values(), key=lambda n: (n.published_at, n.pk))
    for n in ordered:
        g = per_notice.get(n.pk, {"asked": 0, "hours": []})
        by_notice.rows.append([f"{n.reference}: {n.title}", n.published_at.date(), *figures(g)])
    by_bank = Table(key="banks", title=_("Per bank"), columns=[_("Bank"), *columns])
    for org_id, g in sorted(per_bank.items(), key=lambda kv: names.get(kv[0], "")):
        if org_id in names:
            by_bank.rows.append([names[org_id], *figures(g)])
    chart = Chart(key="notices", title=_("Andel banker som har bekreftet, per driftsmelding"),
                  unit="%", labels=[n.reference for n in ordered],
                  series=[(_("Bekreftet"), [share(len(per_notice.get(n.pk, {}).get("hours", [])),
                                                  per_notice.get(n.pk, {}).get("asked", 0))
                                            for n in ordered])])
    return {"charts": [chart], "tables": [by_notice, by_bank]}


def deflections_report(*, user, start, end):
    """Questions the FAQ answered before they were asked, per month and bank."""
    since, until = _bounds(start, end)
    counts = deflection_counts(user=user, since=since, until=until)
    names = bank_names(user)
    months = _months(start, end)
    chart = Chart(key="deflections", title=_("Spørsmål besvart av FAQ per måned"),
                  unit=_("spørsmål"), labels=months,
                  series=[(_("Besvart av FAQ"), [
                      sum(n for (m, _org), n in counts.items() if m == month)
                      for month in months])])
    table = Table(key="deflections", title=_("Spørsmål besvart av FAQ per måned og bank"),
                  columns=[_("Måned"), _("Bank"), _("Spørsmål")])
    for (month, org_id), n in sorted(counts.items(), key=lambda kv: (
            kv[0][0], names.get(kv[0][1], ""))):
        table.rows.append([month, names.get(org_id, "–"), n])
    return {"charts": [chart], "tables": [table]}
