"""Reads for error reports, always scoped to what the user may see. The queue's order, its
paging and the clocks are the kernel's (`casework.slacase`, `casework.sla`)."""

from django.db.models import Q
from django.http import Http404

from accounts.permissions import is_bank_user, is_bits, is_lanekassen
from casework.selectors import cases_for_user
from casework.slacase import sla_filter

from . import permissions as perms
from .models import OPEN_STATUSES, ErrorReport, Status


def incident_list_for_user(*, user):
    """The reports `user` may see: Lånekassen those escalated to it."""
    return cases_for_user(
        ErrorReport.objects.select_related("organisation", "assignee", "reported_by"),
        user=user, lanekassen=Q(escalated_at__isnull=False))


def incident_filter(qs, *, status=None, severity=None, environment=None, organisation=None,
                    q=None):
    qs = sla_filter(qs, status=status, organisation=organisation, severity=severity,
                    environment=environment)
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
