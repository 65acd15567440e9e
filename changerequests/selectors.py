"""Reads for change requests, always scoped to what the user may see."""

import re

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, Value
from django.http import Http404

from accounts.models import Organisation
from accounts.permissions import is_bank_user, is_staff_side
from casework.selectors import timeline_for

from . import permissions as perms
from .models import (
    ROADMAP_STATUSES,
    ChangeRequest,
    Follower,
    GovernanceDecision,
    ImpactAnswer,
    Status,
    Vote,
)

ORDERINGS = {
    "support": ("-support_count", "-opened_at", "-created_at"),
    "newest": ("-created_at",),
    "active": ("-updated_at",),
}


def change_request_list_for_user(*, user):
    """The requests `user` may see: every one for Bits and Lånekassen; for a bank its own and
    those opened to all banks."""
    qs = ChangeRequest.objects.select_related("organisation", "merged_into")
    if is_staff_side(user):
        return qs
    if is_bank_user(user):
        own = user.membership.organisation_id
        return qs.filter(Q(organisation_id=own) | (
            Q(opened_at__isnull=False) & ~Q(status__in=perms.PRIVATE)))
    return qs.none()


def change_request_get_for_user(*, user, reference):
    """The request if `user` may see it; 404 otherwise — the same answer as for none."""
    request = change_request_list_for_user(user=user).filter(reference=reference).first()
    if request is None or not perms.can_view(request, user):
        raise Http404
    return request


def with_support(qs, *, user=None):
    """Annotate the number of supporting banks (and whether the user's bank is one)."""
    qs = qs.annotate(support_count=Count("votes", distinct=True))
    if user is not None and is_bank_user(user):
        qs = qs.annotate(supported_by_me=Exists(Vote.objects.filter(
            request=OuterRef("pk"), organisation_id=user.membership.organisation_id)))
    else:
        qs = qs.annotate(supported_by_me=Value(False))
    return qs


def change_request_filter(qs, *, status=None, part=None, urgency=None, q=None):
    """The list's filters. Merged requests are left out unless asked for: they live on in the
    request they were merged into."""
    if status == "undecided":
        qs = qs.filter(status__in=perms.UNDECIDED)
    elif status:
        qs = qs.filter(status=status)
    else:
        qs = qs.exclude(status=Status.MERGED)
    if part:
        qs = qs.filter(part=part)
    if urgency:
        qs = qs.filter(urgency=urgency)
    if q:
        q = q.strip()
        qs = qs.filter(Q(reference__iexact=q) | Q(title__icontains=q)
                       | Q(problem__icontains=q) | Q(proposal__icontains=q))
    return qs


def change_request_order(qs, ordering):
    return qs.order_by(*ORDERINGS.get(ordering) or ORDERINGS["support"])


_WORD = re.compile(r"\w{3,}", re.UNICODE)


def change_request_similar(*, user, text, exclude_pk=None, limit=5):
    """Requests like the title being typed, so that a bank supports an existing request
    instead of proposing it twice. On PostgreSQL: full-text search in Norwegian (stems:
    "feltet" finds "felt") and with the simple configuration (codes and names as written),
    plus trigram similarity of the titles (typos); on SQLite: any word of three letters or
    more in the title or problem."""
    words = list(dict.fromkeys(w.lower() for w in _WORD.findall(text or "")))[:8]
    if not words:
        return []
    qs = (with_support(change_request_list_for_user(user=user))
          .exclude(status__in=[Status.DRAFT, Status.MERGED]))
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if connection.vendor == "postgresql":
        return list(_similar_postgresql(qs, text, words)[:limit])
    match = Q()
    for word in words:
        match |= Q(title__icontains=word) | Q(problem__icontains=word)
    return list(qs.filter(match).order_by("-support_count", "-created_at")[:limit])


def _similar_postgresql(qs, text, words):
    from django.contrib.postgres.search import (
        SearchQuery,
        SearchRank,
        SearchVector,
        TrigramSimilarity,
    )
    from django.db.models import F

    # Any of the words, not all of them: a similar request shares some words with the title.
    raw = " | ".join(words)
    query = (SearchQuery(raw, config="norwegian", search_type="raw")
             | SearchQuery(raw, config="simple", search_type="raw"))
    vector = (SearchVector("title", config="norwegian", weight="A")
              + SearchVector("problem", config="norwegian", weight="B")
              + SearchVector("title", config="simple", weight="A")
              + SearchVector("problem", config="simple", weight="B"))
    return (qs.annotate(rank=SearchRank(vector, query),
                        similarity=TrigramSimilarity("title", text.strip()))
            .filter(Q(rank__gt=0.05) | Q(similarity__gt=0.3))
            .order_by((F("rank") + F("similarity")).desc(), "-created_at"))


def change_request_search(user, text):
    """For the portal's search (the case-type registry): reference, words, and for Bits and
    Lånekassen the proposing bank (orgnr or name). A bank sees other banks' open requests
    without their proposer, so its search never matches another bank's name."""
    from casework.search import text_match

    return text_match(change_request_list_for_user(user=user), text,
                      fields=("title", "problem", "proposal"),
                      organisation="organisation" if is_staff_side(user) else None,
                      ).order_by("-created_at")[:20]


def change_request_timeline(*, request, user):
    return timeline_for(obj=request, visibilities=perms.message_visibilities(request, user))


def supporting_organisations(*, request):
    return list(Organisation.objects.filter(
        pk__in=Vote.objects.filter(request=request).values("organisation_id")).order_by("name"))


def supporting_organisations_by_request(requests):
    """{request pk: [supporting organisations by name]} for many requests, in one query."""
    result = {}
    for vote in (Vote.objects.filter(request__in=[r.pk for r in requests])
                 .select_related("organisation").order_by("organisation__name")):
        result.setdefault(vote.request_id, []).append(vote.organisation)
    return result


def user_supports(*, request, user):
    if not is_bank_user(user):
        return False
    return Vote.objects.filter(request=request,
                               organisation_id=user.membership.organisation_id).exists()


def user_follows(*, request, user):
    return Follower.objects.filter(request=request, user=user).exists()


def decisions_for(*, request):
    return list(GovernanceDecision.objects.filter(request=request).select_related("recorded_by"))


def impact_overview(*, request):
    """Lånekassen's view of E.2: each bank's answer, and the banks that have not answered."""
    answers = list(ImpactAnswer.objects.filter(request=request)
                   .select_related("organisation", "answered_by"))
    answered = {a.organisation_id for a in answers}
    missing = list(Organisation.objects.filter(kind=Organisation.Kind.BANK)
                   .exclude(pk__in=answered).order_by("name"))
    return {"answers": answers, "missing": missing}


def impact_answer_for(*, request, user):
    if not is_bank_user(user):
        return None
    return ImpactAnswer.objects.filter(
        request=request, organisation_id=user.membership.organisation_id).first()


def duplicates_of(*, request, user):
    return list(change_request_list_for_user(user=user).filter(merged_into=request)
                .order_by("created_at"))


def roadmap(*, user):
    """Planned, in development and delivered requests by planned release (every bank sees
    them: they were opened to all)."""
    qs = (with_support(change_request_list_for_user(user=user), user=user)
          .filter(status__in=ROADMAP_STATUSES, opened_at__isnull=False)
          .order_by("planned_release", "reference"))
    releases = {}
    for request in qs:
        releases.setdefault(request.planned_release or "", []).append(request)
    return [{"release": release, "requests": requests}
            for release, requests in releases.items()]
