"""Writes for onboarding (process A). Each transition: lock, check permission, transition, save,
audit, notify the next actor — in one transaction.

API access and keys belong to `balances`; the services here call its services and record the
step on the case. A key in clear is returned to the caller once and never stored or logged.
"""

import hashlib
from datetime import timedelta

from django.contrib.auth.tokens import default_token_generator
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from accounts.models import Membership, Organisation, User
from accounts.selectors import users_in_org_kind
from accounts.services import bank_register, organisation_rename
from balances import services as balances
from balances.models import ApiKey, Environment
from balances.selectors import api_access_active
from casework.attachments import sanitize_filename, validate_upload
from casework.errors import DomainError
from casework.models import Message
from casework.services import audit_record, message_add, reference_next
from notifications.services import email_enqueue, notify

from . import permissions as perms
from .models import (
    OnboardingCase,
    Status,
    TermsSignature,
    TermsVersion,
)
from .selectors import terms_current

V = Message.Visibility
KEY_ROTATION_MAX_GRACE_DAYS = 7


class RegistrationError(DomainError):
    """A registration refused because of one field; the form shows it on that field."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


# --- who hears about what ---------------------------------------------------------------

def _bank_admins(organisation):
    return [m.user for m in Membership.objects.filter(
        organisation=organisation, role=Membership.Role.ADMIN, user__is_active=True)
        .select_related("user")]


def _bank_signers(organisation):
    """Those who can sign, and the admins who can give someone signing authority."""
    return [m.user for m in Membership.objects.filter(
        organisation=organisation, user__is_active=True).select_related("user")
        if m.can_sign or m.role == Membership.Role.ADMIN]


def _bits():
    return list(users_in_org_kind(Organisation.Kind.BITS))


def _lanekassen():
    return list(users_in_org_kind(Organisation.Kind.LANEKASSEN))


def _notify(case, users, title, by, event):
    notify(users=users, title=f"{case.reference}: {title}", url=case.get_absolute_url(),
           key=f"onboarding:{case.pk}:{event}:{timezone.now().timestamp()}", exclude=by,
           context={"summary": case.organisation.name})


# --- transitions --------------------------------------------------------------------------

def _locked(case):
    # Lock the case row only (`of`): the registrant is a nullable join PostgreSQL cannot lock.
    return OnboardingCase.objects.select_for_update(of=("self",)).select_related(
        "organisation", "registered_by").get(pk=case.pk)


def _run(case, by, name, *args, **kwargs):
    """Apply transition `name` to a locked, fresh copy of the case, or say why not."""
    method = getattr(case, name)
    if not can_proceed(method):
        raise DomainError(_("Saken har endret status i mellomtiden (nå: %(status)s). Last siden "
                            "på nytt og se hva som er gjort.") % {
                                "status": case.get_status_display()})
    if not has_transition_perm(method, by):
        raise DomainError(_("Du har ikke lov til å gjøre dette på denne saken."))
    before = case.status
    method(*args, **kwargs)
    case.status_changed_at = timezone.now()
    return before


def _require_text(text, message):
    text = (text or "").strip()
    if not text:
        raise DomainError(message)
    return text


def _step(case, by, name, *args, verb, message=None, visibility=V.PUBLIC, data=None):
    """Lock, transition, save, optional timeline message, audit. The caller notifies."""
    case = _locked(case)
    before = _run(case, by, name, *args)
    case.save()
    if message:
        message_add(obj=case, author=by, body=message, visibility=visibility)
    audit_record(obj=case, actor=by, verb=verb, from_state=before, to_state=case.status,
                 data=data)
    return case


# --- A.1 registration ---------------------------------------------------------------------

def verification_path(user):
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("onboarding:verify", args=[uid, default_token_generator.make_token(user)])


def onboarding_register(*, orgnr, name, contact_points, test_endpoints, registrant_name,
                        registrant_email, supplier_orgnr="", supplier_name=""):
    """A.1: a bank not yet in the portal registers itself (no login).

    Inputs are checked by the form; `contact_points` is a list of dicts (kind, name, email,
    phone). An orgnr that already has a case, or is already in the portal, is refused.

    Side effects: an Organisation (bank), its ContactPoints, a User without a usable password
    who is the bank's admin, an OnboardingCase with a new reference, an audit event, and an
    e-mail to the registrant with the link to confirm the address and set a password. Bits is
    told once the address is confirmed.
    """
    if OnboardingCase.objects.filter(organisation__orgnr=orgnr).exists():
        raise RegistrationError(_("Det finnes allerede en onboardingsak for organisasjonsnummer "
                                  "%(orgnr)s. Ta kontakt med bankens administrator eller Bits.")
                                % {"orgnr": orgnr}, field="orgnr")
    if Organisation.objects.filter(orgnr=orgnr).exists():
        raise RegistrationError(_("Organisasjonsnummer %(orgnr)s er allerede registrert i "
                                  "portalen. Ta kontakt med Bits.") % {"orgnr": orgnr},
                                field="orgnr")
    if User.objects.filter(email__iexact=registrant_email.strip()).exists():
        raise RegistrationError(_("Det finnes allerede en bruker med denne e-postadressen. "
                                  "Logg inn, eller bruk en annen adresse."),
                                field="registrant_email")
    kinds = {cp["kind"] for cp in contact_points}
    if kinds != {"business", "technical", "security"}:
        raise RegistrationError(_("Oppgi kontaktpunkt for forretning, teknikk og sikkerhet."))
    now = timezone.now()
    try:
        with transaction.atomic():
            try:
                organisation, user = bank_register(
                    orgnr=orgnr, name=name, contact_points=contact_points,
                    registrant_name=registrant_name, registrant_email=registrant_email)
            except DomainError as exc:
                raise RegistrationError(exc.message) from None
            case = OnboardingCase.objects.create(
                reference=reference_next(prefix="OB", year=timezone.localtime(now).year),
                organisation=organisation, registered_by=user,
                supplier_orgnr=supplier_orgnr or "", supplier_name=(supplier_name or "").strip(),
                test_endpoints=list(test_endpoints), created_at=now, status_changed_at=now)
            audit_record(obj=case, actor=None, verb="registered", to_state=case.status,
                         data={"orgnr": orgnr, "registrant": user.email})
            email_enqueue(
                to=user.email,
                subject=_("Bekreft e-postadressen din – Saldo på studielån"),
                template="onboarding/email/verify.txt",
                context={"case": case, "user": user, "path": verification_path(user)},
                key=f"onboarding:{case.pk}:verify")
    except IntegrityError:
        # Two registrations of the same orgnr or e-mail at once: the database said no.
        raise RegistrationError(_("Organisasjonsnummeret eller e-postadressen er nettopp "
                                  "registrert. Ta kontakt med Bits."), field="orgnr") from None
    return case


def registrant_verify(*, case, user, token, password):
    """The registrant confirms the e-mail address with the link and sets a password.

    Side effects: the password, registrant_verified_at, an audit event, Bits notified that a
    registration waits for them.
    """
    with transaction.atomic():
        case = _locked(case)
        if case.registered_by_id != user.pk or case.registrant_verified_at is not None:
            raise DomainError(_("Lenken er allerede brukt."))
        if not default_token_generator.check_token(user, token):
            raise DomainError(_("Lenken er ugyldig eller har gått ut."))
        user.set_password(password)
        user.save(update_fields=["password"])
        case.registrant_verified_at = timezone.now()
        case.save(update_fields=["registrant_verified_at", "updated_at"])
        audit_record(obj=case, actor=user, verb="registrant_verified",
                     data={"email": user.email})
        _notify(case, _bits(), _("Ny registrering fra %(bank)s") % {
            "bank": case.organisation.name}, user, "registrant_verified")
    return case


def onboarding_verify(*, case, by):
    """A.1 → A.2: Bits has checked the registration.

    Side effects: status, audit, the bank's signers and admins told to sign the terms.
    """
    with transaction.atomic():
        case = _locked(case)
        if case.registrant_verified_at is None and perms.is_bits_handler(case, by):
            raise DomainError(_("Registranten har ikke bekreftet e-postadressen sin ennå."))
        case = _step(case, by, "verify", timezone.now(), verb="verified")
        _notify(case, _bank_signers(case.organisation),
                _("Registreringen er godkjent – les og signer bruksvilkårene"), by, "verified")
    return case


def onboarding_return(*, case, by, message):
    """Bits asks the bank to change the registration. Side effects: a public message, audit,
    the bank's admins notified."""
    message = _require_text(message, _("Skriv hva banken må endre."))
    with transaction.atomic():
        case = _step(case, by, "return_for_changes", verb="returned", message=message)
        _notify(case, _bank_admins(case.organisation),
                _("Bits ber dere endre registreringen"), by, "returned")
    return case


def onboarding_resubmit(*, case, by, name, supplier_orgnr, supplier_name, test_endpoints,
                        comment=""):
    """The bank corrects the registration and sends it to Bits again.

    Side effects: name, supplier and test endpoints, status, an optional public message,
    audit with the old and new values, Bits notified.
    """
    with transaction.atomic():
        case = _locked(case)
        before = _run(case, by, "resubmit")
        old = {"name": case.organisation.name, "supplier_orgnr": case.supplier_orgnr,
               "supplier_name": case.supplier_name, "test_endpoints": case.test_endpoints}
        organisation_rename(organisation=case.organisation, by=by, name=name)
        case.supplier_orgnr = supplier_orgnr or ""
        case.supplier_name = (supplier_name or "").strip()
        case.test_endpoints = list(test_endpoints)
        case.save()
        comment = (comment or "").strip()
        if comment:
            message_add(obj=case, author=by, body=comment, visibility=V.PUBLIC)
        audit_record(obj=case, actor=by, verb="resubmitted", from_state=before,
                     to_state=case.status, data={
                         "from": old, "to": {
                             "name": case.organisation.name,
                             "supplier_orgnr": case.supplier_orgnr,
                             "supplier_name": case.supplier_name,
                             "test_endpoints": case.test_endpoints}})
        _notify(case, _bits(), _("Banken har sendt inn registreringen på nytt"), by,
                "resubmitted")
    return case


def onboarding_reject(*, case, by, reason):
    """Bits rejects the registration. Side effects: a public message with the reason, audit,
    the bank's admins notified."""
    reason = _require_text(reason, _("Skriv begrunnelsen for avslaget."))
    with transaction.atomic():
        case = _step(case, by, "reject", timezone.now(), verb="rejected", message=reason,
                     data={"reason": reason})
        _notify(case, _bank_admins(case.organisation), _("Registreringen er avvist"), by,
                "rejected")
    return case


def onboarding_reopen_registration(*, case, by, message):
    """Bits takes back a rejection (one case per bank, so a rejected case would otherwise lock
    the orgnr for good): the registration goes back to the bank for changes.

    Side effects: a public message, audit, the bank's admins notified.
    """
    message = _require_text(message, _("Skriv hva banken må endre før registreringen kan "
                                       "godkjennes."))
    with transaction.atomic():
        case = _step(case, by, "reopen_registration", verb="registration_reopened",
                     message=message)
        _notify(case, _bank_admins(case.organisation),
                _("Registreringen er åpnet igjen – Bits ber om endringer"), by,
                f"reopened:{timezone.now().timestamp()}")
    return case


# --- A.2 terms of use ---------------------------------------------------------------------

def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _normalise_text(text: str) -> str:
    # Browsers send CRLF; the hash must not depend on how the text was typed in.
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _signed_up_organisations():
    """Banks that must sign a new version: those that signed an earlier one or are at A.2."""
    return (Organisation.objects.filter(kind=Organisation.Kind.BANK)
            .filter(Q(pk__in=TermsSignature.objects.values("organisation"))
                    | Q(onboarding_case__status=Status.AWAITING_SIGNATURE))
            .exclude(onboarding_case__status=Status.OFFBOARDED).distinct())


def terms_publish(*, by, version, effective_date, text, sign_by=None, pdf=None):
    """Lånekassen publishes a new version of the service description and terms of use. It is
    the current version at once; every signed-up bank must sign it by `sign_by`.

    Side effects: a TermsVersion with the SHA-256 of its text (and the PDF on disk), an audit
    event, and every signed-up bank's signers and admins notified (portal and e-mail).
    """
    if not perms.can_publish_terms(by):
        raise DomainError(_("Bare Lånekassens administratorer kan publisere bruksvilkår."))
    version = (version or "").strip()
    text = _normalise_text(text)
    if not version:
        raise DomainError(_("Oppgi et versjonsnummer."))
    if not text:
        raise DomainError(_("Skriv teksten til bruksvilkårene."))
    if TermsVersion.objects.filter(version=version).exists():
        raise DomainError(_("Versjon %(v)s finnes allerede.") % {"v": version})
    today = timezone.localdate()
    must_resign = _signed_up_organisations().exists()
    if sign_by is None and must_resign:
        raise DomainError(_("Sett en frist for ny signering: banker har signert en tidligere "
                            "versjon."))
    if sign_by is not None and sign_by < today:
        raise DomainError(_("Fristen for ny signering kan ikke være tilbake i tid."))
    if pdf is not None:
        if validate_upload(pdf) != "application/pdf":
            raise DomainError(_("«%(name)s» er ikke en PDF.") % {
                "name": sanitize_filename(pdf.name)})
    with transaction.atomic():
        terms = TermsVersion(version=version, effective_date=effective_date, sign_by=sign_by,
                             text=text, sha256=text_sha256(text), published_by=by)
        if pdf is not None:
            terms.pdf = pdf
        terms.save()
        audit_record(obj=terms, actor=by, verb="terms_published",
                     data={"version": version, "sha256": terms.sha256,
                           "sign_by": sign_by.isoformat() if sign_by else None})
        recipients = []
        for organisation in _signed_up_organisations():
            recipients += _bank_signers(organisation)
        deadline = sign_by.strftime("%d.%m.%Y") if sign_by else ""
        title = (_("Nye bruksvilkår (versjon %(v)s) må signeres innen %(d)s")
                 % {"v": version, "d": deadline} if deadline
                 else _("Nye bruksvilkår (versjon %(v)s) er publisert") % {"v": version})
        notify(users=recipients + _bits(), title=title, url=reverse("onboarding:terms"),
               key=f"terms:{terms.pk}:published", exclude=by)
    return terms


def terms_sign(*, terms, by, maskinporten_accepted):
    """A bank user with signing authority signs the current terms version for the bank, and
    confirms that the bank has accepted Maskinporten's terms.

    Refused: no signing authority, a version that is no longer current, a version the bank has
    already signed, a bank whose registration Bits has not approved. If the bank's case waits
    for the signature (A.2), it moves on to A.3.

    Side effects: a TermsSignature (who, when, version, SHA-256), the case's step, audit on
    the terms and the case, Bits notified (to order test access) or, for a new version, Bits
    and Lånekassen told it is signed.
    """
    if not perms.has_signing_authority(by):
        raise DomainError(_("Du har ikke signeringsrett for banken. Be bankens administrator "
                            "om å gi deg signeringsrett, eller be en som har den om å signere."))
    organisation = by.membership.organisation
    if not maskinporten_accepted:
        raise DomainError(_("Bekreft at banken har akseptert Maskinportens bruksvilkår."))
    with transaction.atomic():
        # The bank's row is the lock: two signers clicking at once make one signature.
        Organisation.objects.select_for_update().get(pk=organisation.pk)
        terms = TermsVersion.objects.get(pk=terms.pk)
        current = terms_current()
        if current is None or current.pk != terms.pk:
            raise DomainError(_("Versjon %(v)s er ikke lenger gjeldende. Les og signer den "
                                "gjeldende versjonen %(c)s.") % {
                                    "v": terms.version, "c": current.version if current else ""})
        if text_sha256(terms.text) != terms.sha256:
            # The text was changed after publication (e.g. in the database): do not sign it.
            raise DomainError(_("Teksten til denne versjonen stemmer ikke med det som ble "
                                "publisert. Kontakt Lånekassen."))
        existing = TermsSignature.objects.filter(organisation=organisation, terms=terms).first()
        if existing is not None:
            raise DomainError(_("Banken har allerede signert versjon %(v)s (%(who)s, %(when)s).")
                              % {"v": terms.version, "who": existing.signer_name,
                                 "when": timezone.localtime(existing.signed_at)
                                 .strftime("%d.%m.%Y %H:%M")})
        case = OnboardingCase.objects.select_for_update().filter(
            organisation=organisation).first()
        if case is not None and case.status in (Status.SUBMITTED, Status.RETURNED,
                                                Status.REJECTED, Status.OFFBOARDED):
            raise DomainError(_("Bruksvilkårene kan signeres når Bits har godkjent "
                                "registreringen."))
        now = timezone.now()
        signature = TermsSignature.objects.create(
            organisation=organisation, terms=terms, signed_by=by, signer_name=by.name or by.email,
            signer_email=by.email, signed_at=now, sha256=terms.sha256,
            maskinporten_terms_accepted=True)
        data = {"version": terms.version, "sha256": terms.sha256,
                "maskinporten_terms_accepted": True}
        audit_record(obj=terms, actor=by, verb="terms_signed",
                     data={**data, "organisation": organisation.orgnr})
        if case is not None and case.status == Status.AWAITING_SIGNATURE:
            before = _run(case, by, "sign", now)
            case.save()
            audit_record(obj=case, actor=by, verb="terms_signed", from_state=before,
                         to_state=case.status, data=data)
            _notify(case, _bits(), _("Bruksvilkårene er signert – bestill testtilgang"), by,
                    "signed")
        elif case is not None:
            audit_record(obj=case, actor=by, verb="terms_signed", data=data)
            _notify(case, _bits() + _lanekassen(),
                    _("Banken har signert bruksvilkår versjon %(v)s") % {"v": terms.version},
                    by, f"signed:{terms.pk}")
    return signature


# --- A.3 test environment -----------------------------------------------------------------

def onboarding_order_test(*, case, by):
    """Bits orders test access from Lånekassen. Side effects: status, audit, Lånekassen told."""
    with transaction.atomic():
        case = _step(case, by, "order_test", verb="test_ordered")
        _notify(case, _lanekassen(), _("Bits har bestilt testtilgang for %(bank)s") % {
            "bank": case.organisation.name}, by, "test_ordered")
    return case


def onboarding_grant_test(*, case, by):
    """Lånekassen grants test access: API access to the test environment and the Maskinporten
    scope for the bank's orgnr. The bank's admin then creates the test API key, which is shown
    to them once.

    Side effects: an ApiAccess row (balances), status, audit, the bank's admins told.
    """
    with transaction.atomic():
        case = _locked(case)
        before = _run(case, by, "grant_test", timezone.now())  # refused before any grant
        balances.api_access_grant(organisation=case.organisation,
                                  environment=Environment.TEST, by=by)
        case = _save_step(case, by, "test_granted", before, {"environment": Environment.TEST})
        _notify(case, _bank_admins(case.organisation),
                _("Testtilgang er gitt – opprett API-nøkkel og kjør integrasjonstesten"), by,
                "test_granted")
    return case


def _save_step(case, by, verb, before, data=None, message=None):
    """Save a case whose transition was already applied (when a grant had to go in between)."""
    case.save()
    if message:
        message_add(obj=case, author=by, body=message, visibility=V.PUBLIC)
    audit_record(obj=case, actor=by, verb=verb, from_state=before, to_state=case.status,
                 data=data)
    return case


def onboarding_report_test_done(*, case, by, message=""):
    """The bank has run the integration test. Side effects: status, optional public message,
    audit, Bits told to review it."""
    with transaction.atomic():
        case = _step(case, by, "report_test_done", verb="test_reported",
                     message=(message or "").strip() or None)
        _notify(case, _bits(), _("Banken har fullført integrasjonstesten"), by,
                "test_reported")
    return case


def onboarding_approve_test(*, case, by, comment=""):
    """Bits approves the integration test (A.3 → A.4). Side effects: status, optional public
    message, audit, the bank's admins told to confirm readiness."""
    with transaction.atomic():
        case = _step(case, by, "approve_test", timezone.now(), verb="test_approved",
                     message=(comment or "").strip() or None)
        _notify(case, _bank_admins(case.organisation),
                _("Integrasjonstesten er godkjent – meld klar for produksjon"), by,
                "test_approved")
    return case


def onboarding_return_test(*, case, by, comments):
    """Bits sends the integration test back with comments. Side effects: status, a public
    message, audit, the bank's admins told."""
    comments = _require_text(comments, _("Skriv hva banken må rette i testen."))
    with transaction.atomic():
        case = _step(case, by, "return_test", verb="test_returned", message=comments)
        _notify(case, _bank_admins(case.organisation),
                _("Bits har sendt integrasjonstesten tilbake"), by, "test_returned")
    return case


# --- A.4 production -----------------------------------------------------------------------

def onboarding_confirm_readiness(*, case, by, production_endpoints):
    """The bank confirms it is ready for production and gives its production domains / IP
    ranges (checked by the form). Side effects: status, the endpoints, audit, Lånekassen told.
    """
    if not production_endpoints:
        raise DomainError(_("Oppgi minst ett produksjonsdomene eller IP-område."))
    with transaction.atomic():
        case = _step(case, by, "confirm_readiness", list(production_endpoints),
                     verb="readiness_confirmed",
                     data={"production_endpoints": list(production_endpoints)})
        _notify(case, _lanekassen(), _("%(bank)s er klar for produksjon") % {
            "bank": case.organisation.name}, by, "readiness_confirmed")
    return case


def onboarding_grant_production(*, case, by):
    """Lånekassen grants production access. The bank's admin creates the production key.

    Side effects: an ApiAccess row for production (balances), status, audit, the bank's admins
    told to confirm the management routines.
    """
    with transaction.atomic():
        case = _locked(case)
        before = _run(case, by, "grant_production", timezone.now())
        balances.api_access_grant(organisation=case.organisation,
                                  environment=Environment.PRODUCTION, by=by)
        if case.suspended_at is not None:
            # A suspension covers every environment, including one granted later.
            balances.api_access_suspend(organisation=case.organisation, by=by,
                                        reason=case.suspension_reason)
        case = _save_step(case, by, "production_granted", before,
                          {"environment": Environment.PRODUCTION})
        _notify(case, _bank_admins(case.organisation),
                _("Produksjonstilgang er gitt – opprett API-nøkkel og bekreft "
                  "forvaltningsrutinene"), by, "production_granted")
    return case


def onboarding_confirm_routines(*, case, by):
    """The bank confirms it has adopted the management routines: the case is complete and the
    bank is in production. Side effects: status, audit, Bits and Lånekassen told."""
    with transaction.atomic():
        case = _step(case, by, "confirm_routines", timezone.now(), verb="routines_confirmed")
        _notify(case, _bits() + _lanekassen(),
                _("%(bank)s er i produksjon") % {"bank": case.organisation.name}, by,
                "completed")
    return case


# --- side states --------------------------------------------------------------------------

def onboarding_suspend(*, case, by, reason):
    """Lånekassen suspends the bank: every API key stops working at once.

    Side effects: the bank's API access suspended (balances), suspended_at and the reason on
    the case, a public message, audit, the bank's admins and Bits told.
    """
    reason = _require_text(reason, _("Oppgi en begrunnelse for suspensjonen."))
    with transaction.atomic():
        case = _locked(case)
        if not perms.can_suspend(case, by):
            raise DomainError(_("Banken kan ikke suspenderes nå."))
        balances.api_access_suspend(organisation=case.organisation, by=by, reason=reason)
        case.suspended_at = timezone.now()
        case.suspension_reason = reason
        case.save()
        message_add(obj=case, author=by, body=reason, visibility=V.PUBLIC)
        audit_record(obj=case, actor=by, verb="suspended", data={"reason": reason})
        _notify(case, _bank_admins(case.organisation) + _bits(),
                _("API-tilgangen til %(bank)s er suspendert") % {
                    "bank": case.organisation.name}, by, "suspended")
    return case


def onboarding_unsuspend(*, case, by):
    """Lånekassen lifts the suspension. Side effects: API access active again (balances),
    the case's suspension cleared, audit, the bank's admins and Bits told."""
    with transaction.atomic():
        case = _locked(case)
        if not perms.can_unsuspend(case, by):
            raise DomainError(_("Banken er ikke suspendert."))
        balances.api_access_unsuspend(organisation=case.organisation, by=by)
        case.suspended_at = None
        case.suspension_reason = ""
        case.save()
        audit_record(obj=case, actor=by, verb="unsuspended")
        _notify(case, _bank_admins(case.organisation) + _bits(),
                _("Suspensjonen av %(bank)s er opphevet") % {"bank": case.organisation.name},
                by, "unsuspended")
    return case


def onboarding_offboard(*, case, by, reason):
    """Lånekassen ends the bank's use of the service: access closed, every key revoked.

    Side effects: balances' offboarding, status, a public message, audit, the bank's admins
    and Bits told.
    """
    reason = _require_text(reason, _("Skriv hvorfor banken avsluttes."))
    with transaction.atomic():
        case = _locked(case)
        before = _run(case, by, "offboard", timezone.now())
        balances.api_access_offboard(organisation=case.organisation, by=by)
        case = _save_step(case, by, "offboarded", before, {"reason": reason}, message=reason)
        _notify(case, _bank_admins(case.organisation) + _bits(),
                _("%(bank)s er avsluttet i tjenesten") % {"bank": case.organisation.name},
                by, "offboarded")
    return case


# --- API keys -----------------------------------------------------------------------------

def _case_for(organisation):
    return OnboardingCase.objects.filter(organisation=organisation).first()


def bank_api_key_create(*, organisation, environment, by):
    """The bank's admin creates the API key for an environment Lånekassen has granted.
    Returns (ApiKey, key in clear): the caller shows it once and keeps it nowhere.

    Side effects: an ApiKey row with the hash only (balances), audit on the case.
    """
    if not perms.can_manage_keys(by, organisation):
        raise DomainError(_("Bare bankens administrator kan opprette API-nøkler."))
    if environment not in Environment.values:
        raise DomainError(_("Ukjent miljø."))
    if not api_access_active(organisation=organisation, environment=environment):
        raise DomainError(_("Banken har ikke aktiv tilgang til %(env)s.") % {
            "env": Environment(environment).label.lower()})
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=organisation.pk)
        now = timezone.now()
        usable = ApiKey.objects.filter(organisation=organisation, environment=environment,
                                       revoked_at__isnull=True).exclude(expires_at__lte=now)
        if usable.exists():
            raise DomainError(_("Dere har allerede en gyldig nøkkel for %(env)s. Roter den "
                                "hvis dere trenger en ny.") % {
                                    "env": Environment(environment).label.lower()})
        key, plaintext = balances.api_key_issue(organisation=organisation,
                                                environment=environment, by=by)
        case = _case_for(organisation)
        if case is not None:
            audit_record(obj=case, actor=by, verb="api_key_created",
                         data={"environment": environment, "prefix": key.prefix})
    return key, plaintext


def bank_api_key_rotate(*, key, by, grace_days):
    """Replace a key; the old one keeps working for `grace_days` (0–7) so the bank can switch
    without downtime. Returns (new ApiKey, new key in clear).

    Side effects: a new key and the old key's expiry (balances), audit on the case.
    """
    if not perms.can_manage_keys(by, key.organisation):
        raise DomainError(_("Bare bankens administrator kan rotere API-nøkler."))
    if not 0 <= grace_days <= KEY_ROTATION_MAX_GRACE_DAYS:
        raise DomainError(_("Overgangsperioden må være mellom 0 og 7 dager."))
    with transaction.atomic():
        new, plaintext = balances.api_key_rotate(key=key, by=by,
                                                 grace=timedelta(days=grace_days))
        case = _case_for(key.organisation)
        if case is not None:
            audit_record(obj=case, actor=by, verb="api_key_rotated",
                         data={"environment": key.environment, "old": key.prefix,
                               "new": new.prefix, "grace_days": grace_days})
    return new, plaintext


def bank_api_key_revoke(*, key, by):
    """Stop a key at once. Side effects: revoked_at (balances), audit on the case."""
    if not perms.can_manage_keys(by, key.organisation):
        raise DomainError(_("Bare bankens administrator kan trekke tilbake API-nøkler."))
    if key.revoked_at is not None:
        raise DomainError(_("Nøkkelen er allerede trukket tilbake."))
    with transaction.atomic():
        key = balances.api_key_revoke(key=key, by=by)
        case = _case_for(key.organisation)
        if case is not None:
            audit_record(obj=case, actor=by, verb="api_key_revoked",
                         data={"environment": key.environment, "prefix": key.prefix})
    return key


# --- messages -----------------------------------------------------------------------------

def onboarding_comment(*, case, by, body, visibility=V.PUBLIC):
    """A message or internal note on the case. Side effects: a Message, the other side told."""
    body = _require_text(body, _("Skriv en melding."))
    if not perms.can_comment(case, by):
        raise DomainError(_("Du kan ikke skrive i denne saken."))
    if visibility not in perms.visible_message_kinds(by):
        raise DomainError(_("Du kan ikke skrive med denne synligheten."))
    with transaction.atomic():
        case = _locked(case)
        msg = message_add(obj=case, author=by, body=body, visibility=visibility)
        if perms.is_case_bank(case, by):
            recipients = _bits()
        elif visibility == V.PUBLIC:
            recipients = _bank_admins(case.organisation) + (
                _lanekassen() if perms.is_bits_handler(case, by) else _bits())
        elif visibility == V.INTERNAL:
            recipients = _lanekassen() if perms.is_bits_handler(case, by) else _bits()
        else:
            recipients = []
        _notify(case, recipients, _("Ny melding"), by, f"message:{msg.pk}")
    return msg


def onboarding_registrant_correct(*, case, by, email):
    """Bits corrects the e-mail address of a registrant who never confirmed it (a typo, a
    lost mail) and sends a new confirmation link, so the bank is not locked out of its own
    orgnr. The old link stops working: the token is bound to the address.

    Side effects: the user's e-mail, an audit event (old and new address), a new mail.
    """
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError(_("Oppgi en gyldig e-postadresse.")) from None
    now = timezone.now()
    with transaction.atomic():
        case = _locked(case)
        if not perms.is_bits_handler(case, by):
            raise DomainError(_("Bare Bits kan rette registrantens e-postadresse."))
        user = case.registered_by
        if (user is None or case.registrant_verified_at is not None
                or case.status not in (Status.SUBMITTED, Status.RETURNED)):
            raise DomainError(_("Registranten har allerede bekreftet e-postadressen."))
        if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
            raise DomainError(_("Det finnes allerede en bruker med denne e-postadressen."))
        old = user.email
        user = User.objects.select_for_update().get(pk=user.pk)
        user.email = email
        user.save(update_fields=["email"])
        audit_record(obj=case, actor=by, verb="registrant_corrected",
                     data={"from": old, "to": email})
        email_enqueue(
            to=email, subject=_("Bekreft e-postadressen din – Saldo på studielån"),
            template="onboarding/email/verify.txt",
            context={"case": case, "user": user, "path": verification_path(user)},
            key=f"onboarding:{case.pk}:verify:{now.timestamp()}")
    return case
