"""A.2 the terms of use (bruksvilkår): Lånekassen publishes a version, a bank signs it."""

import hashlib

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from accounts.models import Organisation
from casework.attachments import sanitize_filename, validate_upload
from casework.errors import DomainError
from casework.runner import Tell, case_lock, case_update, lazy_title, transition_run
from casework.services import audit_record
from notifications.services import notify

from .. import permissions as perms
from ..models import OnboardingCase, Status, TermsSignature, TermsVersion
from ..selectors import terms_current
from . import recipients

# A bank at these steps cannot sign: Bits has not approved it, or it has left the service.
NOT_SIGNABLE = (Status.SUBMITTED, Status.RETURNED, Status.REJECTED, Status.OFFBOARDED)


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

    Refused with a DomainError on the field it is about (version, text, sign_by, pdf).

    Side effects: a TermsVersion with the SHA-256 of its text (and the PDF on disk), an audit
    event, and every signed-up bank's signers and admins notified (portal and e-mail).
    """
    if not perms.can_publish_terms(by):
        raise DomainError(_("Bare Lånekassens administratorer kan publisere bruksvilkår."))
    version = (version or "").strip()
    text = _normalise_text(text)
    if not version:
        raise DomainError(_("Oppgi et versjonsnummer."), field="version")
    if not text:
        raise DomainError(_("Skriv teksten til bruksvilkårene."), field="text")
    if TermsVersion.objects.filter(version=version).exists():
        raise DomainError(_("Versjon %(v)s finnes allerede.") % {"v": version}, field="version")
    today = timezone.localdate()
    must_resign = _signed_up_organisations().exists()
    if sign_by is None and must_resign:
        raise DomainError(_("Sett en frist for ny signering: banker har signert en tidligere "
                            "versjon."), field="sign_by")
    if sign_by is not None and sign_by < today:
        raise DomainError(_("Fristen for ny signering kan ikke være tilbake i tid."),
                          field="sign_by")
    if pdf is not None:
        try:
            mime = validate_upload(pdf)
        except DomainError as exc:
            raise DomainError(exc.message, field="pdf") from None
        if mime != "application/pdf":
            raise DomainError(_("«%(name)s» er ikke en PDF.") % {
                "name": sanitize_filename(pdf.name)}, field="pdf")
    with transaction.atomic():
        terms = TermsVersion(version=version, effective_date=effective_date, sign_by=sign_by,
                             text=text, sha256=text_sha256(text), published_by=by)
        if pdf is not None:
            terms.pdf = pdf
        terms.save()
        event = audit_record(obj=terms, actor=by, verb="terms_published",
                             data={"version": version, "sha256": terms.sha256,
                                   "sign_by": sign_by.isoformat() if sign_by else None})
        users = []
        for organisation in _signed_up_organisations():
            users += recipients.bank_signers(organisation)
        deadline = sign_by.strftime("%d.%m.%Y") if sign_by else ""
        title = (lazy_title(gettext_noop("Nye bruksvilkår (versjon %(v)s) må signeres innen "
                                         "%(d)s"), v=version, d=deadline) if deadline
                 else lazy_title(gettext_noop("Nye bruksvilkår (versjon %(v)s) er publisert"),
                                 v=version))
        notify(users=users + recipients.bits(), title=title, url=reverse("onboarding:terms"),
               key=f"onboarding.termsversion:{terms.pk}:{event.pk}", exclude=by)
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
        raise DomainError(_("Bekreft at banken har akseptert Maskinportens bruksvilkår."),
                          field="maskinporten_accepted")
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
        case = OnboardingCase.objects.filter(organisation=organisation).first()
        if case is not None:
            case = case_lock(case)  # decide on the step the case is at now
            if case.status in NOT_SIGNABLE:
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
            transition_run(case=case, by=by, name="sign", args=(now,), verb="terms_signed",
                           data=data, tell=[Tell(recipients.bits(), gettext_lazy(
                               "Bruksvilkårene er signert – bestill testtilgang"))])
        elif case is not None:
            case_update(case=case, by=by, allowed=perms.is_case_bank, verb="terms_signed",
                        data=data, tell=[Tell(
                            recipients.bits() + recipients.lanekassen(),
                            lazy_title(gettext_noop("Banken har signert bruksvilkår versjon %(v)s"),
                                       v=terms.version))])
    return signature
