"""Writing a notice: the rules a notice must meet, and the draft's creation and edits."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.errors import DomainError
from casework.runner import case_open, case_update, require_text

from .. import permissions as perms
from ..models import Kind, Notice


def notice_problems(*, kind, environments, components, window_start=None, window_end=None,
                    effective_test=None, effective_production=None, publish_at=None,
                    now=None, publishing=False):
    """What is wrong with a notice, as (field, message) pairs; empty when it may be saved.

    `publishing` adds the rules that only matter once it goes out (a window already over).
    """
    now = now or timezone.now()
    problems = []
    environments = list(environments or [])
    if not environments:
        problems.append(("environments", _("Velg minst ett miljø.")))
    if not components:
        problems.append(("components", _("Velg minst én berørt komponent.")))
    if kind == Kind.MAINTENANCE:
        if not window_start:
            problems.append(("window_start", _("Oppgi når vedlikeholdet starter.")))
        if not window_end:
            problems.append(("window_end", _("Oppgi når vedlikeholdet slutter.")))
        if window_start and window_end and window_end <= window_start:
            problems.append(("window_end", _("Vedlikeholdet må slutte etter at det starter.")))
        elif publishing and window_end and window_end <= now:
            problems.append(("window_end", _("Vedlikeholdsvinduet er allerede over.")))
    if kind == Kind.CHANGE:
        if "test" in environments and not effective_test:
            problems.append(("effective_test", _("Oppgi datoen endringen gjelder fra i test.")))
        if "production" in environments and not effective_production:
            problems.append(("effective_production",
                             _("Oppgi datoen endringen gjelder fra i produksjon.")))
        if (effective_test and effective_production
                and effective_production < effective_test):
            problems.append(("effective_production",
                             _("Endringen kan ikke gjelde i produksjon før den gjelder i test.")))
    if publish_at is not None and publish_at <= now:
        problems.append(("publish_at", _("Tidspunktet for publisering har allerede vært.")))
    return problems


def raise_first(problems):
    """The first problem as a DomainError on its field (nothing if there is none)."""
    if problems:
        field, message = problems[0]
        raise DomainError(message, field=field)


def notice_fields_problems(notice, *, publishing=False, publish_at=None, now=None):
    """`notice_problems` for a saved notice."""
    return notice_problems(
        kind=notice.kind, environments=notice.environments,
        components=list(notice.components.all()), window_start=notice.window_start,
        window_end=notice.window_end, effective_test=notice.effective_test,
        effective_production=notice.effective_production, publish_at=publish_at, now=now,
        publishing=publishing)


def require_author(by):
    if not perms.can_author(by):
        raise DomainError(_("Bare Lånekassen kan skrive driftsmeldinger."))


def _field_values(*, kind, severity, environments, title, body, window_start=None,
                  window_end=None, effective_test=None, effective_production=None):
    """The model fields for what was written; only the fields of the notice's kind are kept."""
    title = require_text(title, _("Skriv en tittel."), field="title")
    body = require_text(body, _("Skriv en tekst."), field="body")
    is_maintenance, is_change = kind == Kind.MAINTENANCE, kind == Kind.CHANGE
    return {
        "kind": kind, "severity": severity, "title": title, "body": body,
        "affects_test": "test" in environments,
        "affects_production": "production" in environments,
        "window_start": window_start if is_maintenance else None,
        "window_end": window_end if is_maintenance else None,
        "effective_test": effective_test if is_change else None,
        "effective_production": effective_production if is_change else None,
    }


def notice_create(*, by, kind, severity, environments, components, title, body,
                  window_start=None, window_end=None, effective_test=None,
                  effective_production=None):
    """Lånekassen writes a notice; it is saved as a draft.

    Side effects: a Notice (draft) with a new reference (DM-<year>-<n>), its components, an
    audit event.
    """
    require_author(by)
    if kind not in Kind.values:
        raise DomainError(_("Ukjent type driftsmelding."), field="kind")
    raise_first(notice_problems(kind=kind, environments=environments, components=components,
                                window_start=window_start, window_end=window_end,
                                effective_test=effective_test,
                                effective_production=effective_production))
    values = _field_values(kind=kind, severity=severity, environments=environments,
                           title=title, body=body, window_start=window_start,
                           window_end=window_end, effective_test=effective_test,
                           effective_production=effective_production)
    with transaction.atomic():
        notice = case_open(model=Notice, by=by, prefix="DM", verb="created",
                           fields={**values, "created_by": by},
                           data={"kind": kind, "severity": severity})
        notice.components.set(components)
    return notice


def notice_edit(*, notice, by, kind, severity, environments, components, title, body,
                window_start=None, window_end=None, effective_test=None,
                effective_production=None):
    """Change a draft or a notice waiting to be published.

    Side effects: the notice and its components, an audit event."""
    require_author(by)
    raise_first(notice_problems(kind=kind, environments=environments, components=components,
                                window_start=window_start, window_end=window_end,
                                effective_test=effective_test,
                                effective_production=effective_production))
    values = _field_values(kind=kind, severity=severity, environments=environments,
                           title=title, body=body, window_start=window_start,
                           window_end=window_end, effective_test=effective_test,
                           effective_production=effective_production)

    def change(locked):
        for name, value in values.items():
            setattr(locked, name, value)
        locked.components.set(components)

    notice, _message = case_update(
        case=notice, by=by, verb="edited", change=change,
        allowed=lambda n, user: perms.can_author(user) and n.is_editable,
        denied=_("En publisert driftsmelding endres ikke; legg til en oppdatering i stedet."))
    return notice
