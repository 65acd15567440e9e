"""What is posted from the case page besides the kernel's actions and messages: support,
follow, the impact answer, the assessment, and the governance steps with their forms."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from casework.errors import DomainError, form_add_domain_error
from casework.views import run_service

from .. import selectors, services
from ..forms import (
    AssessForm,
    ForumForm,
    ImpactAnswerForm,
    LanekassenDecisionForm,
    ReferenceGroupForm,
)
from ..models import GovernanceDecision
from .requests import detail_context


def _case(request, reference):
    return selectors.change_request_get_for_user(user=request.user, reference=reference)


@login_required
@require_POST
def change_request_support(request, reference):
    """Support, or withdraw the support of, the user's bank. A second click is no error."""
    case = _case(request, reference)
    if request.POST.get("intent") == "withdraw":
        run_service(request, lambda: services.vote_withdraw(request=case, by=request.user),
                    success=_("Bankens støtte er trukket."))
    else:
        run_service(request, lambda: services.vote_cast(request=case, by=request.user),
                    success=lambda result: _("Banken støtter %(ref)s.") % {
                        "ref": case.reference} if result[1] else
                    _("Banken støttet allerede %(ref)s.") % {"ref": case.reference})
    return redirect(case)


@login_required
@require_POST
def change_request_follow(request, reference):
    case = _case(request, reference)
    if request.POST.get("intent") == "unfollow":
        run_service(request, lambda: services.follower_remove(request=case, by=request.user),
                    success=_("Du følger ikke lenger endringsønsket."))
    else:
        run_service(request, lambda: services.follower_add(request=case, by=request.user),
                    success=_("Du følger endringsønsket og får beskjed når det skjer noe."))
    return redirect(case)


def _form_or_page(request, case, key, form, call, success):
    """Run `call(cleaned_data)`; on a DomainError about a field show the page again with the
    message on that field (nothing was saved)."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except DomainError as exc:
            if exc.field not in form.fields:
                # Not about what was typed (the request moved, not allowed): say so.
                messages.error(request, exc.message)
                return redirect(case)
            form_add_domain_error(form, exc)
        else:
            messages.success(request, success)
            return redirect(case)
    messages.error(request, _("Noe mangler i skjemaet. Se feltene som er merket."))
    return render(request, "changerequests/detail.html",
                  detail_context(request, case, forms={key: form}), status=400)


@login_required
@require_POST
def change_request_impact(request, reference):
    case = _case(request, reference)
    return _form_or_page(
        request, case, "impact", ImpactAnswerForm(request.POST, prefix="impact"),
        lambda d: services.impact_answer(request=case, by=request.user, level=d["level"],
                                         comment=d["comment"]),
        _("Konsekvensvurderingen er sendt."))


@login_required
@require_POST
def change_request_assess(request, reference):
    case = _case(request, reference)
    return _form_or_page(
        request, case, "assess", AssessForm(request.POST, prefix="assess"),
        lambda d: services.change_request_assess(
            request=case, by=request.user, value=d["value"], effort=d["effort"],
            forum_meeting_on=d["forum_meeting_on"]),
        _("Vurderingen er lagret."))


def _forum(case, user, d):
    return services.change_request_forum_recommend(
        request=case, by=user, decided_on=d["decided_on"],
        recommended=d["recommended"] == "yes", rationale=d["rationale"])


def _reference_group(case, user, d):
    return services.change_request_reference_group_decide(
        request=case, by=user, decided_on=d["decided_on"], forward=d["forward"] == "yes",
        rationale=d["rationale"])


def _lanekassen(case, user, d):
    outcome = GovernanceDecision.Outcome
    if d["decision"] == outcome.ACCEPTED:
        return services.change_request_accept(
            request=case, by=user, planned_release=d["planned_release"],
            rationale=d["rationale"], impact=d["impact"], effort=d["effort"])
    if d["decision"] == outcome.DEFERRED:
        return services.change_request_defer(request=case, by=user, until=d["deferred_until"],
                                             rationale=d["rationale"])
    return services.change_request_reject(request=case, by=user, rationale=d["rationale"])


STEPS = {
    "forum": (ForumForm, _forum, gettext_lazy("Fagutvalgets anbefaling er registrert.")),
    "reference_group": (ReferenceGroupForm, _reference_group,
                        gettext_lazy("Referansegruppe Banks vedtak er registrert.")),
    "lanekassen": (LanekassenDecisionForm, _lanekassen,
                   gettext_lazy("Beslutningen er registrert.")),
}


@login_required
@require_POST
def change_request_decide(request, reference, step):
    """Record one governance step (E.3) from its form on the case page."""
    if step not in STEPS:
        raise Http404
    case = _case(request, reference)
    form_class, call, success = STEPS[step]
    return _form_or_page(request, case, step, form_class(request.POST, prefix=step),
                         lambda d: call(case, request.user, d), success)
