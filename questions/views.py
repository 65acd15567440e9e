"""Question pages. The action, message and attachment views are the case kernel's
(`casework.views`, through the registry entry in `apps.py`); these are the list, the form to
ask (with the suggestions shown while typing), the case page and the home-page panel. The FAQ's
pages are in `faq_views.py`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import is_bank_user, is_bits, is_lanekassen, is_staff_side
from accounts.selectors import bank_organisations
from casework.actions import actions_available
from casework.errors import DomainError, form_add_domain_error
from casework.queue import queue_narrow, queue_options, queue_tools, risk_tag
from casework.registry import case_type
from casework.sla import calendar_get, clock_most_at_risk, sla_targets_map
from casework.views import message_form_for

from . import faq, selectors, services
from . import permissions as perms
from .actions import ACTIONS
from .forms import AskForm, FilterForm
from .models import SLA_PROCESS, FaqStatus, Status
from .search import query_parse, snippet


def _can_use(user):
    return is_bank_user(user) or is_bits(user) or is_lanekassen(user)


@login_required
def question_list(request):
    user = request.user
    if not _can_use(user):
        raise Http404
    form = FilterForm(request.GET or None,
                      organisations=bank_organisations(user=user) if is_staff_side(user)
                      else None)
    qs = selectors.question_list_for_user(user=user)
    if form.is_bound:
        # An invalid value drops only its own filter; the others still apply.
        form.is_valid()
        qs = selectors.question_filter(qs, **{k: v for k, v in form.cleaned_data.items() if v})
    options = queue_options(request)
    if is_bits(user):
        qs = queue_narrow(qs, options, user=user)
    if is_staff_side(user) and not options.by_deadline:
        qs = selectors.question_queue_order(qs)
    page = Paginator(qs, 25).get_page(request.GET.get("side"))
    calendar, targets, now = calendar_get(), sla_targets_map(process=SLA_PROCESS), timezone.now()
    rows = [{"question": q, "sla": selectors.question_sla(question=q, calendar=calendar,
                                                          targets_map=targets, now=now)}
            for q in page.object_list]
    for row in rows:
        row["risk"] = risk_tag(row["sla"])
    query = request.GET.copy()
    query.pop("side", None)
    return render(request, "questions/list.html", {
        "form": form, "page": page, "rows": rows, "query": query.urlencode(),
        "can_ask": perms.can_ask(user), "is_queue": is_bits(user),
        "show_bank": is_staff_side(user),
        "tools": queue_tools(request, case_type("question"), query=query.urlencode())
        if is_bits(user) else None,
    })


@login_required
def question_ask(request):
    user = request.user
    if not perms.can_ask(user):
        raise Http404
    form = AskForm(request.POST or None, request.FILES or None,
                   suggest_url=reverse("questions:suggest"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            question = services.question_ask(
                by=user, category=data["category"], environment=data["environment"],
                title=data["title"], text=data["text"], files=data["attachments"])
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("Spørsmålet er registrert som %(ref)s.") % {
                "ref": question.reference})
            return redirect(question)
    return render(request, "questions/ask.html", {
        "form": form, "attachments_dropped": request.method == "POST" and bool(request.FILES)},
                  status=400 if form.is_bound and form.errors else 200)


@login_required
@require_GET
def question_suggest(request):
    """What the FAQ and the bank's own earlier questions say about what it is typing (the
    htmx part under the form). A fixed number of queries, however large the FAQ."""
    user = request.user
    if not perms.can_ask(user):
        raise Http404
    text = " ".join(request.GET.get(k, "") for k in ("title", "text")).strip()
    query = query_parse(text)
    entries = selectors.faq_search(user=user, text=query) if not query.is_empty else []
    own = selectors.question_search_own(user=user, text=query) if not query.is_empty else []
    return render(request, "questions/_suggestions.html", {
        "query": query, "typed": text[:2000],
        "entries": [{"entry": e, "title": snippet(e.title, query, length=200),
                     "answer": snippet(e.answer, query)} for e in entries],
        "own": [{"question": q, "title": snippet(q.title, query, length=200)} for q in own],
    })


@login_required
@require_POST
def question_deflect(request):
    """"This answered my question": nothing is filed, and Bits counts the question saved."""
    user = request.user
    pk = request.POST.get("entry", "")
    if not pk.isdigit() or not perms.can_deflect(user):
        raise Http404
    entry = selectors.faq_get_for_user(user=user, pk=int(pk))
    if entry.status != FaqStatus.PUBLISHED:
        raise Http404  # only a published answer can have answered a bank's question
    faq.deflection_record(by=user, entry=entry, query=request.POST.get("query", ""))
    messages.success(request, _("Så bra at svaret hjalp. Spørsmålet er ikke sendt."))
    return redirect(entry)


def detail_context(request, question, message_form=None):
    """The case page's context; the kernel's message view renders it again after a reply."""
    user = request.user
    ct = case_type("question")
    return {
        "question": question, "case": question,
        "timeline": selectors.question_timeline(question=question, user=user),
        "actions": actions_available(ACTIONS, question, user),
        "message_form": message_form or message_form_for(ct, question, user),
        "can_comment": perms.can_comment(question, user),
        "can_make_faq": perms.can_make_faq(question, user),
        "can_search_faq": is_bits(user) and question.is_open,
        "faq_entries": list(question.faq_entries.all()) if is_staff_side(user) else [],
        "sla": selectors.question_sla(question=question, calendar=calendar_get()),
        "awaiting_me": question.status == Status.AWAITING_BANK
        and perms.is_asking_bank(question, user),
        "assign_handlers": selectors.question_handlers(user)
        if question.is_open and perms.can_handle(question, user) else (),
        "assign_url_name": "questions:assign",
    }


@login_required
def question_detail(request, reference):
    question = selectors.question_get_for_user(user=request.user, reference=reference)
    return render(request, "questions/detail.html", detail_context(request, question))


@login_required
@require_POST
def question_faq_draft(request, reference):
    """Bits turns an answered question into an anonymised FAQ draft, to edit before
    publishing."""
    question = selectors.question_get_for_user(user=request.user, reference=reference)
    try:
        entry = faq.faq_draft_from_question(question=question, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(question)
    messages.success(request, _("Et utkast er laget uten bankens navn og kjennetegn. Les det "
                                "og rett det før du publiserer."))
    return redirect("questions:faq_edit", pk=entry.pk)


def home_panel(request):
    """The questions' part of the home page (see `templates/dashboard.html` for the shape)."""
    user = request.user
    if not _can_use(user):
        return None
    waiting = selectors.question_waiting_counts(user=user)
    url = reverse("questions:list")
    labels = {
        Status.NEW: (_("Nye spørsmål"), _("Åpne køen")),
        Status.IN_PROGRESS: (_("Spørsmål under behandling"), _("Se spørsmålene")),
        Status.GUIDANCE_GIVEN: (_("Veiledning fra Lånekassen å gi videre"),
                                _("Se spørsmålene")),
        Status.FORWARDED: (_("Spørsmål til faglig veiledning"), _("Se spørsmålene")),
        Status.AWAITING_BANK: (_("Spørsmål der Bits venter på dere"), _("Se spørsmålene")),
        Status.ANSWERED: (_("Besvarte spørsmål å godta"), _("Se svarene")),
    }
    cards = [{"key": status, "title": labels[status][0], "count": count,
              "url": f"{url}?status={status}", "link_label": labels[status][1]}
             for status, count in waiting.items()]
    cards.append({"key": "faq", "title": _("Spørsmål og svar (FAQ)"),
                  "url": reverse("questions:faq_list"), "link_label": _("Søk i FAQ")})
    if perms.can_ask(user):
        cards.append({"key": "ask", "title": _("Lurer dere på noe?"),
                      "url": reverse("questions:ask"), "link_label": _("Still et spørsmål"),
                      "button": True})
    return {"key": "question", "cards": cards, "waiting": _waiting(user)}


# Whose move each status is: what the home page lists as waiting for the viewer's side.
WAITING_FOR = {"bank": [Status.AWAITING_BANK, Status.ANSWERED],
               "bits": [Status.NEW, Status.IN_PROGRESS, Status.GUIDANCE_GIVEN],
               "lanekassen": [Status.FORWARDED]}
WAITING_LIMIT = 50


def _waiting(user):
    """The questions waiting for the viewer's side (see `templates/dashboard.html`), with
    their most pressing SLA clock for Bits."""
    side = "bits" if is_bits(user) else "lanekassen" if is_lanekassen(user) else "bank"
    questions = list(selectors.question_list_for_user(user=user)
                     .filter(status__in=WAITING_FOR[side]).select_related("organisation")
                     .order_by("status_changed_at", "pk")[:WAITING_LIMIT])
    calendar = calendar_get() if side == "bits" and questions else None
    targets = sla_targets_map(process=SLA_PROCESS) if calendar else None
    now = timezone.now()
    items = []
    for q in questions:
        clock = (clock_most_at_risk(selectors.question_sla(
            question=q, calendar=calendar, targets_map=targets, now=now)) if calendar else None)
        items.append({"url": q.get_absolute_url(), "process": _("Spørsmål"),
                      "label": q.reference if side == "bank"
                      else f"{q.reference} {q.organisation.name}",
                      "text": f"{q.title} ({q.get_status_display()})",
                      "since": q.status_changed_at, "due": clock.due if clock else None,
                      "sla": clock})
    return items


def sla_facts(question):
    """What the SLA report needs of a question (`casework.registry.CaseType.sla_facts`)."""
    answered = question.status in (Status.ANSWERED, Status.CLOSED)
    return {"key": question.category, "key_label": question.get_category_display(),
            "first_response_at": question.first_response_at,
            "resolved_at": question.answered_at if answered else None}
