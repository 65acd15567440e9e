"""The list, proposing (with similar requests while typing), the case page and editing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.permissions import is_bank_user, is_bits, is_lanekassen
from casework.actions import actions_available
from casework.errors import DomainError, form_add_domain_error
from casework.registry import case_type
from casework.runner import transitions_for
from casework.views import message_form_for

from .. import permissions as perms
from .. import selectors, services
from ..actions import ACTIONS
from ..forms import (
    AssessForm,
    ChangeRequestForm,
    FilterForm,
    ForumForm,
    ImpactAnswerForm,
    LanekassenDecisionForm,
    ReferenceGroupForm,
)
from ..models import Status

PAGE_SIZE = 25


@login_required
def change_request_list(request):
    user = request.user
    if not perms.can_list(user):
        raise Http404
    form = FilterForm(request.GET or None)
    filters = {}
    if form.is_bound:
        # An invalid value drops only its own filter.
        form.is_valid()
        filters = {k: v for k, v in form.cleaned_data.items() if v}
    ordering = filters.pop("ordering", "support")
    qs = selectors.change_request_filter(selectors.change_request_list_for_user(user=user),
                                         **filters)
    qs = selectors.change_request_order(selectors.with_support(qs, user=user), ordering)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("side"))
    query = request.GET.copy()
    query.pop("side", None)
    return render(request, "changerequests/list.html", {
        "form": form, "page": page, "query": query.urlencode(),
        "can_propose": perms.can_propose(user), "can_prioritise": perms.can_prioritise(user),
        "show_bank": True,
    })


def _form_kwargs(user, case=None):
    return {"ask_impact": is_lanekassen(user) and case is None,
            "similar_url": reverse("changerequests:similar"),
            "exclude_pk": case.pk if case is not None else None}


@login_required
def change_request_create(request):
    user = request.user
    if not perms.can_propose(user):
        raise Http404
    form = ChangeRequestForm(request.POST or None, request.FILES or None, **_form_kwargs(user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        submit = request.POST.get("intent") != "draft"
        try:
            case = services.change_request_propose(
                by=user, title=data["title"], problem=data["problem"],
                proposal=data["proposal"], benefit=data["benefit"], urgency=data["urgency"],
                part=data["part"], files=data["attachments"], submit=submit,
                impact_requested=data.get("impact_requested", False))
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            if case.status == Status.DRAFT:
                text = _("Utkastet er lagret som %(ref)s. Send det til Bits når det er klart.")
            elif case.status == Status.OPEN:
                text = _("Endringen er registrert som %(ref)s og er synlig for alle banker.")
            else:
                text = _("Endringsønsket er registrert som %(ref)s og sendt til Bits for "
                         "kontroll.")
            messages.success(request, text % {"ref": case.reference})
            return redirect(case)
    return render(request, "changerequests/create.html", {"form": form}, status=(
        400 if form.is_bound and form.errors else 200))


@login_required
def change_request_similar(request):
    """The similar requests shown while a title is typed (an htmx partial)."""
    user = request.user
    if not perms.can_list(user):
        raise Http404
    text = request.GET.get("title", "")[:200]
    exclude = request.GET.get("exclude")
    similar = selectors.change_request_similar(
        user=user, text=text, exclude_pk=int(exclude) if (exclude or "").isdigit() else None)
    return render(request, "changerequests/_similar.html", {"similar": similar, "text": text})


def detail_context(request, case, message_form=None, forms=None):
    """The case page's context; the kernel's message view renders it again after a reply.
    `forms` are bound forms with errors to show instead of fresh ones."""
    user = request.user
    forms = forms or {}
    transitions = transitions_for(case, user)
    context = {
        "case": case,
        "timeline": selectors.change_request_timeline(request=case, user=user),
        "show_author_organisation": True,
        "actions": actions_available(ACTIONS, case, user),
        "message_form": message_form or message_form_for(case_type("changerequest"), case,
                                                         user),
        "can_comment": perms.can_comment(case, user),
        "supporters": selectors.supporting_organisations(request=case),
        "can_support": perms.can_support(case, user),
        "supports": selectors.user_supports(request=case, user=user),
        "can_follow": perms.can_follow(case, user),
        "follows": selectors.user_follows(request=case, user=user),
        "can_edit": perms.can_edit(case, user),
        "decisions": selectors.decisions_for(request=case),
        "duplicates": selectors.duplicates_of(request=case, user=user),
        "merged_into_visible": case.merged_into_id is not None and (
            perms.can_view(case.merged_into, user)),
        "is_bank": is_bank_user(user), "is_staff_side": is_bits(user) or is_lanekassen(user),
    }
    if "forum_recommend" in transitions:
        context["forum_form"] = forms.get("forum") or ForumForm(
            prefix="forum", initial={"decided_on": case.forum_meeting_on})
    if "forward" in transitions:
        context["reference_group_form"] = forms.get("reference_group") or ReferenceGroupForm(
            prefix="reference_group")
    if {"accept", "reject", "defer"} & transitions:
        context["lanekassen_form"] = forms.get("lanekassen") or LanekassenDecisionForm(
            prefix="lanekassen", initial={"effort": case.effort})
    if perms.can_assess(case, user):
        context["assess_form"] = forms.get("assess") or AssessForm(
            prefix="assess", initial={"value": case.value, "effort": case.effort,
                                      "forum_meeting_on": case.forum_meeting_on})
    if case.impact_requested:
        if perms.can_see_impact_answers(user):
            context["impact"] = selectors.impact_overview(request=case)
        answer = selectors.impact_answer_for(request=case, user=user)
        context["my_impact"] = answer
        if perms.can_answer_impact(case, user):
            context["impact_form"] = forms.get("impact") or ImpactAnswerForm(
                prefix="impact",
                initial={"level": answer.level, "comment": answer.comment} if answer else None)
    return context


@login_required
def change_request_detail(request, reference):
    case = selectors.change_request_get_for_user(user=request.user, reference=reference)
    return render(request, "changerequests/detail.html", detail_context(request, case))


def _fields_initial(case):
    return {name: getattr(case, name) for name in (
        "title", "problem", "proposal", "benefit", "urgency", "part")}


@login_required
def change_request_edit(request, reference):
    """The proposing bank completes its draft or a returned request, and may send it."""
    user = request.user
    case = selectors.change_request_get_for_user(user=user, reference=reference)
    if not perms.can_edit(case, user):
        raise Http404
    form = ChangeRequestForm(request.POST or None, request.FILES or None,
                             initial=_fields_initial(case), **_form_kwargs(user, case))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.change_request_edit(
                request=case, by=user, title=data["title"], problem=data["problem"],
                proposal=data["proposal"], benefit=data["benefit"], urgency=data["urgency"],
                part=data["part"], files=data["attachments"])
            if request.POST.get("intent") == "submit":
                case = services.change_request_submit(request=case, by=user)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("Endringsønsket er sendt til Bits.")
                             if case.status == Status.SUBMITTED
                             else _("Endringene er lagret."))
            return redirect(case)
    return render(request, "changerequests/edit.html", {"form": form, "case": case},
                  status=400 if form.is_bound and form.errors else 200)


def home_panel(request):
    """The change requests' part of the home page (see templates/dashboard.html)."""
    user = request.user
    if not perms.can_list(user):
        return None
    qs = selectors.change_request_list_for_user(user=user)
    url = reverse("changerequests:list")
    cards = []
    if is_bits(user):
        cards.append({"key": "to_check", "title": _("Endringsønsker til kontroll"),
                      "count": qs.filter(status=Status.SUBMITTED).count(),
                      "url": f"{url}?status={Status.SUBMITTED}",
                      "link_label": _("Se endringsønskene")})
    if is_lanekassen(user):
        cards.append({"key": "to_decide", "title": _("Endringsønsker til beslutning"),
                      "count": qs.filter(status=Status.WITH_LANEKASSEN).count(),
                      "url": f"{url}?status={Status.WITH_LANEKASSEN}",
                      "link_label": _("Se endringsønskene")})
    if is_bank_user(user):
        cards.append({"key": "undecided", "title": _("Endringsønsker til behandling"),
                      "count": qs.filter(status__in=perms.UNDECIDED).count(),
                      "url": f"{url}?status=undecided", "link_label": _("Se og støtt")})
    if perms.can_propose(user):
        cards.append({"key": "propose", "title": _("Har dere et endringsønske?"),
                      "url": reverse("changerequests:create"),
                      "link_label": _("Foreslå en endring"), "button": True})
    return {"key": "changerequest", "cards": cards, "waiting": _waiting(user, qs)}


def _waiting(user, qs):
    """The change requests on the viewer's side's move, for the home page's queue: Bits checks
    submitted ones, Lånekassen decides, a bank changes those returned to it."""
    status = (Status.SUBMITTED if is_bits(user) else Status.WITH_LANEKASSEN
              if is_lanekassen(user) else Status.RETURNED)
    if is_bank_user(user):
        qs = qs.filter(organisation_id=user.membership.organisation_id)
    rows = qs.filter(status=status).select_related("organisation").order_by(
        "status_changed_at", "pk")[:50]
    return [{"url": r.get_absolute_url(), "process": _("Endringsønske"),
             "label": r.reference if is_bank_user(user) or r.organisation is None
             else f"{r.reference} {r.organisation.name}",
             "text": f"{r.title} ({r.get_status_display()})", "since": r.status_changed_at,
             "due": None, "sla": None} for r in rows]
