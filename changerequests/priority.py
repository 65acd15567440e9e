"""The prioritisation score: how the forums and Lånekassen rank the requests still to be decided.

    score = 100 × (w_support × S + w_urgency × U + w_value × V + w_effort × E) / (sum of weights)

    S = supporting banks / supporting banks of the most supported request (0 when none has any)
    U = 0 (low), ½ (medium), 1 (high)
    V = (value − 1) / 4      value 1–5, not yet assessed counts as 3
    E = (5 − effort) / 4     effort 1–5, less effort ranks higher; not yet assessed counts as 3

The weights are data (`PriorityWeights`), edited by Bits on the prioritisation page.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Max

from .models import ChangeRequest, PriorityWeights, Urgency
from .permissions import UNDECIDED

URGENCY_SCORE = {Urgency.LOW: 0.0, Urgency.MEDIUM: 0.5, Urgency.HIGH: 1.0}
UNASSESSED = 3


@dataclass(frozen=True)
class Ranked:
    request: ChangeRequest
    support: int
    parts: dict
    score: float


def weights_get():
    """The one row of weights (created with the defaults the first time)."""
    weights = PriorityWeights.objects.order_by("pk").first()
    if weights is None:
        weights = PriorityWeights.objects.create()
    return weights


def score_parts(*, support, max_support, urgency, value, effort):
    """S, U, V and E of the formula, each 0–1."""
    value = UNASSESSED if value is None else value
    effort = UNASSESSED if effort is None else effort
    return {
        "support": support / max_support if max_support else 0.0,
        "urgency": URGENCY_SCORE.get(urgency, 0.5),
        "value": (value - 1) / 4,
        "effort": (5 - effort) / 4,
    }


def score(parts, weights):
    total = weights.total
    if not total:
        return 0.0
    weighted = (weights.support * parts["support"] + weights.urgency * parts["urgency"]
                + weights.value * parts["value"] + weights.effort * parts["effort"])
    return round(100 * weighted / total, 1)


def _candidates(qs):
    return qs.filter(status__in=UNDECIDED).annotate(support_count=Count("votes", distinct=True))


def rank(qs, *, weights=None, max_support=None):
    """The requests of `qs` still to be decided, highest score first (then most supported,
    then oldest). `max_support` is the most supported request's count (default: within qs).
    Two queries, however many requests and votes."""
    weights = weights or weights_get()
    rows = list(_candidates(qs))
    if max_support is None:
        max_support = max((r.support_count for r in rows), default=0)
    ranked = []
    for request in rows:
        parts = score_parts(support=request.support_count, max_support=max_support,
                            urgency=request.urgency, value=request.value, effort=request.effort)
        ranked.append(Ranked(request=request, support=request.support_count, parts=parts,
                             score=score(parts, weights)))
    ranked.sort(key=lambda r: (-r.score, -r.support, r.request.created_at, r.request.pk))
    return ranked


def ranking_for_user(*, user, weights=None):
    from .selectors import change_request_list_for_user

    return rank(change_request_list_for_user(user=user), weights=weights)


def agenda(*, user, meeting_on: date, weights=None):
    """The forum's agenda for a meeting: the requests Bits put on it, ranked as on the
    prioritisation page (support relative to the most supported of all undecided requests)."""
    from .selectors import change_request_list_for_user

    visible = change_request_list_for_user(user=user)
    most = (_candidates(visible).aggregate(most=Max("support_count"))["most"] or 0)
    return rank(visible.filter(forum_meeting_on=meeting_on), weights=weights, max_support=most)


def agenda_dates(*, user):
    """The meeting dates requests are scheduled for, newest first."""
    from .selectors import change_request_list_for_user

    return list(change_request_list_for_user(user=user)
                .filter(forum_meeting_on__isnull=False, status__in=UNDECIDED)
                .order_by("-forum_meeting_on").values_list("forum_meeting_on", flat=True)
                .distinct())
