"""The notice pages. Objects come only through selectors that take the user (404 for anyone
who may not see them); the case page's actions come from notices/actions.py and run through
the kernel's action view (`casework.views.case_action`, see urls.py)."""

import dataclasses

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from casework.actions import actions_available
from casework.errors import DomainError, form_add_domain_error
from casework.registry import linkable_get_for_user
from casework.views import run_service
from notifications.models import Delivery
from notifications.selectors import deliveries_for_job, delivery_summary

from . import feeds, selectors, services
from . import permissions as perms
from .actions import ACTIONS
from .forms import DeliveryFilterForm, FilterForm, NoticeForm, UpdateForm
from .markdown import render_markdown
from .models import Kind


def _require(predicate):
    if not predicate:
        raise Http404


@login_required
def notice_list(request):
    user = request.user
    _require(perms.can_read_notices(user))
    form = FilterForm(request.GET or None, include_unpublished=perms.can_author(user))
    qs = selectors.notice_list_for_user(user=user)
    if form.is_valid():
        qs = selectors.notice_filter(qs, **{k: v for k, v in form.cleaned_data.items() if v})
    page = Paginator(qs.order_by("-published_at", "-created_at"), 25).get_page(
        request.GET.get("side"))
    query = request.GET.copy()
    query.pop("side", None)
    return render(request, "notices/list.html", {
        "form": form, "page": page, "query": query.urlencode(),
        "can_author": perms.can_author(user),
        "pending_ack": selectors.pending_acknowledgements(user=user),
    })


def _form_context(form, notice=None, preview=None):
    return {"form": form, "notice": notice, "preview": preview,
            "kinds": Kind, "is_edit": notice is not None}


def _save_notice(request, form, notice):
    """Run what the pressed button asks for. Returns a response, or None to show the form."""
    user = request.user
    action = request.POST.get("action", "draft")
    try:
        if notice is None:
            notice = services.notice_create(by=user, **form.service_kwargs())
        else:
            notice = services.notice_edit(notice=notice, by=user, **form.service_kwargs())
    except DomainError as exc:
        form_add_domain_error(form, exc)
        return None
    try:
        if action == "publish":
            notice = services.notice_publish(notice=notice, by=user)
            messages.success(request, _("Driftsmeldingen er publisert og sendes nå til "
                                        "mottakerne."))
        elif action == "schedule":
            publish_at = form.cleaned_data.get("publish_at")
            if not publish_at:
                raise DomainError(_("Oppgi når driftsmeldingen skal publiseres."))
            notice = services.notice_schedule(notice=notice, by=user, publish_at=publish_at)
            messages.success(request, _("Driftsmeldingen publiseres %(at)s.") % {
                "at": publish_at.strftime("%d.%m.%Y %H:%M")})
        else:
            messages.success(request, _("Utkastet er lagret."))
    except DomainError as exc:
        messages.error(request, _("Lagret som utkast, men ikke publisert: %(why)s") % {
            "why": exc.message})
        return redirect("notices:edit", notice.reference)
    return redirect(notice)


@login_required
def notice_create(request):
    _require(perms.can_author(request.user))
    form = NoticeForm(request.POST or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        if request.POST.get("action") == "preview":
            preview = render_markdown(form.cleaned_data["body"])
        else:
            response = _save_notice(request, form, None)
            if response is not None:
                return response
    return render(request, "notices/form.html", _form_context(form, preview=preview))


@login_required
def notice_edit(request, reference):
    _require(perms.can_author(request.user))
    notice = selectors.notice_get_for_user(user=request.user, reference=reference)
    if not notice.is_editable:
        messages.error(request, _("En publisert driftsmelding endres ikke; legg til en "
                                  "oppdatering i stedet."))
        return redirect(notice)
    initial = {
        "kind": notice.kind, "environments": notice.environments,
        "components": list(notice.components.all()), "severity": notice.severity,
        "title": notice.title, "body": notice.body, "window_start": notice.window_start,
        "window_end": notice.window_end, "effective_test": notice.effective_test,
        "effective_production": notice.effective_production, "publish_at": notice.publish_at,
    }
    form = NoticeForm(request.POST or None, initial=initial)
    preview = None
    if request.method == "POST" and form.is_valid():
        if request.POST.get("action") == "preview":
            preview = render_markdown(form.cleaned_data["body"])
        else:
            response = _save_notice(request, form, notice)
            if response is not None:
                return response
    return render(request, "notices/form.html", _form_context(form, notice, preview))


def _available_actions(notice, user):
    """The page's buttons. A notice not yet sent has no recipients to write a note to."""
    available = actions_available(ACTIONS, notice, user)
    if notice.published_at is None:
        available = [dataclasses.replace(a, prompt=None) for a in available]
    return available


@login_required
def notice_detail(request, reference):
    user = request.user
    notice = selectors.notice_get_for_user(user=user, reference=reference)
    acknowledgement = selectors.acknowledgement_for_user(notice=notice, user=user)
    context = {
        "notice": notice,
        "case": notice,
        "body_html": render_markdown(notice.body),
        "events": [{"event": e, "html": render_markdown(e.body)}
                   for e in selectors.notice_events(notice=notice)],
        "acknowledgement": acknowledgement,
        "can_acknowledge": bool(acknowledgement and notice.is_live
                                and acknowledgement.acknowledged_at is None),
        "can_author": perms.can_author(user),
        "can_see_report": perms.can_see_delivery_report(user),
        "actions": _available_actions(notice, user),
        "update_form": UpdateForm(),
    }
    if perms.can_see_acknowledgements(user) and notice.requires_ack:
        context["acks"] = selectors.acknowledgements(notice=notice)
    if context["can_see_report"] or "acks" in context:
        context["sending"] = selectors.notice_sending(notice=notice)
    return render(request, "notices/detail.html", context)


@login_required
@require_POST
def notice_update(request, reference):
    _require(perms.can_author(request.user))
    notice = selectors.notice_get_for_user(user=request.user, reference=reference)
    form = UpdateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Skriv oppdateringen."))
        return redirect(notice)
    run_service(request, lambda: services.notice_update_add(
        notice=notice, by=request.user, body=form.cleaned_data["body"]),
                success=_("Oppdateringen er publisert og sendes nå."))
    return redirect(notice)


@login_required
@require_POST
def notice_acknowledge(request, reference):
    notice = selectors.notice_get_for_user(user=request.user, reference=reference)
    run_service(request, lambda: services.notice_acknowledge(notice=notice, by=request.user),
                success=_("Takk! Dere har bekreftet at dere har lest %(ref)s.") % {
            "ref": notice.reference})
    next_url = request.POST.get("next")
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts=None):
        return redirect(next_url)
    return redirect(notice)


@login_required
def notice_deliveries(request, reference):
    """Lånekassen's delivery report: per event that went out, each organisation, channel and
    address, and its state."""
    user = request.user
    _require(perms.can_see_delivery_report(user))
    notice = selectors.notice_get_for_user(user=user, reference=reference)
    events = selectors.notice_events_sent(notice=notice)
    event = None
    if events:
        wanted = request.GET.get("hendelse")
        event = next((e for e in events if str(e.pk) == wanted), events[0])
    page = summary = None
    form = DeliveryFilterForm(request.GET or None)
    query = ""
    if event is not None:
        rows = deliveries_for_job(job=event.fanout)
        if form.is_valid():
            if form.cleaned_data["status"]:
                rows = rows.filter(effective_status=form.cleaned_data["status"])
            if form.cleaned_data["channel"]:
                rows = rows.filter(channel=form.cleaned_data["channel"])
        page = Paginator(rows, 100).get_page(request.GET.get("side"))
        summary = delivery_summary(job=event.fanout)
        params = request.GET.copy()
        params.pop("side", None)
        query = params.urlencode()
    statuses = [s for s in Delivery.Status if s != Delivery.Status.SENDING]
    channels = [(c.value, c.label, {s.value: (summary or {}).get(c.value, {}).get(s.value, 0)
                                    for s in statuses})
                for c in Delivery.Channel]
    return render(request, "notices/deliveries.html", {
        "notice": notice, "events": events, "event": event, "page": page, "form": form,
        "channels": channels, "statuses": statuses, "query": query,
        "failed_count": selectors.notice_failed_deliveries(notice=notice).count(),
    })


@login_required
@require_POST
def notice_resend(request, reference):
    _require(perms.can_resend(request.user))
    notice = selectors.notice_get_for_user(user=request.user, reference=reference)
    run_service(request, lambda: services.deliveries_resend_failed(notice=notice, by=request.user),
                success=lambda count: _("%(n)s leveranser sendes på nytt.") % {"n": count})
    return redirect("notices:deliveries", notice.reference)


@login_required
@never_cache
def subscriptions(request):
    user = request.user
    _require(perms.can_read_notices(user))
    token = None
    if request.method == "POST":
        token = services.feed_token_regenerate(user=user)
        messages.success(request, _("Nye adresser er laget. De gamle virker ikke lenger."))
    existing = getattr(user, "notice_feed_token", None) if token is None else None
    urls = None
    if token:
        urls = {
            "atom": request.build_absolute_uri(reverse("notices:feed_atom", args=[token])),
            "ical": request.build_absolute_uri(reverse("notices:feed_ical", args=[token])),
        }
    return render(request, "notices/subscriptions.html", {
        "urls": urls, "existing": existing})


def feed_atom(request, token):
    user = services.feed_token_resolve(token=token)
    _require(user)
    return HttpResponse(feeds.atom_feed(user=user, request=request),
                        content_type="application/atom+xml; charset=utf-8")


def feed_ical(request, token):
    user = services.feed_token_resolve(token=token)
    _require(user)
    response = HttpResponse(feeds.maintenance_calendar(user=user, request=request),
                            content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="vedlikehold.ics"'
    return response


def _link_target(request):
    """The case named in the form ("<case type key>:<reference>"), fetched through its owner's
    user-scoped selector: a case the person may not see is a 404, and nothing is linked."""
    key, _sep, reference = request.POST.get("target", "").partition(":")
    if not key or not reference:
        raise Http404
    return linkable_get_for_user(user=request.user, key=key, reference=reference)


def _back(request, obj):
    next_url = request.POST.get("next")
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts=None):
        return redirect(next_url)
    return redirect(obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else "/")


@login_required
@require_POST
def link_add(request):
    _require(perms.can_link(request.user))
    obj = _link_target(request)
    notice = selectors.notice_get_for_user(user=request.user,
                                           reference=request.POST.get("notice", ""))
    run_service(request, lambda: services.notice_link_add(notice=notice, obj=obj, by=request.user),
                success=_("Driftsmeldingen %(ref)s er lenket til saken.") % {
            "ref": notice.reference})
    return _back(request, obj)


@login_required
@require_POST
def link_remove(request):
    _require(perms.can_link(request.user))
    obj = _link_target(request)
    notice = selectors.notice_get_for_user(user=request.user,
                                           reference=request.POST.get("notice", ""))
    run_service(request, lambda: services.notice_link_remove(
        notice=notice, obj=obj, by=request.user),
                success=_("Lenken er fjernet."))
    return _back(request, obj)



def home_panel(request):
    """Notices on the home page's queue (the notices block itself is `{% notice_dashboard %}`):
    for a bank the notices it has not yet acknowledged, for Lånekassen the notices in progress
    (drafts, scheduled and live)."""
    from accounts.permissions import is_bank_user, is_lanekassen

    from .models import EDITABLE_STATUSES, LIVE_STATUSES

    user = request.user
    if is_bank_user(user):
        pending = selectors.pending_acknowledgements(user=user)
        notices = selectors.notice_list_for_user(user=user).filter(pk__in=pending)
        process, text = _("Driftsmelding"), _("Venter på bekreftelse fra dere")
    elif is_lanekassen(user):
        notices = selectors.notice_list_for_user(user=user).filter(
            status__in=[*EDITABLE_STATUSES, *LIVE_STATUSES])
        process, text = _("Driftsmelding"), ""
    else:
        return None
    waiting = [{"url": n.get_absolute_url(), "process": process,
                "label": f"{n.reference}: {n.title}",
                "text": text or n.get_status_display(),
                "since": n.published_at or n.created_at, "due": None, "sla": None}
               for n in notices.order_by("created_at", "pk")[:50]]
    return {"key": "notice", "waiting": waiting} if waiting else None
