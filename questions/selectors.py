"""Reads for questions and the FAQ, always scoped to what the user may see. The queue's order,
its paging and the clocks are the kernel's (`casework.slacase`, `casework.sla`)."""

from datetime import timedelta

from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from accounts.permissions import is_bank_user, is_bits, is_lanekassen
from casework.selectors import cases_for_user
from casework.slacase import sla_filter

from . import permissions as perms
from .models import BITS_STATUSES, Deflection, FaqEntry, FaqStatus, Question, Status
from .search import search

QUESTION_FIELDS = (("title", "A"), ("text", "B"))
FAQ_FIELDS = (("title", "A"), ("question", "B"), ("answer", "B"))
SUGGESTIONS = 5
REVIEW_AFTER = timedelta(days=365)


# --- questions ----------------------------------------------------------------------------

def question_list_for_user(*, user):
    """The questions `user` may see: Lånekassen those forwarded to it."""
    return cases_for_user(
        Question.objects.select_related("organisation", "assignee", "asked_by"),
        user=user, lanekassen=Q(forwarded_at__isnull=False))


def question_get_for_user(*, user, reference):
    """The question if the user may see it; 404 otherwise — the same answer as for none."""
    question = question_list_for_user(user=user).filter(reference=reference).first()
    if question is None or not perms.can_view(question, user):
        raise Http404
    return question


def question_filter(qs, *, status=None, category=None, organisation=None, q=None):
    qs = sla_filter(qs, status=status, organisation=organisation, category=category)
    if q:
        q = q.strip()
        qs = qs.filter(Q(reference__icontains=q) | Q(title__icontains=q) | Q(text__icontains=q))
    return qs


def question_search(*, user, text, limit=20):
    """The questions `user` may see that match `text` (the case registry's search): by
    reference or bank (orgnr or name), newest first, then by words, best first."""
    from casework.search import text_match

    qs = question_list_for_user(user=user)
    found = list(text_match(qs, text, fields=()).order_by("-created_at")[:limit])
    seen = {q.pk for q in found}
    found += [q for q in search(qs, text, fields=QUESTION_FIELDS, limit=limit) if q.pk not in seen]
    return found[:limit]


def question_search_own(*, user, text, limit=SUGGESTIONS):
    """A bank's own earlier questions that match what it is typing."""
    if not is_bank_user(user):
        return []
    qs = Question.objects.filter(organisation_id=user.membership.organisation_id)
    return search(qs, text, fields=QUESTION_FIELDS, limit=limit)


def question_waiting_counts(*, user):
    """How many questions wait for this user's side: Bits (new, in progress, guidance from
    Lånekassen), Lånekassen (forwarded) or the bank (asked for more, or answered and waiting
    for it to accept). One query."""
    qs = question_list_for_user(user=user)
    if is_bits(user):
        statuses = BITS_STATUSES
    elif is_lanekassen(user):
        statuses = [Status.FORWARDED]
    elif is_bank_user(user):
        statuses = [Status.AWAITING_BANK, Status.ANSWERED]
    else:
        return {}
    counts = dict(qs.filter(status__in=statuses).values_list("status").annotate(n=Count("pk"))
                  .order_by())
    return {s: counts.get(s, 0) for s in statuses}


# --- the FAQ ------------------------------------------------------------------------------

def faq_list_for_user(*, user):
    """Published entries for everyone logged in; Bits and Lånekassen see drafts and archived
    entries as well."""
    if not getattr(user, "is_authenticated", False):
        return FaqEntry.objects.none()
    qs = FaqEntry.objects.all()
    if not perms.faq_can_see_unpublished(user):
        qs = qs.filter(status=FaqStatus.PUBLISHED)
    return qs


def faq_get_for_user(*, user, pk):
    entry = (faq_list_for_user(user=user).select_related("source_question__organisation")
             .filter(pk=pk).first())
    if entry is None or not perms.faq_can_read(entry, user):
        raise Http404
    return entry


def faq_search(*, user, text, limit=SUGGESTIONS, published_only=True, category=None):
    """FAQ entries `user` may read that match `text`, best first. One query."""
    qs = faq_list_for_user(user=user)
    if published_only:
        qs = qs.filter(status=FaqStatus.PUBLISHED)
    if category:
        qs = qs.filter(category=category)
    return search(qs, text, fields=FAQ_FIELDS, limit=limit)


def faq_vote_of(*, entry, user):
    vote = entry.votes.filter(user=user).first() if user.is_authenticated else None
    return None if vote is None else vote.helpful


def faq_stats(*, user, today=None):
    """Bits' view of the FAQ: per entry its views, helpful and not helpful votes, how many
    questions it saved (deflections) and whether it is due for review (published and not
    reviewed for 12 months); and the deflections in total. Two queries."""
    if not perms.faq_can_see_stats(user):
        raise Http404
    today = today or timezone.localdate()
    cutoff = today - REVIEW_AFTER
    entries = list(FaqEntry.objects.annotate(
        helpful=Count("votes", filter=Q(votes__helpful=True), distinct=True),
        not_helpful=Count("votes", filter=Q(votes__helpful=False), distinct=True),
        deflection_count=Count("deflections", distinct=True),
    ).order_by("status", "category", "title"))
    for entry in entries:
        entry.due_for_review = entry.status == FaqStatus.PUBLISHED and (
            entry.last_reviewed_on is None or entry.last_reviewed_on <= cutoff)
    return {"entries": entries, "deflections": Deflection.objects.count(),
            "due_for_review": sum(1 for e in entries if e.due_for_review)}


def deflection_counts(*, user, since, until):
    """{(month "YYYY-MM", organisation id): questions the FAQ answered before they were asked}
    in [since, until), for those who may see the FAQ's figures (Bits, Lånekassen). One query."""
    from django.db.models.functions import TruncMonth

    if not (is_bits(user) or is_lanekassen(user)):
        return {}
    rows = (Deflection.objects.filter(at__gte=since, at__lt=until)
            .annotate(m=TruncMonth("at", tzinfo=timezone.get_default_timezone()))
            .values("m", "organisation_id").annotate(n=Count("pk")).order_by())
    return {(r["m"].strftime("%Y-%m"), r["organisation_id"]): r["n"] for r in rows}
