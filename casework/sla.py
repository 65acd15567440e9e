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
