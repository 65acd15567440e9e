"""Many error reports in one insert, for the tests that prove a page costs the same number of
queries for 10 cases as for 1,000 (made the real way, 1,000 reports would take minutes)."""

from datetime import timedelta

from django.utils import timezone

from incidents.models import ErrorReport, Severity, Status

STATUSES = [Status.NEW, Status.IN_PROGRESS, Status.AWAITING_BANK, Status.ESCALATED,
            Status.FIXED, Status.RESOLVED, Status.CLOSED]
SEVERITIES = list(Severity.values)


def bulk_error_reports(count, *, reporter, start, assignee=None):
    """`count` reports from `reporter`'s bank, numbered FM-2000-<start…>, spread over every
    status and severity; each says "Feil nummer <i> i saldoen" and carries request id
    req-<i as 8 digits>; every third one is unassigned."""
    now = timezone.now()
    reports = []
    for i in range(start, start + count):
        status = STATUSES[i % len(STATUSES)]
        reports.append(ErrorReport(
            reference=f"FM-2000-{i:04d}", organisation=reporter.membership.organisation,
            reported_by=reporter, environment="production" if i % 2 else "test",
            severity=SEVERITIES[i % len(SEVERITIES)], occurred_at=now - timedelta(hours=1),
            request_ids=[f"req-{i:08d}"], summary=f"Feil nummer {i} i saldoen",
            description="Masseopprettet.", status=status, assignee=assignee if i % 3 else None,
            created_at=now - timedelta(minutes=i), first_response_due=now + timedelta(hours=i),
            resolution_due=now + timedelta(hours=2 * i),
            escalated_at=now if status in (Status.ESCALATED, Status.FIXED) else None,
            first_response_at=now if i % 4 == 0 else None,
            resolved_at=now if status in (Status.RESOLVED, Status.CLOSED) else None,
        ))
    ErrorReport.objects.bulk_create(reports)
