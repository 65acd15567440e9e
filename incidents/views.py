"""Error report pages. The case page and its action, message and attachment views are the case
kernel's (`casework.views`, through the registry entry in `apps.py`); these are the list, the
export, the report form, the case page's context and the severity form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import is_bank_user, is_bits, is_lanekassen
from balances.selectors import lookup_log_for_request_ids
from casework.csvexport import csv_writer
from casework.models import Environment
from casework.queue import case_list_filtered
from casework.registry import case_type
from casework.slacase import sla_list_page, sla_waiting
from casework.views import case_form_open, run_service, sla_case_context

from . import permissions as perms
from . import selectors, services
from .forms import ErrorReportForm, FilterForm, ReclassifyForm
from .models import Severity, Status


def _filtered(request):
    return case_list_filtered(request, form_class=FilterForm,
                              qs=selectors.incident_list_for_user(user=request.user),
                              narrow=selectors.incident_filter)


@login_required
def incident_list(request):
    user = request.user
    if not (is_bank_user(user) or is_bits(user) or is_lanekassen(user)):
        raise Http404
    form, qs = _filtered(request)
    listing = sla_list_page(request, qs, case_type("incident"))
    # The choices' labels once a page: get_FOO_display() builds its choices map on every call,
    # hashing each lazy label (a translation each), three times a row.
    environments, severities = dict(Environment.choices), dict(Severity.choices)
    statuses = dict(Status.choices)
    for row in listing["rows"]:
        r = row["case"]
        row.update(environment=environments.get(r.environment, r.environment),
                   severity=severities.get(r.severity, r.severity),
                   status=statuses.get(r.status, r.status))
    return render(request, "incidents/list.html", {
        **listing, "form": form,
        "can_report": perms.can_report(user), "can_export": perms.can_export(user),
    })


@login_required
def incident_export(request):
    if not perms.can_export(request.user):
        raise Http404
    _form, qs = _filtered(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="feilmeldinger.csv"'
    response.write("\ufeff")  # so that Excel reads the file as UTF-8
    writer = csv_writer(response)
    writer.writerow([_("Referanse"), _("Bank"), _("Miljø"), _("Alvorlighet"), _("Status"),
                     _("Sammendrag"), _("Meldt"), _("Første respons"), _("Løst"),
                     _("Saksbehandler"), _("X-Request-Id")])
    for r in qs.order_by("created_at").iterator(chunk_size=500):
        writer.writerow([
            r.reference, r.organisation.name, r.get_environment_display(),
            r.get_severity_display(), r.get_status_display(), r.summary,
            timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M"),
            r.first_response_at and timezone.localtime(r.first_response_at).strftime(
                "%Y-%m-%d %H:%M"),
            r.resolved_at and timezone.localtime(r.resolved_at).strftime("%Y-%m-%d %H:%M"),
            r.assignee.email if r.assignee else "", " ".join(r.request_ids),
        ])
    return response


@login_required
def incident_create(request):
    if not perms.can_report(request.user):
        raise Http404
    # From a failing call on the bank's API page: its X-Request-Id, environment and time.
    initial = {key: request.GET[key][:100] for key in (
        "request_id", "environment", "occurred_at") if request.GET.get(key)}
    if "request_id" in initial:
        initial["request_ids"] = initial.pop("request_id")
    form = ErrorReportForm(request.POST or None, request.FILES or None, initial=initial)
    done, context = case_form_open(
        request, form, created=_("Feilmeldingen er registrert som %(ref)s."),
        open_case=lambda data: services.incident_report(
            by=request.user, environment=data["environment"], severity=data["severity"],
            occurred_at=data["occurred_at"], request_ids=data["request_ids"],
            summary=data["summary"], description=data["description"],
            files=data["attachments"]))
    return done or render(request, "incidents/create.html", context)


def detail_context(request, report, message_form=None):
    """The case page's context; the kernel's message view renders it again after a reply."""
    user = request.user
    return {
        **sla_case_context(request, report, can_comment=perms.can_comment,
                           message_form=message_form),
        "report": report,
        "can_reclassify": perms.can_reclassify(report, user),
        "reclassify_form": ReclassifyForm(initial={"severity": report.severity}),
        "api_log_lines": lookup_log_for_request_ids(
            user=user, organisation=report.organisation, request_ids=report.request_ids),
        # After a reply in place (htmx) the facts box follows the status (a paused clock).
        "oob_template": "incidents/_facts_oob.html",
    }


@login_required
@require_POST
def incident_reclassify(request, reference):
    report = selectors.incident_get_for_user(user=request.user, reference=reference)
    form = ReclassifyForm(request.POST)
    if form.is_valid():
        run_service(request, lambda: services.incident_reclassify(
            report=report, by=request.user, severity=form.cleaned_data["severity"],
            reason=form.cleaned_data["reason"]), success=_("Alvorlighetsgraden er oppdatert."))
    else:
        messages.error(request, _("Velg en gyldig alvorlighetsgrad."))
    return redirect(report)


def event_detail(event):
    """The timeline's detail of a severity change: "Høy → Kritisk"."""
    if event.verb != "reclassified":
        return ""
    labels = dict(Severity.choices)
    old, new = event.data.get("from"), event.data.get("to")
    return f"{labels.get(old, old)} → {labels.get(new, new)}"


def home_panel(request):
    """The error reports' part of the home page (see `templates/dashboard.html` for the
    shape): open reports, what waits for the viewer's side, a button to report, the latest."""
    user = request.user
    if not (is_bank_user(user) or is_bits(user) or is_lanekassen(user)):
        return None
    overview = selectors.incident_overview(user=user)
    url = reverse("incidents:list")
    cards = [{"key": "open", "title": _("Åpne feilmeldinger"), "count": overview["open"],
              "url": f"{url}?status=open", "link_label": _("Se feilmeldinger")}]
    if "new" in overview:
        cards.append({"key": "new", "title": _("Nye i køen"), "count": overview["new"],
                      "url": url, "link_label": _("Åpne køen")})
    if "escalated" in overview:
        cards.append({"key": "escalated", "title": _("Eskalert til Lånekassen"),
                      "count": overview["escalated"], "url": f"{url}?status=escalated",
                      "link_label": _("Se eskalerte saker")})
    if "awaiting_bank" in overview:
        cards.append({"key": "awaiting_bank", "title": _("Venter på svar fra dere"),
                      "count": overview["awaiting_bank"], "url": f"{url}?status=awaiting_bank",
                      "link_label": _("Se sakene")})
    if perms.can_report(user):
        cards.append({"key": "report", "title": _("Noe virker ikke?"),
                      "url": reverse("incidents:create"), "link_label": _("Meld en feil"),
                      "button": True})
    return {
        "key": "incident", "cards": cards, "items_title": _("Siste feilmeldinger"),
        "items": [{"url": r.get_absolute_url(), "label": r.reference,
                   "text": f"{r.summary} ({r.get_status_display()})"}
                  for r in overview["recent"]],
        "waiting": _waiting(user),
    }


# Whose move each status is: what the home page lists as waiting for the viewer's side.
WAITING_FOR = {"bank": [Status.AWAITING_BANK, Status.RESOLVED],
               "bits": [Status.NEW, Status.IN_PROGRESS, Status.FIXED],
               "lanekassen": [Status.ESCALATED]}


def _waiting(user):
    """The reports waiting for the viewer's side, with their most pressing SLA clock for Bits."""
    return sla_waiting(selectors.incident_list_for_user(user=user), user=user,
                       waiting_for=WAITING_FOR, process_label=_("Feilmelding"))
