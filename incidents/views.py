import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.permissions import is_bank_user, is_bits, is_lanekassen
from accounts.selectors import bank_organisations
from balances.selectors import lookup_log_for_request_ids
from casework.errors import DomainError
from casework.sla import calendar_get, sla_targets_map
from casework.views import case_action, run_service

from . import permissions as perms
from . import selectors, services
from .forms import ErrorReportForm, FilterForm, MessageForm, ReclassifyForm
from .models import Status

# The transitions a person triggers from the case page, with what each asks for.
ACTIONS = {
    "take": {"label": gettext_lazy("Ta saken"), "text": None,
             "service": lambda r, u, t: services.incident_take(report=r, by=u)},
    "request_info": {"label": gettext_lazy("Be banken om mer informasjon"),
                     "text": gettext_lazy("Hva trenger dere fra banken? (synlig for banken)"),
                     "service": lambda r, u, t: services.incident_request_info(
                         report=r, by=u, message=t)},
    "escalate": {"label": gettext_lazy("Eskaler til Lånekassen"),
                 "text": gettext_lazy("Hva skal Lånekassen se på? (internt, ikke for banken)"),
                 "service": lambda r, u, t: services.incident_escalate(report=r, by=u, note=t)},
    "mark_fixed": {"label": gettext_lazy("Marker som rettet"),
                   "text": gettext_lazy("Hva er rettet? (til Bits, ikke for banken)"),
                   "service": lambda r, u, t: services.incident_mark_fixed(
                       report=r, by=u, explanation=t)},
    "resolve": {"label": gettext_lazy("Løs saken"),
                "text": gettext_lazy("Løsning og veiledning til banken"),
                "service": lambda r, u, t: services.incident_resolve(report=r, by=u, guidance=t)},
    "confirm": {"label": gettext_lazy("Bekreft at feilen er løst"), "text": None,
                "service": lambda r, u, t: services.incident_confirm(report=r, by=u)},
    "reopen": {"label": gettext_lazy("Gjenåpne saken"),
               "text": gettext_lazy("Hvorfor er feilen ikke løst?"),
               "service": lambda r, u, t: services.incident_reopen(report=r, by=u, reason=t)},
}


def _available_actions(report, user):
    names = {t.name for t in report.get_available_user_status_transitions(user)}
    return [{"name": n, **meta} for n, meta in ACTIONS.items() if n in names]


def _organisations_for_filter(user):
    if is_bits(user) or is_lanekassen(user):
        return bank_organisations(user=user)
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
    if is_bits(user) or is_lanekassen(user):
        qs = selectors.incident_queue_order(qs)
    page = Paginator(qs, 25).get_page(request.GET.get("side"))
    calendar = calendar_get()
    targets = sla_targets_map(process="incident")
    now = timezone.now()
    rows = [{"report": r, "sla": selectors.incident_sla(report=r, calendar=calendar,
                                                         targets_map=targets, now=now)}
            for r in page.object_list]
    query = request.GET.copy()
    query.pop("side", None)
    return render(request, "incidents/list.html", {
        "form": form, "page": page, "rows": rows, "query": query.urlencode(),
        "can_report": perms.can_report(user), "can_export": perms.can_export(user),
        "is_queue": is_bits(user),
    })


@login_required
def incident_export(request):
    if not perms.can_export(request.user):
        raise Http404
    _form, qs = _filtered(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="feilmeldinger.csv"'
    response.write("\ufeff")  # so that Excel reads the file as UTF-8
    writer = csv.writer(response, delimiter=";")
    writer.writerow([_("Referanse"), _("Bank"), _("Miljø"), _("Alvorlighet"), _("Status"),
                     _("Sammendrag"), _("Meldt"), _("Første respons"), _("Løst"),
                     _("Saksbehandler"), _("X-Request-Id")])
    for r in qs.order_by("created_at").iterator(chunk_size=500):
        writer.writerow([
            r.reference, r.organisation.name, r.get_environment_display(),
            r.get_severity_display(), r.get_status_display(), _csv_safe(r.summary),
            timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M"),
            r.first_response_at and timezone.localtime(r.first_response_at).strftime(
                "%Y-%m-%d %H:%M"),
            r.resolved_at and timezone.localtime(r.resolved_at).strftime("%Y-%m-%d %H:%M"),
            r.assignee.email if r.assignee else "", " ".join(r.request_ids),
        ])
    return response


def _csv_safe(value):
    # Spreadsheet formula injection: a cell that starts like a formula is shown as text.
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


@login_required
def incident_create(request):
    if not perms.can_report(request.user):
        raise Http404
    form = ErrorReportForm(request.POST or None, request.FILES or None)
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
            form.add_error("attachments" if "«" in exc.message else None, exc.message)
        else:
            messages.success(request, _("Feilmeldingen er registrert som %(ref)s.") % {
                "ref": report.reference})
            return redirect(report)
    return render(request, "incidents/create.html", {"form": form})


def _detail_context(request, report, message_form=None):
    user = request.user
    return {
        "report": report,
        "timeline": selectors.incident_timeline(report=report, user=user),
        "actions": _available_actions(report, user),
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
    }


@login_required
def incident_detail(request, reference):
    report = selectors.incident_get_for_user(user=request.user, reference=reference)
    return render(request, "incidents/detail.html", _detail_context(request, report))


@login_required
@require_POST
def incident_action(request, reference, action):
    report = selectors.incident_get_for_user(user=request.user, reference=reference)
    return case_action(request, report, ACTIONS, action)


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


@login_required
@require_POST
def incident_message(request, reference):
    report = selectors.incident_get_for_user(user=request.user, reference=reference)
    form = MessageForm(request.POST, request.FILES,
                       allowed_visibilities=perms.note_choices(request.user))
    posted = False
    if form.is_valid():
        try:
            services.incident_comment(report=report, by=request.user,
                                      body=form.cleaned_data["body"],
                                      visibility=form.cleaned_data["visibility"],
                                      files=form.cleaned_data["attachments"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            posted = True
    report = selectors.incident_get_for_user(user=request.user, reference=reference)
    if request.htmx:
        context = _detail_context(request, report, None if posted else form)
        return render(request, "incidents/_conversation.html", context)
    if posted:
        messages.success(request, _("Meldingen er sendt."))
        return redirect(report)
    return render(request, "incidents/detail.html", _detail_context(request, report, form))


@login_required
def incident_attachment(request, reference, pk):
    report = selectors.incident_get_for_user(user=request.user, reference=reference)
    attachment = selectors.incident_attachment(report=report, user=request.user, pk=pk)
    return FileResponse(attachment.file.open("rb"), as_attachment=True,
                        filename=attachment.filename, content_type=attachment.mime_type)
