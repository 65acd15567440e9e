"""Question pages. The case page and its action, message and attachment views are the case
kernel's (`casework.views`, through the registry entry in `apps.py`); these are the list, the
form to ask (with the suggestions shown while typing), the case page's context and the
home-page panel. The FAQ's pages are in `faq_views.py`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import is_bank_user, is_bits, is_lanekassen, is_staff_side
from casework.errors import DomainError
from casework.queue import case_list_filtered
from casework.registry import case_type
from casework.slacase import sla_list_page, sla_waiting
from casework.views import case_form_open, sla_case_context

from . import faq, selectors, services
from . import permissions as perms
from .forms import AskForm, FilterForm
from .models import FaqStatus, Status
from .search import query_parse, snippet


def _can_use(user):
    return is_bank_user(user) or is_bits(user) or is_lanekassen(user)


@login_required
def question_list(request):
    user = request.user
    if not _can_use(user):
        raise Http404
    form, qs = case_list_filtered(request, form_class=FilterForm,
                                  qs=selectors.question_list_for_user(user=user),
                                  narrow=selectors.question_filter)
    return render(request, "questions/list.html", {
        **sla_list_page(request, qs, case_type("question")), "form": form,
        "can_ask": perms.can_ask(user), "show_bank": is_staff_side(user),
    })


@login_required
def question_ask(request):
    user = request.user
    if not perms.can_ask(user):
        raise Http404
    form = AskForm(request.POST or None, request.FILES or None,
                   suggest_url=reverse("questions:suggest"))
    done, context = case_form_open(
        request, form, created=_("Spørsmålet er registrert som %(ref)s."),
        open_case=lambda data: services.question_ask(
            by=user, category=data["category"], environment=data["environment"],
            title=data["title"], text=data["text"], files=data["attachments"]))
    return done or render(request, "questions/ask.html", context,
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
    return {
        **sla_case_context(request, question, can_comment=perms.can_comment,
                           message_form=message_form),
        "question": question,
        "can_make_faq": perms.can_make_faq(question, user),
        "can_search_faq": is_bits(user) and question.is_open,
        "faq_entries": list(question.faq_entries.all()) if is_staff_side(user) else [],
    }


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


def _waiting(user):
    """The questions waiting for the viewer's side, with their most pressing SLA clock for
    Bits."""
    return sla_waiting(selectors.question_list_for_user(user=user), user=user,
                       waiting_for=WAITING_FOR, process_label=_("Spørsmål"))
