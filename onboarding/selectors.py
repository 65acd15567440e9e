"""Reads for onboarding, always scoped to what the user may see."""

from datetime import timedelta

from django.contrib.auth.tokens import default_token_generator
from django.db.models.functions import Lower, Trim
from django.http import Http404
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from accounts.models import Membership, Organisation
from accounts.permissions import is_bank_user, is_staff_side
from balances import selectors as balances
from casework.selectors import timeline_for

from . import permissions as perms
from .models import (
    CLOSED_STATUSES,
    STEPS,
    TURN,
    Actor,
    OnboardingCase,
    Status,
    TermsSignature,
    TermsVersion,
)

# --- cases --------------------------------------------------------------------------------


def case_list_for_user(*, user):
    qs = OnboardingCase.objects.select_related("organisation", "registered_by")
    if is_staff_side(user):
        return qs
    if is_bank_user(user):
        return qs.filter(organisation_id=user.membership.organisation_id)
    return qs.none()


def case_get_for_user(*, user, reference):
    """The case if the user may see it; 404 otherwise — the same answer as for no case."""
    case = case_list_for_user(user=user).filter(reference=reference).first()
    if case is None or not perms.can_view(case, user):
        raise Http404
    return case


def case_for_bank_user(*, user):
    if not is_bank_user(user):
        return None
    return case_list_for_user(user=user).first()


def case_timeline(*, case, user):
    return timeline_for(obj=case, visibilities=perms.visible_message_kinds(user))


def registrant_for_token(*, uidb64, token):
    """The (user, case) a verification link is for, if the link is still good; else None."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    case = (OnboardingCase.objects.select_related("registered_by", "organisation")
            .filter(registered_by_id=pk, registrant_verified_at__isnull=True).first())
    if case is None or not default_token_generator.check_token(case.registered_by, token):
        return None
    return case.registered_by, case


# --- working days -------------------------------------------------------------------------


def working_days(calendar, start, end):
    """Whole working days from `start` to `end` on Bits' calendar (the start day not counted,
    so something done the same day took 0 working days)."""
    if start is None or end is None:
        return None
    day, last = timezone.localtime(start).date(), timezone.localtime(end).date()
    count = 0
    while day < last:
        day += timedelta(days=1)
        if not calendar.is_closed_day(day):
            count += 1
    return count


def _waiting_since(case):
    if case.status == Status.SUBMITTED and case.registrant_verified_at:
        return max(case.status_changed_at, case.registrant_verified_at)
    return case.status_changed_at


def case_waiting_days(case, calendar, now=None):
    return working_days(calendar, _waiting_since(case), now or timezone.now())


def case_steps(case, calendar, now=None):
    """The four steps of process A for the case page: done / current (with whose turn) /
    to come, and the working days each took (so far)."""
    now = now or timezone.now()
    bounds = {
        "A.1": (case.created_at, case.verified_at),
        "A.2": (case.verified_at, case.signed_at),
        "A.3": (case.signed_at, case.test_approved_at),
        "A.4": (case.test_approved_at, case.completed_at),
    }
    current = case.step
    closed = case.status in CLOSED_STATUSES
    steps = []
    for code, label, _statuses in STEPS:
        start, end = bounds[code]
        if end is not None:
            state = "done"
        elif closed and (code == current or start is not None):
            state = "stopped"  # rejected or offboarded while this step was under way
        elif code == current:
            state = "current"
        else:
            state = "todo"
        days = working_days(calendar, start, end or (now if state == "current" else None))
        steps.append({"code": code, "label": label, "state": state, "days": days,
                      "turn": case.turn_label if state == "current" else "",
                      "status": case.get_status_display() if state in ("current", "stopped")
                      else ""})
    return steps


def case_suspension(case):
    """None, or (since, reason) while the bank's API access is suspended: read from
    `balances`, the one record of it."""
    return balances.api_suspension_for(organisation=case.organisation)


# A registration Bits has still to decide on.
REGISTRATION_STATUSES = (Status.SUBMITTED, Status.RETURNED)


def name_clashes(*, organisations):
    """{organisation id: [the other organisations with the same name]} for those of
    `organisations` whose name (case and surrounding spaces aside) another organisation in
    the portal already has: names are not unique, and a registration under an existing
    bank's name is how someone would pass for it. One query."""
    names = {o.name.strip().lower() for o in organisations}
    if not names:
        return {}
    same = list(Organisation.objects.annotate(key=Lower(Trim("name")))
                .filter(key__in=names).order_by("name", "orgnr"))
    clashes = {}
    for organisation in organisations:
        others = [o for o in same if o.pk != organisation.pk
                  and o.name.strip().lower() == organisation.name.strip().lower()]
        if others:
            clashes[organisation.pk] = others
    return clashes


def pipeline(*, user, calendar, now=None):
    """Bits' board: open cases grouped by step, each with whose turn it is, how many working
    days it has waited and its bank's suspension (if any); finished cases counted."""
    if not perms.can_see_pipeline(user):
        return None
    now = now or timezone.now()
    cases = list(case_list_for_user(user=user).order_by("status_changed_at"))
    suspensions = balances.api_suspensions(organisations=[c.organisation_id for c in cases])

    clashes = name_clashes(organisations=[c.organisation for c in cases
                                          if c.status in REGISTRATION_STATUSES])

    def row(case):
        return {"case": case, "turn": case.turn, "turn_label": case.turn_label,
                "waiting": case_waiting_days(case, calendar, now),
                "suspension": suspensions.get(case.organisation_id),
                "name_clash": clashes.get(case.organisation_id, [])}

    columns = []
    for code, label, statuses in STEPS:
        rows = [row(c) for c in cases if c.status in statuses and c.status != Status.REJECTED]
        columns.append({"code": code, "label": label, "rows": rows})
    return {
        "columns": columns,
        "in_production": [row(c) for c in cases if c.status == Status.COMPLETED],
        "closed": [c for c in cases if c.status in CLOSED_STATUSES],
        "suspended": [c for c in cases if c.organisation_id in suspensions],
        "my_turn": sum(1 for col in columns for r in col["rows"]
                       if r["turn"] == _actor_of(user)),
    }


def cases_waiting_for(*, user):
    """The open cases where it is `user`'s side's move (Bits or Lånekassen), oldest first."""
    actor = _actor_of(user)
    if actor not in (Actor.BITS, Actor.LANEKASSEN):
        return OnboardingCase.objects.none()
    statuses = [status for status, turn in TURN.items() if turn == actor]
    qs = case_list_for_user(user=user).filter(status__in=statuses)
    if Status.SUBMITTED in statuses:
        # A registration is Bits' once the registrant has confirmed the address.
        qs = qs.exclude(status=Status.SUBMITTED, registrant_verified_at__isnull=True)
    return qs.order_by("status_changed_at")


def _actor_of(user):
    from accounts.permissions import is_bits, is_lanekassen

    if is_bits(user):
        return Actor.BITS
    if is_lanekassen(user):
        return Actor.LANEKASSEN
    return Actor.BANK if is_bank_user(user) else None


# --- terms --------------------------------------------------------------------------------


def terms_current():
    return TermsVersion.objects.order_by("-published_at", "-pk").first()


def terms_versions():
    return TermsVersion.objects.select_related("published_by").order_by("-published_at", "-pk")


def terms_get(*, pk):
    terms = TermsVersion.objects.filter(pk=pk).first()
    if terms is None:
        raise Http404
    return terms


def terms_signature(*, organisation, terms):
    if organisation is None or terms is None:
        return None
    return TermsSignature.objects.filter(organisation=organisation, terms=terms).first()


def signers_of(*, organisation):
    """Who in the bank can sign (for a member without signing authority)."""
    return [m.user for m in Membership.objects.filter(
        organisation=organisation, can_sign=True, user__is_active=True).select_related("user")]


def signatures_for_organisation(*, user, organisation):
    if not perms.can_see_keys(user, organisation):  # the bank itself, Bits and Lånekassen
        return TermsSignature.objects.none()
    return TermsSignature.objects.filter(organisation=organisation).select_related("terms")


def signing_status(*, user, terms):
    """For Bits and Lånekassen: every bank that must sign `terms` — those that signed an
    earlier version, are in production or past A.1 — and whether and when it has signed."""
    if not perms.can_see_signing_status(user) or terms is None:
        return None
    signed = {s.organisation_id: s for s in TermsSignature.objects.filter(terms=terms)}
    banks = (Organisation.objects.filter(kind=Organisation.Kind.BANK)
             .exclude(onboarding_case__status__in=[Status.SUBMITTED, Status.RETURNED,
                                                   Status.REJECTED, Status.OFFBOARDED])
             .select_related("onboarding_case").order_by("name"))
    today = timezone.localdate()
    rows = []
    for bank in banks:
        signature = signed.get(bank.pk)
        rows.append({"organisation": bank, "signature": signature,
                     "overdue": signature is None and terms.sign_by is not None
                     and terms.sign_by < today})
    rows.sort(key=lambda r: (r["signature"] is not None, r["organisation"].name))
    return rows


# --- API keys -----------------------------------------------------------------------------


def api_keys_for_user(*, user, organisation):
    """The bank's keys (ids, never keys), from `balances`; none for someone who may not see
    them."""
    keys = balances.api_keys_for_organisation(organisation=organisation)
    if not perms.can_see_keys(user, organisation):
        return keys.none()
    return keys.order_by("environment", "-created_at")


def api_key_get_for_admin(*, user, pk):
    """A key of the user's own bank, for an admin to rotate or revoke; 404 for anyone else."""
    key = balances.api_key_get_for_user(user=user, pk=pk)
    if key is None or not perms.can_manage_keys(user, key.organisation):
        raise Http404
    return key


def api_access_for_user(*, user, organisation):
    if not perms.can_see_keys(user, organisation):
        return []
    return list(balances.api_access_for_organisation(organisation=organisation)
                .order_by("environment"))


def case_search(*, user, text, limit=20):
    """The portal's search (the case-type registry): the onboarding cases `user` may see whose
    reference or bank (orgnr or name, the supplier's too) match `text`, newest first."""
    from casework.search import text_match

    return text_match(case_list_for_user(user=user), text,
                      fields=("organisation__name", "supplier_name", "supplier_orgnr")
                      ).order_by("-created_at")[:limit]
