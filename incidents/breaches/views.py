"""Security breach pages. The action, message and attachment views are the case kernel's
(`casework.views`, through the registry entry in `incidents.apps`); these are the list, the
report forms, the case page (every opening recorded), the phase report, the notice to
Datatilsynet, the DORA classification and the printable report."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import is_bits, is_lanekassen
from balances.selectors import api_suspension_for
from casework.actions import actions_available
from casework.errors import DomainError, form_add_domain_error
from casework.forms import MessageForm
from casework.views import case_form_open

from . import permissions as perms
from . import selectors, services
from .actions import ACTIONS
from .clocks import DUE_SOON, OVERDUE, STATE_LABELS, breach_clocks
from .containment import breach_api_summary
from .forms import AuthorityForm, BreachFactsForm, BreachReportForm, DoraForm, LanekassenBreachForm
from .models import FACT_FIELDS, Status


def _may_list(user):
    return is_bits(user) or is_lanekassen(user) or perms.is_security_side(user)


@login_required
def breach_list(request):
    user = request.user
    if not _may_list(user):
        raise Http404
    show_all = request.GET.get("alle") == "1"
    rows = selectors.breach_queue(user=user, open_only=not show_all)
    for row in rows:
        # The row's mark in words (casework/_risk_tag.html), from its most pressing clock.
        states = {c["state"] for c in row["clocks"]}
        row["risk"] = ("breached" if OVERDUE in states
                       else "at_risk" if DUE_SOON in states else None)
    return render(request, "incidents/breaches/list.html", {
        "rows": rows,
        "show_all": show_all, "state_labels": STATE_LABELS,
        "can_report": perms.can_report(user),
        "can_register": perms.can_register_at_lanekassen(user),
    })


@login_required
def breach_create(request):
    user = request.user
    lanekassen = perms.can_register_at_lanekassen(user)
    if not (perms.can_report(user) or lanekassen):
        raise Http404
    form_class = LanekassenBreachForm if lanekassen else BreachReportForm
    form = form_class(request.POST or None, request.FILES or None)

    def open_case(data):
        if lanekassen:
            return services.breach_register_at_lanekassen(
                by=user, facts=form.facts(), scope=data["affected_scope"],
                environment=data["affected_environment"],
                organisations=data["affected_organisations"], files=data["attachments"])
        return services.breach_report(by=user, facts=form.facts(), files=data["attachments"])

    done, context = case_form_open(
        request, form, open_case=open_case,
        created=_("Sikkerhetsbruddet er registrert som %(ref)s."))
    return done or render(request, "incidents/breaches/create.html",
                          {**context, "lanekassen": lanekassen})


def detail_context(request, breach, message_form=None):
    """The case page's context; the kernel's message view renders it again after a reply."""
    user = request.user
    reports = list(breach.reports.all())
    clocks = breach_clocks(breach, reports)
    return {
        "breach": breach, "case": breach,
        "timeline": selectors.breach_timeline(breach=breach, user=user),
        "actions": actions_available(ACTIONS, breach, user),
        "message_form": message_form or MessageForm(
            allowed_visibilities=perms.visible_message_kinds(user)),
        "can_comment": perms.can_comment(breach, user),
        "clocks": clocks, "state_labels": STATE_LABELS,
        "versions": (versions := selectors.breach_versions(breach=breach)),
        "comparison": selectors.breach_comparison(versions),
        "can_report_phase": perms.can_submit_phase(breach, user),
        "can_record_authority": (perms.can_record_authority(breach, user)
                                 and not breach.authority_recorded),
        "authority_form": AuthorityForm(),
        "can_classify": perms.can_classify_dora(breach, user),
        "dora_form": DoraForm(),
        "api_summary": breach_api_summary(breach=breach, user=user),
        "suspension": (api_suspension_for(organisation=breach.organisation)
                       if breach.source == "bank" else None),
        "can_rotate": perms.can_rotate_keys(breach, user),
        "views": selectors.breach_views(breach=breach, user=user)[:200],
        "can_see_views": perms.can_see_views(user),
        "acknowledgements": (selectors.breach_acknowledgements(breach=breach)
                             if is_lanekassen(user) or is_bits(user) else None),
        "my_acknowledgement": selectors.breach_acknowledged_by_user_bank(breach=breach,
                                                                         user=user),
        "affected": list(breach.affected_organisations.all()),
    }


@login_required
def breach_detail(request, reference):
    breach = selectors.breach_get_for_user(user=request.user, reference=reference)
    services.breach_view_record(breach=breach, by=request.user)
    return render(request, "incidents/breaches/detail.html", detail_context(request, breach))


@login_required
def breach_phase(request, reference):
    """A new phase report: the facts as they stand now, with `fase=final` the final one."""
    user = request.user
    breach = selectors.breach_get_for_user(user=user, reference=reference)
    if not perms.can_submit_phase(breach, user):
        raise Http404
    final = request.GET.get("fase") == "final" or request.POST.get("fase") == "final"
    initial = {name: getattr(breach, name) for name in FACT_FIELDS}
    form = BreachFactsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        service = services.breach_report_final if final else services.breach_report_intermediate
        try:
            service(breach=breach, by=user, facts=form.facts())
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("Sluttrapporten er levert.") if final
                             else _("Mellomrapporten er levert."))
            return redirect(breach)
    return render(request, "incidents/breaches/phase.html",
                  {"breach": breach, "form": form, "final": final})


@login_required
@require_POST
def breach_authority(request, reference):
    user = request.user
    breach = selectors.breach_get_for_user(user=user, reference=reference)
    form = AuthorityForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.breach_authority_record(
                breach=breach, by=user, notified=data["notified"], at=data["notified_at"],
                reference=data["reference"], reason=data["reason"],
                delay_reason=data["delay_reason"])
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("Meldingen til Datatilsynet er registrert."))
            return redirect(breach)
    context = detail_context(request, breach)
    context["authority_form"] = form
    return render(request, "incidents/breaches/detail.html", context, status=400)


@login_required
@require_POST
def breach_dora(request, reference):
    user = request.user
    breach = selectors.breach_get_for_user(user=user, reference=reference)
    form = DoraForm(request.POST)
    if form.is_valid():
        try:
            services.breach_dora_classify(breach=breach, by=user,
                                          classified_at=form.cleaned_data["classified_at"])
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("Klassifiseringen er registrert."))
            return redirect(breach)
    context = detail_context(request, breach)
    context["dora_form"] = form
    return render(request, "incidents/breaches/detail.html", context, status=400)


@login_required
def breach_print(request, reference):
    """The report in the order of Datatilsynet's form, for printing."""
    breach = selectors.breach_get_for_user(user=request.user, reference=reference)
    services.breach_view_record(breach=breach, by=request.user)
    return render(request, "incidents/breaches/print.html", {
        "breach": breach, "versions": selectors.breach_versions(breach=breach),
        "affected": list(breach.affected_organisations.all()), "now": timezone.now()})


def event_detail(event):
    """The timeline's detail: the figure recorded from the API log, the phase."""
    if event.verb == "lookup_figure_recorded":
        return _("%(n)s personer") % {"n": event.data.get("persons")}
    return ""


def home_panel(request):
    """Open breaches with their next deadline, for those who may see them (see
    `templates/dashboard.html` for the shape)."""
    user = request.user
    if not _may_list(user):
        return None
    rows = selectors.breach_queue(user=user)
    url = reverse("incidents:breach_list")
    cards = [{"key": "open", "title": _("Åpne sikkerhetsbrudd"), "count": len(rows),
              "url": url, "link_label": _("Se sikkerhetsbrudd")}]
    if is_lanekassen(user):
        waiting = sum(1 for r in rows if r["breach"].status == Status.REPORTED)
        cards.append({"key": "unconfirmed", "title": _("Venter på mottaksbekreftelse"),
                      "count": waiting, "url": url, "link_label": _("Se sikkerhetsbrudd")})
    if perms.can_report(user) or perms.can_register_at_lanekassen(user):
        cards.append({"key": "report", "title": _("Sikkerhetsbrudd?"),
                      "url": reverse("incidents:breach_create"),
                      "link_label": _("Meld sikkerhetsbrudd"), "button": True})

    def text(row):
        due = row["next_due"]
        when = (_("neste frist %(t)s") % {"t": timezone.localtime(due).strftime(
            "%d.%m.%Y %H:%M")}) if due else _("ingen åpne frister")
        return f"{row['breach'].get_status_display()}, {when}"

    # Lånekassen's queue on the home page: every open breach with its next legal deadline.
    waiting = [{"url": r["breach"].get_absolute_url(), "process": _("Sikkerhetsbrudd"),
                "label": f"{r['breach'].reference} {r['breach'].organisation.name}",
                "text": text(r), "since": r["breach"].status_changed_at, "due": r["next_due"],
                "sla": None} for r in rows] if is_lanekassen(user) else []
    return {"key": "breach", "cards": cards, "items_title": _("Åpne sikkerhetsbrudd"),
            "items": [{"url": r["breach"].get_absolute_url(), "label": r["breach"].reference,
                       "text": text(r)} for r in rows[:5]], "waiting": waiting}

