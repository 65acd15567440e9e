"""SLA clocks on Bits' opening hours: due times and whether a target is on track."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .calendar import DEFAULT_OPENING_HOURS, BusinessCalendar, OpeningHoursRule
from .models import OpeningHours, SlaTarget

# A target is "at risk" when less than this share of its business time is left.
AT_RISK_SHARE = 0.25

STATE_LABELS = {
    "met": _("Nådd"),
    "on_track": _("I rute"),
    "at_risk": _("I fare"),
    "breached": _("Brutt"),
    "paused": _("Pauset (venter på banken)"),
}


def calendar_get() -> BusinessCalendar:
    """Bits' calendar from the opening hours kept as data (defaults if none are stored)."""
    rows = list(OpeningHours.objects.all().order_by("pk"))
    if not rows:
        return BusinessCalendar(DEFAULT_OPENING_HOURS)
    rules = [
        OpeningHoursRule(
            valid_from_month_day=(r.from_month, r.from_day),
            valid_to_month_day=(r.to_month, r.to_day),
            weekdays=frozenset(int(d) for d in r.weekdays.split(",") if d.strip()),
            opens=r.opens, closes=r.closes,
        )
        for r in rows
    ]
    return BusinessCalendar(rules)


def sla_targets(*, process, severity) -> tuple[timedelta, timedelta] | None:
    target = SlaTarget.objects.filter(process=process, severity=severity).first()
    if target is None:
        return None
    return (timedelta(minutes=target.first_response_minutes),
            timedelta(minutes=target.resolution_minutes))


def sla_targets_map(*, process) -> dict[str, tuple[timedelta, timedelta]]:
    """All targets of a process in one query, for lists."""
    return {
        t.severity: (timedelta(minutes=t.first_response_minutes),
                     timedelta(minutes=t.resolution_minutes))
        for t in SlaTarget.objects.filter(process=process)
    }


def due_at(*, calendar, start, target: timedelta, paused: timedelta) -> datetime:
    """When a target falls due: `target` business time after `start`, plus the paused time."""
    return calendar.add(start, target + paused)


@dataclass(frozen=True)
class SlaState:
    state: str
    due: datetime | None
    remaining: timedelta | None

    @property
    def label(self):
        return STATE_LABELS[self.state]


def sla_state(*, calendar, target: timedelta, due: datetime | None, met_at: datetime | None,
              paused: bool, now: datetime | None = None) -> SlaState | None:
    if due is None:
        return None
    now = now or timezone.now()
    if met_at is not None:
        return SlaState("met" if met_at <= due else "breached", due, None)
    if now > due:
        return SlaState("breached", due, timedelta(0))
    remaining = calendar.between(now, due)
    if paused:
        return SlaState("paused", due, remaining)
    if remaining < target * AT_RISK_SHARE:
        return SlaState("at_risk", due, remaining)
    return SlaState("on_track", due, remaining)


def due_times(*, process, key, start, paused_seconds=0, calendar=None):
    """(first response due, resolution due) for a case of `process` opened at `start` under the
    targets for `key` (a severity, a category), moved by the business time spent waiting for
    the bank; (None, None) when the process has no target for `key`."""
    targets = sla_targets(process=process, severity=key)
    if targets is None:
        return None, None
    calendar = calendar or calendar_get()
    paused = timedelta(seconds=paused_seconds)
    first, resolution = targets
    return calendar.add(start, first + paused), calendar.add(start, resolution + paused)


def case_clocks(*, calendar, targets, created_at, paused_since, paused_seconds, first_due,
                resolution_due, first_response_at, resolved_at, now=None):
    """The first-response and resolution clocks of a case, for its page and the queue.

    While the case waits for the bank (`paused_since`), the clock stands still: the stored due
    times move with the wait. `resolved_at` is None unless the case counts as resolved now.
    """
    if targets is None:
        return None
    now = now or timezone.now()
    first, resolution = targets
    paused = paused_since is not None
    if paused:
        total = timedelta(seconds=paused_seconds) + calendar.between(paused_since, now)
        first_due = calendar.add(created_at, first + total)
        resolution_due = calendar.add(created_at, resolution + total)
    return {
        "first_response": sla_state(calendar=calendar, target=first, due=first_due,
                                    met_at=first_response_at, paused=paused, now=now),
        "resolution": sla_state(calendar=calendar, target=resolution, due=resolution_due,
                                met_at=resolved_at, paused=paused, now=now),
    }


def sla_clocks(*, case, calendar, targets_map=None, now=None):
    """The clocks of an `SlaCase` (as `case_clocks`), for its page, its queue and the home
    page; None when its process sets no targets for its key. A list passes `targets_map`
    (`sla_targets_map` of the case type's process) so that no row costs a query."""
    if targets_map is None:
        targets_map = sla_targets_map(process=case.sla_process)
    return case_clocks(calendar=calendar, targets=targets_map.get(case.sla_key),
                       created_at=case.created_at, paused_since=case.paused_since,
                       paused_seconds=case.paused_seconds, first_due=case.first_response_due,
                       resolution_due=case.resolution_due,
                       first_response_at=case.first_response_at,
                       resolved_at=case.sla_resolved_at, now=now)


def sla_facts(case):
    """What the SLA report needs of an `SlaCase` (`casework.registry.CaseType.sla_facts`)."""
    return {"key": case.sla_key, "key_label": case.sla_key_display(),
            "first_response_at": case.first_response_at, "resolved_at": case.sla_resolved_at}


# The order of risk on a queue that spans processes (the home page): breached first.
RISK_ORDER = {"breached": 0, "at_risk": 1, "on_track": 2, "paused": 3}


def clock_most_at_risk(clocks) -> SlaState | None:
    """Of a case's clocks ({"first_response": SlaState, "resolution": SlaState} or None), the
    one not yet met that is most at risk (then the earliest due); None if all are met."""
    running = [c for c in (clocks or {}).values() if c is not None and c.state != "met"]
    if not running:
        return None
    return min(running, key=lambda c: (RISK_ORDER.get(c.state, 9), c.due))
