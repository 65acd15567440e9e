"""The deadlines a security breach runs against, as data with their legal source.

Every clock counts elapsed time, not business hours, and is computed in UTC: 72 hours are 72
hours also across a change to or from summer time in Norway (a wall-clock sum in
Europe/Oslo would be an hour off).
"""

from dataclasses import dataclass
from datetime import UTC, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Phase


@dataclass(frozen=True)
class Clock:
    key: str
    name: str
    hours: int  # 0 for a clock counted in months
    months: int
    relative_to: str
    source: str


CLOCKS = (
    Clock("gdpr_33", _("Melding til Datatilsynet"), hours=72, months=0,
          relative_to=_("fra virksomheten ble kjent med bruddet"),
          source=_("GDPR art. 33 nr. 1: uten ugrunnet opphold og om mulig innen 72 timer; "
                   "senere melding må begrunnes")),
    Clock("dora_initial", _("DORA: innledende melding"), hours=4, months=0,
          relative_to=_("fra klassifisering som alvorlig IKT-hendelse, og senest 24 timer "
                        "fra virksomheten ble kjent med hendelsen"),
          source=_("DORA art. 19 nr. 4 a; delegert forordning (EU) 2025/301 art. 5 nr. 1")),
    Clock("dora_intermediate", _("DORA: mellomrapport"), hours=72, months=0,
          relative_to=_("fra innledende melding"),
          source=_("DORA art. 19 nr. 4 b; delegert forordning (EU) 2025/301 art. 5 nr. 2")),
    Clock("dora_final", _("DORA: sluttrapport"), hours=0, months=1,
          relative_to=_("fra siste mellomrapport"),
          source=_("DORA art. 19 nr. 4 c; delegert forordning (EU) 2025/301 art. 5 nr. 3")),
)
DORA_INITIAL_LATEST = timedelta(hours=24)

ON_TRACK, DUE_SOON, OVERDUE, MET, MET_LATE = "on_track", "due_soon", "overdue", "met", "met_late"
STATE_LABELS = {
    ON_TRACK: _("I rute"), DUE_SOON: _("Frist nærmer seg"), OVERDUE: _("Forfalt"),
    MET: _("Oppfylt"), MET_LATE: _("Oppfylt for sent"),
}


def utc(value):
    return value.astimezone(UTC) if value is not None else None


def add_months(value, months):
    """`value` plus whole months, in UTC, the day kept or moved back to the month's last."""
    value = utc(value)
    month0 = value.month - 1 + months
    year, month = value.year + month0 // 12, month0 % 12 + 1
    for day in range(value.day, 27, -1):
        try:
            return value.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return value.replace(year=year, month=month, day=min(value.day, 28))


def _after(clock, start):
    if clock.months:
        return add_months(start, clock.months)
    return utc(start) + timedelta(hours=clock.hours)


def _state(due, met_at, length, now):
    if met_at is not None:
        return MET if met_at <= due else MET_LATE
    left = due - now
    if left < timedelta(0):
        return OVERDUE
    return DUE_SOON if left <= length / 4 else ON_TRACK


def gdpr_due(breach):
    return _after(CLOCKS[0], breach.aware_at)


def _phase_times(reports):
    initial = [r.submitted_at for r in reports if r.phase == Phase.INITIAL]
    intermediate = [r.submitted_at for r in reports if r.phase == Phase.INTERMEDIATE]
    final = [r.submitted_at for r in reports if r.phase == Phase.FINAL]
    return initial, intermediate, final


def breach_clocks(breach, reports=None, *, now=None):
    """The running and met clocks of `breach`: for each, the clock (name, source), its start,
    due time, when met, the state, and the time left. DORA's clocks run only once the bank
    has classified the breach as a major ICT incident; each waits for the one before."""
    now = utc(now or timezone.now())
    reports = list(reports if reports is not None else breach.reports.all())
    initial, intermediate, final = _phase_times(reports)
    by_key = {c.key: c for c in CLOCKS}
    rows = []

    def add(clock, start, due, met_at):
        length = due - start
        rows.append({"clock": clock, "key": clock.key, "start": start, "due": due,
                     "met_at": met_at, "state": _state(due, met_at, length, now),
                     "left": due - now if met_at is None else None})

    authority_met = breach.authority_notified_at or breach.authority_decided_at
    add(by_key["gdpr_33"], utc(breach.aware_at), gdpr_due(breach), utc(authority_met))
    if breach.dora_major and breach.dora_classified_at is not None:
        classified = utc(breach.dora_classified_at)
        due = min(_after(by_key["dora_initial"], classified),
                  utc(breach.aware_at) + DORA_INITIAL_LATEST)
        # An initial report given before the classification serves as the initial notice.
        add(by_key["dora_initial"], classified, due, utc(initial[0]) if initial else None)
        if initial:
            start = utc(initial[0])
            add(by_key["dora_intermediate"], start, _after(by_key["dora_intermediate"], start),
                utc(intermediate[0]) if intermediate else None)
        if intermediate:
            start = utc(intermediate[-1])
            add(by_key["dora_final"], start, _after(by_key["dora_final"], start),
                utc(final[0]) if final else None)
    return rows


def next_deadline(breach, reports=None, *, now=None):
    """The nearest unmet due time (None when every clock is met)."""
    open_rows = [r for r in breach_clocks(breach, reports, now=now) if r["met_at"] is None]
    return min((r["due"] for r in open_rows), default=None)
