"""Reads for error reports, always scoped to what the user may see."""

from datetime import timedelta

from django.db import connection
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import Http404
from django.utils import timezone

from accounts.permissions import is_bank_user, is_bits, is_lanekassen
from casework.selectors import timeline_for
from casework.sla import sla_state, sla_targets_map

from . import permissions as perms
from .models import CLOSED_STATUSES, OPEN_STATUSES, ErrorReport, Status


def incident_list_for_user(*, user):
    qs = ErrorReport.objects.select_related("organisation", "assignee", "reported_by")
    if is_bits(user):
        return qs
    if is_lanekassen(user):
        return qs.filter(escalated_at__isnull=False)
    if is_bank_user(user):
        return qs.filter(organisation_id=user.membership.organisation_id)
    return qs.none()


def _queue_rank(now):
    # Waiting for the bank stops the clock: its stored due times have not moved yet, but it
    # is neither at risk nor breached while it waits.
    running = [s for s in OPEN_STATUSES if s != Status.AWAITING_BANK]
    return Case(
        When(status=Status.NEW, then=Value(0)),
        When(assignee__isnull=True, status__in=OPEN_STATUSES, then=Value(1)),
        When(Q(status__in=running) & (
            Q(first_response_at__isnull=True, first_response_due__lte=now + timedelta(hours=1))
            | Q(resolution_due__lte=now + timedelta(hours=4))), then=Value(2)),
        When(status__in=OPEN_STATUSES, then=Value(3)),
        default=Value(CLOSED_RANK), output_field=IntegerField(),
    )


CLOSED_RANK = 4
# The id last, so that reports due and made at the same moment keep their place between pages.
QUEUE_ORDER = ("queue_rank", "resolution_due", "-created_at", "-pk")


def incident_queue_order(qs, *, now=None):
    """Bits' queue: new first, then unassigned, then SLA breached or at risk, then by due time
    (newest first among those due at once); closed reports last."""
    return qs.annotate(queue_rank=_queue_rank(now or timezone.now())).order_by(*QUEUE_ORDER)


class IncidentQueue:
    """`incident_queue_order(qs)` as the paginator pages it, at a cost that does not grow with
    the closed history.

    The rank depends on the clock, so no index can hold the order. But only open reports have
    a rank below CLOSED_RANK, and those are few; the closed ones, which grow without end, all
    share the last rank and follow in due-time order, which an index holds (the model's
    `incident_closed_by_due`). So a page's ids come from one statement, the open reports (a
    partial index) by rank merged with the closed ones read in index order, stopping at the
    page's end; then the page's rows with their joins. Three queries a page (count, ids,
    rows), however many reports there are.
    """

    ordered = True  # for the paginator: this sequence has a stable order

    def __init__(self, qs, *, now=None):
        self.qs = qs
        self.now = now or timezone.now()

    def count(self):
        return self.qs.count()

    def __len__(self):
        return self.count()

    def _ids(self, end):
        """The page's (rank, due, created, id) rows up to `end`: the open reports by rank and
        the closed ones in index order, each branch cut at `end` where the database allows
        it (PostgreSQL; SQLite sorts the whole union)."""
        columns = ("queue_rank", "resolution_due", "created_at", "pk")
        bare = self.qs.order_by()
        open_part = (bare.filter(status__in=OPEN_STATUSES)
                     .annotate(queue_rank=_queue_rank(self.now)).values_list(*columns))
        closed_part = (bare.filter(status__in=CLOSED_STATUSES)
                       .annotate(queue_rank=Value(CLOSED_RANK, output_field=IntegerField()))
                       .values_list(*columns))
        if connection.features.supports_slicing_ordering_in_compound:
            open_part = open_part.order_by(*QUEUE_ORDER)[:end]
            closed_part = closed_part.order_by(*QUEUE_ORDER[1:])[:end]
        return open_part.union(closed_part, all=True).order_by(*QUEUE_ORDER)

    def __getitem__(self, key):
        if not isinstance(key, slice):
            return self[key:key + 1][0]
        if key.step is not None or key.stop is None:
            raise TypeError("the queue is paged by slices with an end")
        if key.stop <= (key.start or 0) or self.qs.query.is_empty():
            return []  # the paginator's page of an empty queue
        ids = [row[-1] for row in self._ids(key.stop)[key]]
        rows = self.qs.order_by().in_bulk(ids)
        return [rows[pk] for pk in ids]


def incident_filter(qs, *, status=None, severity=None, environment=None, organisation=None,
                    q=None):
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if severity:
        qs = qs.filter(severity=severity)
    if environment:
        qs = qs.filter(environment=environment)
    if organisation:
        qs = qs.filter(organisation_id=organisation)
    if q:
        q = q.strip()
        qs = qs.filter(Q(reference__iexact=q) | Q(reference__icontains=q)
                       | Q(summary__icontains=q) | Q(description__icontains=q))
    return qs


def incident_get_for_user(*, user, reference):
    """The report if the user may see it; 404 otherwise — the same answer as for no report."""
    report = incident_list_for_user(user=user).filter(reference=reference).first()
    if report is None or not perms.can_view(report, user):
        raise Http404
    return report


def incident_timeline(*, report, user):
    return timeline_for(obj=report, visibilities=perms.visible_message_kinds(user))


def incident_sla(*, report, calendar, targets_map=None, now=None):
    """The first-response and resolution clocks of a report, for the page and the queue."""
    if targets_map is None:
        targets_map = sla_targets_map(process="incident")
    targets = targets_map.get(report.severity)
    if targets is None:
        return None
    now = now or timezone.now()
    first, resolution = targets
    paused = report.paused_since is not None
    first_due, resolution_due = report.first_response_due, report.resolution_due
    if paused:
        # While the bank is asked, the clock stands still: the due times move with it.
        extra = calendar.between(report.paused_since, now)
        total = timedelta(seconds=report.paused_seconds) + extra
        first_due = calendar.add(report.created_at, first + total)
        resolution_due = calendar.add(report.created_at, resolution + total)
    return {
        "first_response": sla_state(calendar=calendar, target=first, due=first_due,
                                    met_at=report.first_response_at,
                                    paused=paused, now=now),
        "resolution": sla_state(calendar=calendar, target=resolution, due=resolution_due,
                                met_at=report.resolved_at if report.status in (
                                    Status.RESOLVED, Status.CLOSED) else None,
                                paused=paused, now=now),
    }


def incident_overview(*, user):
    """What the home page says about error reports: how many are open, how many wait for this
    user's side (Bits: new; Lånekassen: escalated; the bank: asked to answer), the latest five."""
    qs = incident_list_for_user(user=user)
    overview = {"open": qs.filter(status__in=OPEN_STATUSES).count(),
                "recent": list(qs.order_by("-created_at")[:5])}
    if is_bits(user):
        overview["new"] = qs.filter(status=Status.NEW).count()
    if is_lanekassen(user):
        overview["escalated"] = qs.filter(status=Status.ESCALATED).count()
    if is_bank_user(user):
        overview["awaiting_bank"] = qs.filter(status=Status.AWAITING_BANK).count()
    return overview


def incident_search(*, user, text, limit=20):
    """The portal's search (the case-type registry): the reports `user` may see whose
    reference, bank (orgnr or name), X-Request-Id or words match `text`, newest first."""
    from casework.search import text_match

    return text_match(incident_list_for_user(user=user), text,
                      fields=("summary", "description"),
                      request_ids="request_ids").order_by("-created_at")[:limit]


def incident_handlers(user):
    """Whom `user` may give error reports to: Bits' handlers, for Bits; nobody else."""
    from accounts.models import Organisation
    from accounts.selectors import users_in_org_kind

    if not is_bits(user):
        return users_in_org_kind(Organisation.Kind.BITS).none()
    return users_in_org_kind(Organisation.Kind.BITS).order_by("name", "email")
