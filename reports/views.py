"""The reports: a date range, a chart and the same figures as a table, and CSV export
(`?format=csv&table=<key>`). Bits and Lånekassen see every report; a bank sees none of them
(its own figures are on its API page and home page)."""

from collections.abc import Callable
from typing import NamedTuple

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from accounts.permissions import is_staff_side
from accounts.selectors import bank_organisations
from casework.csvexport import csv_writer

from .forms import DateRangeForm, period
from .selectors.api import api_usage_report
from .selectors.cases import funnel_report, pipeline_report, sla_report, volume_report
from .selectors.notices import deflections_report, notices_report


class Report(NamedTuple):
    title: str
    text: str  # what it shows
    selector: Callable
    default_days: int
    by_bank: bool = False  # may be narrowed to one bank (the selector takes `organisation`)


REPORTS = {
    "sla": Report(_("SLA-oppfyllelse"), _("Første respons og løsning innen mål per måned, "
                                          "prosess og alvorlighet, med median og 90-persentil "
                                          "i åpningstid."), sla_report, 365),
    "saksmengde": Report(_("Saksmengde"), _("Nye saker per bank og prosess over tid."),
                         volume_report, 365),
    "api-bruk": Report(_("Bruk av Saldo-API"), _("Kall per dag, feilandel per statuskode, "
                                                "svartider og API-nøkler i bruk per bank og "
                                                "miljø."), api_usage_report, 30, by_bank=True),
    "onboarding": Report(_("Onboarding"), _("Banker i hvert steg og hvor lang tid stegene tok."),
                         funnel_report, 365),
    "driftsmeldinger": Report(_("Bekreftelse av driftsmeldinger"), _(
        "Andel som har bekreftet og tid til bekreftelse per driftsmelding og bank."),
        notices_report, 365),
    "faq": Report(_("Spørsmål besvart av FAQ"), _("Spørsmål bankene fant svaret på i FAQ før "
                                                 "de stilte dem."), deflections_report, 365),
    "endringsonsker": Report(_("Endringsønsker"), _("Endringsønskene i perioden etter status."),
                             pipeline_report, 365),
}


def _require_reports(user):
    if not is_staff_side(user):
        raise Http404


@login_required
def index(request):
    _require_reports(request.user)
    return render(request, "reports/index.html", {
        "reports": [{"slug": slug, "title": r.title, "text": r.text}
                    for slug, r in REPORTS.items()]})


@login_required
def report(request, slug):
    user = request.user
    _require_reports(user)
    if slug not in REPORTS:
        raise Http404
    title, text, selector, default_days, by_bank = REPORTS[slug]
    start, end = period(None, None, default_days)
    banks = bank_organisations(user=user) if by_bank else None
    form = DateRangeForm(request.GET or None, default_days=default_days, banks=banks,
                         initial={"fra": start, "til": end})
    if request.GET and not form.is_valid():
        return render(request, "reports/report.html", {
            "slug": slug, "title": title, "text": text, "form": form, "result": None},
            status=400)
    data = form.cleaned_data if form.is_bound else {"start": start, "end": end}
    kwargs = {"user": user, "start": data["start"], "end": data["end"]}
    if data.get("bank"):
        kwargs["organisation"] = data["bank"]
    result = selector(**kwargs)
    if request.GET.get("format") == "csv":
        return _csv(slug, result, request.GET.get("table"), data)
    query = request.GET.copy()
    query.pop("format", None)
    query.pop("table", None)
    query["fra"], query["til"] = data["start"].isoformat(), data["end"].isoformat()
    return render(request, "reports/report.html", {
        "slug": slug, "title": title, "text": text, "form": form, "result": result,
        "start": data["start"], "end": data["end"], "bank": data.get("bank"),
        "query": query.urlencode()})


def _csv(slug, result, table_key, data):
    tables = result["tables"]
    table = next((t for t in tables if t.key == table_key), tables[0] if tables else None)
    if table is None:
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"{slug}-{table.key}-{data['start']:%Y%m%d}-{data['end']:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")  # Excel reads the file as UTF-8 with a BOM
    writer = csv_writer(response)
    writer.writerow([str(c) for c in table.columns])
    for row in table.rows:
        writer.writerow([_cell(c) for c in row])
    return response


def _cell(value):
    if isinstance(value, float):
        return f"{value}".replace(".", ",")
    return value
