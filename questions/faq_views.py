"""The FAQ's pages: read and search (everyone logged in), write, publish and review (Bits),
the statistics (Bits), and the search box next to Bits' reply that inserts an answer."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import is_bits
from casework.errors import DomainError, form_add_domain_error
from casework.views import run_service

from . import faq, selectors
from . import permissions as perms
from .forms import FaqForm, FaqSearchForm
from .models import Category, FaqStatus
from .search import highlight, query_parse, snippet

FAQ_ACTIONS = {
    "publish": (gettext_lazy("Publiser"), faq.faq_publish),
    "archive": (gettext_lazy("Arkiver"), faq.faq_archive),
    "review": (gettext_lazy("Marker som gjennomgått"), faq.faq_mark_reviewed),
}
LIST_LIMIT = 50


def _results(user, text, *, category="", status="", limit=LIST_LIMIT):
    """The entries for the FAQ page: a search (best first, highlighted) or, with no words,
    every entry the user may read by category."""
    query = query_parse(text)
    staff = perms.faq_can_see_unpublished(user)
    published_only = not staff or status == FaqStatus.PUBLISHED
    if not query.is_empty:
        entries = selectors.faq_search(user=user, text=query, limit=limit,
                                       published_only=published_only, category=category)
        if staff and status and status != FaqStatus.PUBLISHED:
            entries = [e for e in entries if e.status == status]
    else:
        qs = selectors.faq_list_for_user(user=user)
        if category:
            qs = qs.filter(category=category)
        if status and staff:
            qs = qs.filter(status=status)
        entries = list(qs.order_by("category", "title")[:200])
    return {
        "query": query, "typed": (text or "").strip(),
        "nothing_to_search": bool((text or "").strip()) and query.is_empty,
        "results": [{"entry": e, "title": highlight(e.title, query),
                     "answer": snippet(e.answer, query, length=300)} for e in entries],
        "show_status": staff,
    }


@login_required
def faq_list(request):
    user = request.user
    form = FaqSearchForm(request.GET or None, results_url=reverse("questions:faq_list"))
    if not perms.faq_can_see_unpublished(user):
        del form.fields["status"]
    data = form.data if form.is_bound else {}
    category = data.get("category", "") if data.get("category", "") in Category.values else ""
    status = data.get("status", "") if data.get("status", "") in FaqStatus.values else ""
    context = _results(user, data.get("q", ""), category=category, status=status)
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "questions/_faq_results.html", context)
    return render(request, "questions/faq_list.html", {
        **context, "form": form, "can_write": perms.faq_can_write(user),
        "can_see_stats": perms.faq_can_see_stats(user)})


@login_required
def faq_detail(request, pk):
    user = request.user
    entry = selectors.faq_get_for_user(user=user, pk=pk)
    faq.faq_view_record(entry=entry, by=user)
    return render(request, "questions/faq_detail.html", {
        "entry": entry, "vote": selectors.faq_vote_of(entry=entry, user=user),
        "can_vote": perms.faq_can_vote(entry, user),
        "can_manage": perms.faq_can_manage(entry, user),
        "can_see_source": perms.faq_can_see_source(user),
        "actions": _available(entry, user),
    })


def _available(entry, user):
    names = {t.name for t in entry.get_available_user_status_transitions(user)}
    if perms.faq_can_manage(entry, user) and entry.status == FaqStatus.PUBLISHED:
        names.add("review")
    return [{"name": n, "label": label} for n, (label, _call) in FAQ_ACTIONS.items()
            if n in names]


@login_required
def faq_create(request):
    if not perms.faq_can_write(request.user):
        raise Http404
    form = FaqForm(request.POST or None, initial={"category": request.GET.get("kategori")})
    if request.method == "POST" and form.is_valid():
        try:
            entry = faq.faq_create(by=request.user, **form.cleaned_data)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("Utkastet er lagret. Publiser det når det er klart."))
            return redirect(entry)
    return render(request, "questions/faq_form.html", {"form": form, "entry": None})


@login_required
def faq_edit(request, pk):
    user = request.user
    entry = selectors.faq_get_for_user(user=user, pk=pk)
    if not perms.faq_can_manage(entry, user):
        raise Http404
    initial = {"category": entry.category, "title": entry.title, "question": entry.question,
               "answer": entry.answer}
    form = FaqForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            entry = faq.faq_update(entry=entry, by=user, **form.cleaned_data)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("Endringene er lagret."))
            return redirect(entry)
    return render(request, "questions/faq_form.html", {
        "form": form, "entry": entry, "can_see_source": perms.faq_can_see_source(user)})


@login_required
@require_POST
def faq_action(request, pk, action):
    entry = selectors.faq_get_for_user(user=request.user, pk=pk)
    if action not in FAQ_ACTIONS:
        raise Http404
    label, call = FAQ_ACTIONS[action]
    run_service(request, lambda: call(entry=entry, by=request.user),
                success=_("Utført: %(a)s.") % {"a": label})
    return redirect(entry)


@login_required
@require_POST
def faq_vote(request, pk):
    entry = selectors.faq_get_for_user(user=request.user, pk=pk)
    helpful = request.POST.get("helpful") == "1"
    try:
        faq.faq_vote(entry=entry, by=request.user, helpful=helpful)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(entry)
    context = {"entry": entry, "vote": helpful, "can_vote": True, "thanks": True}
    if request.htmx:
        return render(request, "questions/_faq_vote.html", context)
    messages.success(request, _("Takk for vurderingen."))
    return redirect(entry)


@login_required
@require_GET
def faq_pick(request):
    """The FAQ search next to Bits' reply: each result can be put into the reply."""
    if not is_bits(request.user):
        raise Http404
    text = request.GET.get("faq_q", "")
    query = query_parse(text)
    entries = selectors.faq_search(user=request.user, text=query) if not query.is_empty else []
    return render(request, "questions/_faq_pick.html", {
        "query": query, "typed": text.strip(),
        "results": [{"entry": e, "title": highlight(e.title, query),
                     "answer": snippet(e.answer, query, length=200),
                     "url": request.build_absolute_uri(e.get_absolute_url())}
                    for e in entries]})


@login_required
def faq_stats(request):
    return render(request, "questions/faq_stats.html",
                  selectors.faq_stats(user=request.user))
