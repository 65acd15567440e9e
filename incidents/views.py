"""Error report pages. The action, message and attachment views are the case kernel's
(`casework.views`, through the registry entry in `apps.py`); these are the list, the export,
the report form, the case page and the severity form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import is_bank_user, is_bits, is_lanekassen
from accounts.selectors import bank_organisations
from balances.selectors import lookup_log_for_request_ids
from casework.actions import actions_available
from casework.csvexport import csv_writer
from casework.errors import DomainError, form_add_domain_error
from casework.forms import MessageForm
from casework.models import Environment
from casework.queue import queue_narrow, queue_options, queue_tools, risk_tag
from casework.registry import case_type
from casework.sla import calendar_get, clock_most_at_risk, sla_targets_map
from casework.views import run_service

from . import permissions as perms
from . import selectors, services
from .actions import ACTIONS
from .forms import ErrorReportForm, FilterForm, ReclassifyForm
from .models import Severity, Status


def _organisations_for_filter(user):
    if is_bits(user) or is_lanekassen(user):
        # (id, name) pairs: the filter needs no more of 300 banks on every list page.
        return bank_organisations(user=user).values_list("pk", "name")
    return None


def _filtered(request):
    user = request.user
    form = FilterForm(request.GET or None, organisations=_organisations_for_filter(user))
    qs = selectors.incident_list_for_user(user=user)
    if form.is_bound:
        # An invalid value drops only its own filter: the search and the other filters still
        # apply, so a stale or tampered link does not turn a search or export into everything.
        form.is_valid()
        qs = selectors.incident_filter(qs, **{k: v for k, v in form.cleaned_data.items() if v})
    return form, qs


@login_required
def incident_list(request):
    user = request.user
    if not (is_bank_user(user) or is_bits(user) or is_lanekassen(user)):
        raise Http404
    form, qs = _filtered(request)
    options = queue_options(request)
    if is_bits(user):
        qs = queue_narrow(qs, options, user=user)
    if (is_bits(user) or is_lanekassen(user)) and not options.by_deadline:
        qs = selectors.IncidentQueue(qs)
    page = Paginator(qs, 25).get_page(request.GET.get("side"))
    calendar = calendar_get()
    targets = sla_targets_map(process="incident")
    now = timezone.now()
    # The choices' labels once a page: get_FOO_display() builds its choices map on every call,
    # hashing each lazy label (a translation each), three times a row.
    environments, severities = dict(Environment.choices), dict(Severity.choices)
    statuses = dict(Status.choices)
    rows = [{"report": r, "sla": selectors.incident_sla(report=r, calendar=calendar,
                                                         targets_map=targets, now=now),
             "environment": environments.get(r.environment, r.environment),
             "severity": severities.get(r.severity, r.severity),
             "status": statuses.get(r.status, r.status)}
            for r in page.object_list]
    for row in rows:
        row["risk"] = risk_tag(row["sla"])
    query = request.GET.copy()
    query.pop("side", None)
    return render(request, "incidents/list.html", {
        "form": form, "page": page, "rows": rows, "query": query.urlencode(),
        "can_report": perms.can_report(user), "can_export": perms.can_export(user),
        "is_queue": is_bits(user),
        "tools": queue_tools(request, case_type("incident"), query=query.urlencode())
        if is_bits(user) else None,
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
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = services.incident_report(
                by=request.user, environment=data["environment"], severity=data["severity"],
                occurred_at=data["occurred_at"], request_ids=data["request_ids"],
                summary=data["summary"], description=data["description"],
                files=data["attachments"],
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("Feilmeldingen er registrert som %(ref)s.") % {
                "ref": report.reference})
            return redirect(report)
    # A file input cannot be filled in again: the page says so instead of dropping them.
    return render(request, "incidents/create.html", {
        "form": form, "attachments_dropped": request.method == "POST" and bool(request.FILES)})


def detail_context(request, report, message_form=None):
    """The case page's context; the kernel's message view renders it again after a reply."""
    user = request.user
    return {
        "report": report,
        "case": report,
        "timeline": selectors.incident_timeline(report=report, user=user),
        "actions": actions_available(ACTIONS, report, user),
        "message_form": message_form or MessageForm(
            allowed_visibilities=perms.note_choices(user)),
        "can_comment": perms.can_comment(report, user),
        "can_reclassify": perms.can_reclassify(report, user),
        "reclassify_form": ReclassifyForm(initial={"severity": report.severity}),
        "sla": selectors.incident_sla(report=report, calendar=calendar_get()),
        "api_log_lines": lookup_log_for_request_ids(
            user=user, organisation=report.organisation, request_ids=report.request_ids),
        "awaiting_me": report.status == Status.AWAITING_BANK
        and perms.is_reporting_bank(report, user),
        "assign_handlers": selectors.incident_handlers(user)
        if report.is_open and perms.can_handle(report, user) else (),
        "assign_url_name": "incidents:assign",
        # After a reply in place (htmx) the facts box follows the status (a paused clock).
        "oob_template": "incidents/_facts_oob.html",
    }


@login_required
def incident_detail(request, reference):
    report = selectors.incident_get_for_user(user=request.user, reference=reference)
    return render(request, "incidents/detail.html", detail_context(request, report))


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
WAITING_LIMIT = 50


def _waiting(user):
    """The reports waiting for the viewer's side (see `templates/dashboard.html`), with their
    most pressing SLA clock for Bits."""
    side = "bits" if is_bits(user) else "lanekassen" if is_lanekassen(user) else "bank"
    reports = list(selectors.incident_list_for_user(user=user)
                   .filter(status__in=WAITING_FOR[side]).select_related("organisation")
                   .order_by("status_changed_at", "pk")[:WAITING_LIMIT])
    calendar = calendar_get() if side == "bits" and reports else None
    targets = sla_targets_map(process="incident") if calendar else None
    now = timezone.now()
    items = []
    for r in reports:
        clock = (clock_most_at_risk(selectors.incident_sla(
            report=r, calendar=calendar, targets_map=targets, now=now)) if calendar else None)
        items.append({"url": r.get_absolute_url(), "process": _("Feilmelding"),
                      "label": r.reference if side == "bank"
                      else f"{r.reference} {r.organisation.name}",
                      "text": f"{r.summary} ({r.get_status_display()})",
                      "since": r.status_changed_at, "due": clock.due if clock else None,
                      "sla": clock})
    return items


def sla_facts(report):
    """What the SLA report needs of a report (`casework.registry.CaseType.sla_facts`)."""
    return {"key": report.severity, "key_label": report.get_severity_display(),
            "first_response_at": report.first_response_at,
            "resolved_at": report.resolved_at if report.status in (
                Status.RESOLVED, Status.CLOSED) else None}
