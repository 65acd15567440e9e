"""What onboarding offers the rest of the portal through the case-type registry (registered
in `apps.OnboardingConfig.ready()`): the timeline's words for its events and the home page's
panel."""

from datetime import datetime, time

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.permissions import is_bank_user, is_bits, is_lanekassen, is_org_admin

from . import selectors
from .models import Actor

# What the timeline says each audit event of an onboarding case did.
VERB_LABELS = {
    "registered": gettext_lazy("registrerte banken"),
    "registrant_verified": gettext_lazy("bekreftet e-postadressen"),
    "registrant_corrected": gettext_lazy("rettet registrantens e-postadresse og sendte ny lenke"),
    "verified": gettext_lazy("godkjente registreringen"),
    "returned": gettext_lazy("returnerte registreringen for endringer"),
    "resubmitted": gettext_lazy("sendte inn registreringen på nytt"),
    "rejected": gettext_lazy("avviste registreringen"),
    "registration_reopened": gettext_lazy("åpnet registreringen igjen"),
    "terms_signed": gettext_lazy("signerte bruksvilkårene"),
    "test_ordered": gettext_lazy("bestilte testtilgang"),
    "test_granted": gettext_lazy("ga testtilgang"),
    "test_reported": gettext_lazy("meldte integrasjonstesten fullført"),
    "test_approved": gettext_lazy("godkjente integrasjonstesten"),
    "test_returned": gettext_lazy("sendte integrasjonstesten tilbake"),
    "readiness_confirmed": gettext_lazy("meldte banken klar for produksjon"),
    "production_granted": gettext_lazy("ga produksjonstilgang"),
    "routines_confirmed": gettext_lazy("bekreftet forvaltningsrutinene – banken er i produksjon"),
    "suspended": gettext_lazy("suspenderte API-tilgangen"),
    "unsuspended": gettext_lazy("opphevet suspensjonen"),
    "offboarded": gettext_lazy("avsluttet banken i tjenesten"),
    "api_key_created": gettext_lazy("opprettet en API-nøkkel"),
    "api_key_rotated": gettext_lazy("roterte en API-nøkkel"),
    "api_key_revoked": gettext_lazy("trakk tilbake en API-nøkkel"),
}


def event_detail(event):
    """The terms version signed, or the id of the API key an event was about (never a key)."""
    data = event.data or {}
    if data.get("version"):
        return f"({_('versjon')} {data['version']})"
    if data.get("prefix"):
        return f"({data['prefix']}…)"
    return ""


def message_visibilities(case, user):
    from . import permissions as perms

    return perms.visible_message_kinds(user)


def _item(case):
    return {"label": f"{case.reference} {case.organisation.name} – {case.get_status_display()}",
            "url": case.get_absolute_url()}


def home_panel(request):
    """The onboarding steps waiting for the person: for Bits the cases on Bits' move, for
    Lånekassen the access to grant, for a bank's admin their own case's next step; for a bank
    the terms to sign (with their deadline). `waiting` feeds the home page's queue."""
    user = request.user
    if is_bits(user) or is_lanekassen(user):
        waiting = list(selectors.cases_waiting_for(user=user).select_related("organisation"))
        return {
            "title": _("Onboarding som venter på Bits") if is_bits(user)
            else _("Tilganger å gi (onboarding)"),
            "count": len(waiting),
            "url": reverse("onboarding:index"),
            "items": [_item(c) for c in waiting[:5]],
            "waiting": [_waiting_item(c, label=f"{c.reference} {c.organisation.name}")
                        for c in waiting],
        }
    if not is_bank_user(user):
        return None
    waiting = _terms_to_sign(user)
    case = selectors.case_for_bank_user(user=user) if is_org_admin(user) else None
    if case is not None and case.is_open and case.turn == Actor.BANK:
        waiting.append(_waiting_item(case, label=case.reference))
    if case is None or not case.is_open:
        return {"key": "onboarding", "waiting": waiting} if waiting else None
    return {
        "title": _("Deres neste steg"),
        "count": 1 if case.turn == Actor.BANK else 0,
        "url": case.get_absolute_url(),
        "items": [_item(case)],
        "waiting": waiting,
    }


def _waiting_item(case, *, label):
    return {"url": case.get_absolute_url(), "process": _("Onboarding"), "label": label,
            "text": case.get_status_display(), "since": case.status_changed_at, "due": None,
            "sla": None}


def _terms_to_sign(user):
    """The current terms, if the bank has signed an earlier version and not this one: a
    signature is due (by `sign_by`, when Lånekassen set one)."""
    terms = selectors.terms_current()
    organisation = user.organisation
    if terms is None or selectors.terms_signature(organisation=organisation, terms=terms):
        return []
    if not selectors.signatures_for_organisation(user=user, organisation=organisation).exists():
        return []  # never signed: signing is a step of the bank's onboarding case
    due = None
    if terms.sign_by:
        due = timezone.make_aware(datetime.combine(terms.sign_by, time.max))
    return [{"url": reverse("onboarding:terms"), "process": _("Bruksvilkår"),
             "label": _("Signer bruksvilkår versjon %(v)s") % {"v": terms.version},
             "text": (_("frist %(d)s") % {"d": terms.sign_by.strftime("%d.%m.%Y")})
             if terms.sign_by else _("ingen frist satt"),
             "since": terms.published_at, "due": due, "sla": None}]
