"""The queue work tools' views (`casework.queue`): take or assign several cases at once,
assign one case from its page, and save or delete a filter. A case type's URLs point at them
with `case_type_key`, as at the kernel's action view."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .errors import DomainError
from .queue import cases_bulk_run, saved_filter_delete, saved_filter_save
from .registry import case_type
from .views import run_service


def _back(request, ct):
    """Back to the queue the person came from (its filter kept), else the queue itself."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect(ct.list_url_name)


def _handler(ct, user, pk):
    """The handler picked in a form, if `user` may assign to them; else None."""
    if ct.handlers is None or not str(pk or "").isdigit():
        return None
    return ct.handlers(user).filter(pk=int(pk)).first()


@login_required
@require_POST
def queue_bulk(request, *, case_type_key):
    """Take ("take") or assign ("assign", to `to`) the checked cases, each through the case
    type's service; the person is told which were done and which were not, and why."""
    ct = case_type(case_type_key)
    user, action = request.user, request.POST.get("action")
    references = request.POST.getlist("cases")
    if action == "take" and ct.take is not None:
        def run(case):
            return ct.take(case, user)
    elif action == "assign" and ct.assign is not None:
        to = _handler(ct, user, request.POST.get("to"))
        if to is None:
            messages.error(request, _("Velg en saksbehandler å tildele sakene til."))
            return _back(request, ct)

        def run(case):
            return ct.assign(case, user, to)
    else:
        raise Http404
    if not references:
        messages.error(request, _("Kryss av for sakene du vil ta eller tildele."))
        return _back(request, ct)
    outcome = cases_bulk_run(ct=ct, by=user, references=references, run=run)
    if outcome.done:
        messages.success(request, _("Utført for %(n)s saker: %(refs)s.") % {
            "n": len(outcome.done), "refs": ", ".join(outcome.done)})
    for reference, message in outcome.failed:
        messages.error(request, _("%(ref)s ble ikke endret: %(why)s") % {
            "ref": reference, "why": message})
    return _back(request, ct)


@login_required
@require_POST
def case_assign(request, reference, *, case_type_key):
    """Give a case to another handler, from the case page."""
    ct = case_type(case_type_key)
    if ct.assign is None:
        raise Http404
    case = ct.get_for_user(user=request.user, reference=reference)
    to = _handler(ct, request.user, request.POST.get("to"))
    if to is None:
        messages.error(request, _("Velg en saksbehandler."))
        return redirect(case)
    run_service(request, lambda: ct.assign(case, request.user, to),
                success=_("Saken er tildelt %(who)s.") % {"who": to})
    return redirect(case)


@login_required
@require_POST
def saved_filter_create(request, *, case_type_key):
    ct = case_type(case_type_key)
    try:
        saved = saved_filter_save(user=request.user, case_type_key=ct.key,
                                  name=request.POST.get("name", ""),
                                  querystring=request.POST.get("querystring", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Filteret «%(name)s» er lagret.") % {"name": saved.name})
    return _back(request, ct)


@login_required
@require_POST
def saved_filter_remove(request, pk, *, case_type_key):
    ct = case_type(case_type_key)
    saved_filter_delete(user=request.user, pk=pk)
    messages.success(request, _("Filteret er slettet."))
    return _back(request, ct)
