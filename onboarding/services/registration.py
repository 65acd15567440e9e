"""A.1 registration: a bank registers itself, the registrant confirms the address, Bits checks
the registration (verify, return for changes, reject, reopen) and corrects a mistyped address.
"""

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from accounts.models import Organisation, User
from accounts.services import bank_register, organisation_mark_verified, organisation_rename
from casework.errors import DomainError
from casework.runner import Tell, case_open, case_update, lazy_title, require_text, transition_run
from casework.services import audit_record
from notifications.services import email_enqueue

from .. import permissions as perms
from ..models import OnboardingCase, Status
from . import recipients


def verification_path(user):
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("onboarding:verify", args=[uid, default_token_generator.make_token(user)])


def _verification_mail(case, user, event):
    """The link to confirm the address and set a password, keyed by the event that sent it
    (the registration, or a correction of the address)."""
    email_enqueue(
        to=user.email, subject=gettext_lazy("Bekreft e-postadressen din – Saldo på studielån"),
        template="onboarding/email/verify.txt",
        context={"case": case, "user": user, "path": verification_path(user)},
        key=f"onboarding:{case.pk}:{event.pk}:verify", language=user.language)


def _existing_address_tell(*, owner, orgnr, name):
    """Someone registered a bank with the address of an existing user: the owner is told by
    mail (the person registering is answered as if the address were new, so the form tells
    nobody which addresses have an account). Keyed by the audit event."""
    event = audit_record(obj=owner, actor=None, verb="registration_with_existing_email",
                         data={"orgnr": orgnr, "name": name})
    email_enqueue(
        to=owner.email,
        subject=gettext_lazy("Noen forsøkte å registrere en bank med e-postadressen din"),
        template="onboarding/email/registration_existing_address.txt",
        context={"user": owner, "orgnr": orgnr, "bank_name": name},
        key=f"onboarding:existing-address:{event.pk}", language=owner.language)


def onboarding_register(*, orgnr, name, contact_points, test_endpoints, registrant_name,
                        registrant_email, supplier_orgnr="", supplier_name=""):
    """A.1: a bank not yet in the portal registers itself (no login). Returns the case, or
    None when the registrant's address already belongs to a user.

    Inputs are checked by the form; `contact_points` is a list of dicts (kind, name, email,
    phone). An orgnr that already has a case, or is already in the portal, is refused (a
    DomainError on the field it is about: orgnrs are public).

    Side effects: an Organisation (bank, not yet verified by Bits), its ContactPoints, a User
    without a usable password who is the bank's admin, an OnboardingCase with a new reference,
    an audit event (by the registrant), and an e-mail to the registrant with the link to
    confirm the address and set a password. Bits is told once the address is confirmed.
    With an address that already has a user, nothing of this: an audit event on that user and
    an e-mail telling its owner, and the caller answers as for a new registration.
    """
    if OnboardingCase.objects.filter(organisation__orgnr=orgnr).exists():
        raise DomainError(_("Det finnes allerede en onboardingsak for organisasjonsnummer "
                            "%(orgnr)s. Ta kontakt med bankens administrator eller Bits.")
                          % {"orgnr": orgnr}, field="orgnr")
    if Organisation.objects.filter(orgnr=orgnr).exists():
        raise DomainError(_("Organisasjonsnummer %(orgnr)s er allerede registrert i "
                            "portalen. Ta kontakt med Bits.") % {"orgnr": orgnr}, field="orgnr")
    kinds = {cp["kind"] for cp in contact_points}
    if kinds != {"business", "technical", "security"}:
        raise DomainError(_("Oppgi kontaktpunkt for forretning, teknikk og sikkerhet."))
    owner = User.objects.filter(email__iexact=registrant_email.strip()).first()
    if owner is not None:
        with transaction.atomic():
            _existing_address_tell(owner=owner, orgnr=orgnr, name=name.strip())
        return None
    try:
        with transaction.atomic():
            organisation, user = bank_register(
                orgnr=orgnr, name=name, contact_points=contact_points,
                registrant_name=registrant_name, registrant_email=registrant_email)
            case = case_open(
                model=OnboardingCase, by=user, prefix="OB", verb="registered",
                fields={"organisation": organisation, "registered_by": user,
                        "supplier_orgnr": supplier_orgnr or "",
                        "supplier_name": (supplier_name or "").strip(),
                        "test_endpoints": list(test_endpoints)},
                data={"orgnr": orgnr, "registrant": user.email},
                on_event=lambda case, event: _verification_mail(case, user, event))
    except IntegrityError:
        # Two registrations of the same orgnr or e-mail at once: the database said no.
        raise DomainError(_("Organisasjonsnummeret eller e-postadressen er nettopp "
                            "registrert. Ta kontakt med Bits."), field="orgnr") from None
    return case


def registrant_verify(*, case, user, token, password):
    """The registrant confirms the e-mail address with the link and sets a password.

    Side effects: the password, registrant_verified_at, an audit event, Bits notified that a
    registration waits for them.
    """
    def confirm(case):
        if not default_token_generator.check_token(user, token):
            raise DomainError(_("Lenken er ugyldig eller har gått ut."))
        user.set_password(password)
        user.save(update_fields=["password"])
        case.registrant_verified_at = timezone.now()

    case, _message = case_update(
        case=case, by=user, verb="registrant_verified", change=confirm,
        allowed=lambda c, u: c.registered_by_id == u.pk and c.registrant_verified_at is None,
        denied=_("Lenken er allerede brukt."), data={"email": user.email},
        tell=lambda c: [Tell(recipients.bits(),
                             lazy_title(gettext_noop("Ny registrering fra %(bank)s (%(orgnr)s)"),
                                        bank=c.organisation.name, orgnr=c.organisation.orgnr))])
    return case


def onboarding_registrant_correct(*, case, by, email):
    """Bits corrects the e-mail address of a registrant who never confirmed it (a typo, a
    lost mail) and sends a new confirmation link, so the bank is not locked out of its own
    orgnr. The old link stops working: the token is bound to the address.

    Side effects: the user's e-mail, an audit event (old and new address), a new mail.
    """
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError(_("Oppgi en gyldig e-postadresse."), field="email") from None

    def correct(case):
        user = case.registered_by
        if (user is None or case.registrant_verified_at is not None
                or case.status not in (Status.SUBMITTED, Status.RETURNED)):
            raise DomainError(_("Registranten har allerede bekreftet e-postadressen."))
        if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
            raise DomainError(_("Det finnes allerede en bruker med denne e-postadressen."),
                              field="email")
        user = User.objects.select_for_update().get(pk=user.pk)
        old = user.email
        user.email = email
        user.save(update_fields=["email"])
        case.registered_by = user
        return {"from": old, "to": email}

    case, _message = case_update(
        case=case, by=by, verb="registrant_corrected", change=correct,
        allowed=perms.is_bits_handler,
        denied=_("Bare Bits kan rette registrantens e-postadresse."),
        on_event=lambda case, event: _verification_mail(case, case.registered_by, event))
    return case


def onboarding_verify(*, case, by):
    """A.1 → A.2: Bits has checked the registration.

    Side effects: status, the organisation verified (its users reach more than this case),
    audit, the bank's signers and admins told to sign the terms.
    """
    def registrant_confirmed(case):
        if case.registrant_verified_at is None:
            raise DomainError(_("Registranten har ikke bekreftet e-postadressen sin ennå."))
        organisation_mark_verified(organisation=case.organisation)

    return transition_run(
        case=case, by=by, name="verify", args=(timezone.now(),), verb="verified",
        hook=registrant_confirmed,
        tell=lambda c: [Tell(recipients.bank_signers(c.organisation),
                             gettext_lazy("Registreringen er godkjent – les og signer "
                                          "bruksvilkårene"))])


def onboarding_return(*, case, by, message):
    """Bits asks the bank to change the registration. Side effects: status, a public message,
    audit, the bank's admins notified."""
    message = require_text(message, _("Skriv hva banken må endre."))
    return transition_run(
        case=case, by=by, name="return_for_changes", verb="returned", message=message,
        tell=lambda c: [Tell(recipients.bank_admins(c.organisation),
                             gettext_lazy("Bits ber dere endre registreringen"))])


def onboarding_resubmit(*, case, by, name, supplier_orgnr, supplier_name, test_endpoints,
                        comment=""):
    """The bank corrects the registration and sends it to Bits again.

    Side effects: name, supplier and test endpoints, status, an optional public message,
    audit with the old and new values, Bits notified.
    """
    old = {}

    def correct(case):
        old.update({"name": case.organisation.name, "supplier_orgnr": case.supplier_orgnr,
                    "supplier_name": case.supplier_name, "test_endpoints": case.test_endpoints})
        organisation_rename(organisation=case.organisation, by=by, name=name)
        case.supplier_orgnr = supplier_orgnr or ""
        case.supplier_name = (supplier_name or "").strip()
        case.test_endpoints = list(test_endpoints)

    return transition_run(
        case=case, by=by, name="resubmit", verb="resubmitted", hook=correct,
        data=lambda c: {"from": old, "to": {
            "name": c.organisation.name, "supplier_orgnr": c.supplier_orgnr,
            "supplier_name": c.supplier_name, "test_endpoints": c.test_endpoints}},
        message=(comment or "").strip() or None,
        tell=lambda c: [Tell(recipients.bits(),
                             gettext_lazy("Banken har sendt inn registreringen på nytt"))])


def onboarding_reject(*, case, by, reason):
    """Bits rejects the registration. Side effects: status, a public message with the reason,
    audit, the bank's admins notified."""
    reason = require_text(reason, _("Skriv begrunnelsen for avslaget."))
    return transition_run(
        case=case, by=by, name="reject", args=(timezone.now(),), verb="rejected",
        message=reason, data={"reason": reason},
        tell=lambda c: [Tell(recipients.bank_admins(c.organisation),
                             gettext_lazy("Registreringen er avvist"))])


def onboarding_reopen_registration(*, case, by, message):
    """Bits takes back a rejection (one case per bank, so a rejected case would otherwise lock
    the orgnr for good): the registration goes back to the bank for changes.

    Side effects: status, a public message, audit, the bank's admins notified.
    """
    message = require_text(message, _("Skriv hva banken må endre før registreringen kan "
                                      "godkjennes."))
    return transition_run(
        case=case, by=by, name="reopen_registration", verb="registration_reopened",
        message=message,
        tell=lambda c: [Tell(recipients.bank_admins(c.organisation),
                             gettext_lazy("Registreringen er åpnet igjen – Bits ber om "
                                          "endringer"))])
