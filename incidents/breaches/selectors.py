"""Reads for security breaches, always scoped to what the user may see."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext

from accounts.permissions import is_bits, is_lanekassen
from casework.selectors import timeline_for
from notifications.models import Acknowledgement

from . import permissions as perms
from .clocks import breach_clocks, next_deadline
from .models import FACT_FIELDS, OPEN_STATUSES, Breach, BreachView, Nature, Source


def breach_list_for_user(*, user):
    qs = Breach.objects.select_related("organisation", "reported_by")
    if is_bits(user) or is_lanekassen(user):
        return qs
    if perms.is_security_side(user):
        org = user.membership.organisation_id
        return qs.filter(Q(source=Source.BANK, organisation_id=org)
                         | Q(source=Source.LANEKASSEN, affected_organisations__id=org)).distinct()
    return qs.none()


def breach_get_for_user(*, user, reference):
    """The breach if the user may see it; 404 otherwise — the same answer as for none."""
    breach = breach_list_for_user(user=user).filter(reference=reference).first()
    if breach is None or not perms.can_view(breach, user):
        raise Http404
    return breach


def breach_timeline(*, breach, user):
    return timeline_for(obj=breach, visibilities=perms.visible_message_kinds(user))


def breach_views(*, breach, user):
    """Who opened the case and when (Lånekassen only)."""
    if not perms.can_see_views(user):
        return BreachView.objects.none()
    return breach.views.select_related("user__membership__organisation")


def breach_versions(*, breach):
    """The phase reports in order, each with the facts that changed since the one before
    (`changed`: the field names), for reading them side by side."""
    versions = list(breach.reports.select_related("submitted_by"))
    previous = None
    for version in versions:
        version.changed = ({k for k in FACT_FIELDS if previous is not None
                            and previous.facts.get(k) != version.facts.get(k)})
        previous = version
    return versions


def breach_acknowledgements(*, breach):
    """C.3: each affected bank's acknowledgement (asked, given, reminders)."""
    return (Acknowledgement.objects.filter(
        subject_type=ContentType.objects.get_for_model(Breach), subject_id=breach.pk)
        .select_related("organisation", "acknowledged_by").order_by("organisation__name"))


def breach_acknowledged_by_user_bank(*, breach, user):
    if not perms.is_affected_bank(breach, user):
        return None
    return breach_acknowledgements(breach=breach).filter(
        organisation_id=user.membership.organisation_id).first()


def breach_queue(*, user, now=None, open_only=True):
    """The breaches `user` may see with their clocks, nearest unmet deadline first (those
    with every clock met last)."""
    qs = breach_list_for_user(user=user).prefetch_related("reports")
    if open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    rows = []
    for breach in qs:
        reports = list(breach.reports.all())
        rows.append({"breach": breach, "clocks": breach_clocks(breach, reports, now=now),
                     "next_due": next_deadline(breach, reports, now=now)})
    far = [r for r in rows if r["next_due"] is None]
    near = sorted((r for r in rows if r["next_due"] is not None), key=lambda r: r["next_due"])
    return near + sorted(far, key=lambda r: r["breach"].created_at, reverse=True)


def fact_display(name, value):
    """A stored fact as a person reads it: choices by their label, times in local time,
    yes/no for booleans."""
    if value is None or value == "":
        return ""
    if isinstance(value, list):
        return ", ".join(fact_display(name, v) for v in value)
    if isinstance(value, bool):
        return gettext("Ja") if value else gettext("Nei")
    field = Breach._meta.get_field(name)
    choices = dict(field.flatchoices) or (dict(Nature.choices) if name == "nature" else {})
    if str(value) in choices:
        return str(choices[str(value)])
    if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T":
        parsed = parse_datetime(value)
        if parsed is not None:
            return date_format(timezone.localtime(parsed), "d.m.Y H:i")
    return value


def breach_comparison(versions):
    """The phase reports side by side: one row per fact, one cell per version, `changed` set
    where the version says something other than the one before it."""
    rows = []
    for name in FACT_FIELDS:
        label = capfirst(Breach._meta.get_field(name).verbose_name)
        cells = [{"value": fact_display(name, version.facts.get(name)),
                  "changed": name in version.changed} for version in versions]
        rows.append({"name": name, "label": label, "cells": cells,
                     "changed": any(c["changed"] for c in cells)})
    return rows


def breach_search(*, user, text, limit=20):
    """The portal's search (the case-type registry): the breaches `user` may see whose
    reference, bank or words match `text`, newest first."""
    from casework.search import text_match

    return text_match(breach_list_for_user(user=user), text,
                      fields=("description",)).order_by("-created_at")[:limit]
