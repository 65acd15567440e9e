"""Writes for security breaches (C.2 at a bank, C.3 at Lånekassen). Each is one call of the
case kernel's runner (`casework.runner`): lock, check, change, save, message, audit, notify —
in one transaction. Containment (suspension, the API log figure) is in `containment`; the
reminders and C.3 acknowledgements in `reminders`."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from accounts.models import Organisation
from casework.errors import DomainError
from casework.models import Message
from casework.runner import (
    Tell,
    case_lock,
    case_open,
    case_update,
    lazy_title,
    require_text,
    transition_run,
)
from notifications.services import acknowledgements_request

from . import permissions as perms
from . import recipients
from .clocks import gdpr_due
from .models import (
    FACT_FIELDS,
    PREFIX,
    AffectedScope,
    Breach,
    BreachReport,
    BreachView,
    MainCause,
    Nature,
    Phase,
    Source,
    Status,
    SubjectsInformed,
)

Visibility = Message.Visibility
CLOCK_SKEW = timedelta(minutes=5)
TEXT_FIELDS = ("description", "cause_other", "data_categories", "consequences",
               "measures_taken", "measures_planned", "subjects_informed_details",
               "contact_name", "contact_email", "contact_phone")


def facts_clean(facts, *, now=None):
    """The facts of a report, checked: a DomainError on the first field that is wrong."""
    now = now or timezone.now()
    facts = {k: facts.get(k) for k in FACT_FIELDS if k in facts}
    for name in TEXT_FIELDS:
        if name in facts:
            facts[name] = (facts[name] or "").strip()
    aware_at = facts.get("aware_at")
    if aware_at is None:
        raise DomainError(_("Oppgi når virksomheten ble kjent med bruddet."), field="aware_at")
    if aware_at > now + CLOCK_SKEW:
        raise DomainError(_("Tidspunktet kan ikke være i fremtiden."), field="aware_at")
    start, end = facts.get("occurred_from"), facts.get("occurred_to")
    if facts.get("occurred_unknown"):
        facts["occurred_from"] = facts["occurred_to"] = None
    else:
        if start is None:
            raise DomainError(_("Oppgi når bruddet startet, eller kryss av for ukjent."),
                              field="occurred_from")
        if start > now + CLOCK_SKEW:
            raise DomainError(_("Tidspunktet kan ikke være i fremtiden."),
                              field="occurred_from")
        if end is not None and end < start:
            raise DomainError(_("Slutten av perioden kan ikke være før starten."),
                              field="occurred_to")
    for name in ("persons_approx", "records_approx"):
        if facts.get(name) is not None and facts[name] < 0:
            raise DomainError(_("Antallet kan ikke være negativt."), field=name)
    if facts.get("main_cause") not in MainCause.values:
        raise DomainError(_("Velg en hovedårsak."), field="main_cause")
    if facts["main_cause"] == MainCause.OTHER and not facts.get("cause_other"):
        raise DomainError(_("Beskriv årsaken."), field="cause_other")
    nature = list(dict.fromkeys(facts.get("nature") or ()))
    if not nature or any(n not in Nature.values for n in nature):
        raise DomainError(_("Velg minst én type brudd."), field="nature")
    facts["nature"] = nature
    if facts.get("subjects_informed") not in SubjectsInformed.values:
        raise DomainError(_("Svar på om de registrerte er eller vil bli informert."),
                          field="subjects_informed")
    for name, message in (("description", _("Beskriv hva som skjedde og hvordan.")),
                          ("data_categories", _("Oppgi hvilke opplysninger som er berørt.")),
                          ("contact_name", _("Oppgi en kontaktperson.")),
                          ("contact_email", _("Oppgi kontaktpersonens e-post."))):
        require_text(facts.get(name), message, field=name)
    return facts


def _snapshot(breach, by, phase, at):
    BreachReport.objects.create(breach=breach, phase=phase, submitted_at=at,
                                submitted_by=by if by.is_authenticated else None,
                                facts=breach.facts())


def breach_report(*, by, facts, files=()):
    """A bank's security contact (or admin) reports a breach at the bank (C.2).

    Side effects: a Breach (SB-YYYY-NNNN) and its initial phase report, attachments, an
    audit event, and Lånekassen and Bits told at once, in the portal and by e-mail (not in
    business hours: a breach's clock runs day and night).
    """
    if not perms.can_report(by):
        raise DomainError(_("Bare bankens sikkerhetskontakter og administratorer kan melde "
                            "sikkerhetsbrudd."))
    facts = facts_clean(facts)
    organisation = by.membership.organisation
    return case_open(
        model=Breach, by=by, prefix=PREFIX, verb="reported",
        fields={"organisation": organisation, "reported_by": by, "source": Source.BANK,
                **facts},
        data={"main_cause": facts["main_cause"]}, files=files,
        on_event=lambda b, e: _snapshot(b, by, Phase.INITIAL, b.created_at),
        tell=lambda b: [Tell(recipients.lanekassen_people() + recipients.bits_people(),
                             lazy_title(gettext_noop("Sikkerhetsbrudd meldt av %(bank)s"),
                                        bank=organisation.name))])


def _affected_ids(scope, environment, organisations):
    from balances.selectors import organisations_with_access

    if scope == AffectedScope.ENVIRONMENT:
        if not environment:
            raise DomainError(_("Velg miljøet."), field="affected_environment")
        return list(organisations_with_access([environment]).values_list("pk", flat=True))
    ids = [o.pk for o in organisations or () if o.kind == Organisation.Kind.BANK]
    if not ids:
        raise DomainError(_("Velg minst én berørt bank."), field="affected_organisations")
    return ids


def breach_register_at_lanekassen(*, by, facts, scope, environment="", organisations=(),
                                  files=()):
    """Lånekassen registers a breach at Lånekassen (C.3) and chooses the banks it affects.

    Side effects: a Breach (already received) with its initial phase report, the affected
    banks, an acknowledgement asked of each (reminded until given), an audit event, and Bits
    and each affected bank's security contacts told.
    """
    if not perms.can_register_at_lanekassen(by):
        raise DomainError(_("Bare Lånekassen registrerer brudd hos Lånekassen."))
    facts = facts_clean(facts)
    if scope not in AffectedScope.values:
        raise DomainError(_("Velg hvilke banker som er berørt."), field="affected_scope")
    affected = _affected_ids(scope, environment, organisations)
    now = timezone.now()

    def opened(breach, event):
        breach.affected_organisations.set(affected)
        _snapshot(breach, by, Phase.INITIAL, breach.created_at)
        acknowledgements_request(subject=breach, organisation_ids=affected, at=now)

    return case_open(
        model=Breach, by=by, prefix=PREFIX, verb="registered",
        fields={"organisation": by.membership.organisation, "reported_by": by,
                "source": Source.LANEKASSEN, "status": Status.RECEIVED, "received_at": now,
                "received_by": by, "affected_scope": scope,
                "affected_environment": environment if scope == AffectedScope.ENVIRONMENT
                else "", **facts},
        data={"main_cause": facts["main_cause"], "affected": affected}, files=files,
        on_event=opened,
        tell=lambda b: [Tell(recipients.bits_people(),
                             gettext_lazy("Sikkerhetsbrudd hos Lånekassen"),
                             event="bits"),
                        Tell(recipients.security_people(affected),
                             gettext_lazy("Sikkerhetsbrudd hos Lånekassen som berører dere – "
                                          "bekreft at dere har lest"), event="banks")])


def breach_confirm_receipt(*, breach, by):
    """Lånekassen confirms it has received the bank's report: the reminders stop.

    Side effects: received_at/by, audit, the bank's security side and Bits told."""
    return transition_run(
        case=breach, by=by, name="confirm_receipt", verb="receipt_confirmed",
        args=(by, timezone.now()),
        tell=lambda b: [Tell(recipients.bank_side(b) + recipients.bits_people(),
                             gettext_lazy("Lånekassen har bekreftet mottak av sikkerhetsbruddet"))])


def _tell_update(title):
    """An event everyone on the case hears of (but the one who did it)."""
    return lambda b: [Tell(recipients.everyone(b), title)]


def _tell_others(title):
    """A report goes to the other side: Lånekassen and Bits of a bank's breach; Bits and the
    affected banks of a breach at Lånekassen."""
    return lambda b: [Tell(recipients.bits_people() + (
        recipients.lanekassen_people() if b.source == Source.BANK
        else recipients.bank_side(b)), title)]


def _apply(breach, facts):
    for name, value in facts.items():
        setattr(breach, name, value)


def breach_report_intermediate(*, breach, by, facts):
    """The reporting side updates the facts: a dated intermediate report.

    Side effects: the facts, a phase report (snapshot), audit, everyone on the case told.
    """
    facts = facts_clean(facts)
    now = timezone.now()

    def change(locked):
        _apply(locked, facts)
        _snapshot(locked, by, Phase.INTERMEDIATE, now)
        return {"phase": Phase.INTERMEDIATE}

    breach, _msg = case_update(case=breach, by=by, allowed=perms.can_submit_phase,
                               verb="intermediate_reported", change=change,
                               tell=_tell_others(
                                   gettext_lazy("Mellomrapport om sikkerhetsbruddet")))
    return breach


def breach_report_final(*, breach, by, facts):
    """The final report. It must say the consequences and the measures taken.

    Side effects: the facts, a phase report (snapshot), status final, audit, everyone on the
    case told.
    """
    facts = facts_clean(facts)
    require_text(facts.get("consequences"), _("Sluttrapporten må beskrive konsekvensene."),
                 field="consequences")
    require_text(facts.get("measures_taken"), _("Sluttrapporten må beskrive tiltakene."),
                 field="measures_taken")
    now = timezone.now()

    def hook(locked):
        _apply(locked, facts)
        _snapshot(locked, by, Phase.FINAL, now)

    return transition_run(case=breach, by=by, name="submit_final", verb="final_reported",
                          hook=hook,
                          tell=_tell_others(gettext_lazy("Sluttrapport om sikkerhetsbruddet")))


def breach_authority_record(*, breach, by, notified, at=None, reference="", reason="",
                            delay_reason=""):
    """Record the controller's notice to Datatilsynet (time, reference), or the reasoned
    decision not to notify (GDPR art. 33). Past 72 hours from awareness, a reason for the
    delay is required.

    Side effects: the notice fields, audit, everyone on the case told.
    """
    now = timezone.now()
    delay_reason = (delay_reason or "").strip()
    if notified:
        if at is None:
            raise DomainError(_("Oppgi når meldingen ble sendt."), field="notified_at")
        if at > now + CLOCK_SKEW:
            raise DomainError(_("Tidspunktet kan ikke være i fremtiden."), field="notified_at")
        reference = require_text(reference, _("Oppgi Datatilsynets referanse."),
                                 field="reference")
    else:
        reason = require_text(reason, _("Begrunn hvorfor bruddet ikke meldes."),
                              field="reason")
        at = now
    if at > gdpr_due(breach) and not delay_reason:
        raise DomainError(_("Det er gått mer enn 72 timer: begrunn forsinkelsen."),
                          field="delay_reason")

    def change(locked):
        if locked.authority_recorded:
            raise DomainError(_("Meldingen til Datatilsynet er allerede registrert."))
        locked.authority_delay_reason = delay_reason
        if notified:
            locked.authority_notified_at, locked.authority_reference = at, reference.strip()
            return {"notified_at": at.isoformat(), "reference": locked.authority_reference}
        locked.authority_decided_at, locked.authority_not_notified_reason = at, reason
        return {"not_notified": True}

    breach, _msg = case_update(
        case=breach, by=by, allowed=perms.can_record_authority,
        verb="authority_notified" if notified else "authority_not_notified", change=change,
        tell=_tell_update(gettext_lazy("Melding til Datatilsynet er registrert")))
    return breach


def breach_dora_classify(*, breach, by, classified_at):
    """The bank marks the breach as a major ICT-related incident (DORA) and says when it
    classified it: DORA's reporting clocks start.

    Side effects: dora_major, dora_classified_at, audit, Lånekassen and Bits told.
    """
    if classified_at is None or classified_at > timezone.now() + CLOCK_SKEW:
        raise DomainError(_("Oppgi når hendelsen ble klassifisert (ikke i fremtiden)."),
                          field="classified_at")

    def change(locked):
        locked.dora_major, locked.dora_classified_at = True, classified_at
        return {"classified_at": classified_at.isoformat()}

    breach, _msg = case_update(
        case=breach, by=by, allowed=perms.can_classify_dora, verb="dora_classified",
        change=change,
        tell=lambda b: [Tell(recipients.lanekassen_people() + recipients.bits_people(),
                             gettext_lazy("Klassifisert som alvorlig IKT-hendelse (DORA)"))])
    return breach


def breach_ask(*, breach, by, message):
    """Bits or Lånekassen ask the reporting side for more (a public reply).

    Side effects: a public message, audit, the bank side told."""
    message = require_text(message, _("Skriv hva dere trenger."))
    breach, _msg = case_update(
        case=breach, by=by, allowed=perms.can_ask, verb="more_requested", message=message,
        tell=lambda b: [Tell(recipients.bank_side(b) if b.source == Source.BANK
                             else recipients.lanekassen_people(),
                             gettext_lazy("Mer informasjon om sikkerhetsbruddet trengs"))])
    return breach


def _comment_tells(breach, by, visibility):
    if visibility == Visibility.PUBLIC:
        return [Tell(recipients.everyone(breach), gettext_lazy("Ny melding"))]
    if visibility == Visibility.INTERNAL:
        return [Tell(recipients.bits_people() + recipients.lanekassen_people(),
                     gettext_lazy("Nytt internt notat"))]
    return []


def breach_comment(*, breach, by, body, visibility=Visibility.PUBLIC, files=()):
    """A reply or an internal note (Bits and Lånekassen). Side effects: a message (and
    attachments), the others on the case told. The message is the record."""
    body = require_text(body, _("Skriv en melding."), field="body")
    if visibility not in perms.visible_message_kinds(by):
        raise DomainError(_("Du kan ikke skrive med denne synligheten."), field="visibility")
    _breach, message = case_update(
        case=breach, by=by, allowed=perms.can_comment, verb="commented", audit=False,
        denied=_("Du kan ikke skrive i denne saken."), message=body, visibility=visibility,
        files=files, tell=lambda b: _comment_tells(b, by, visibility))
    return message


def breach_close(*, breach, by):
    """Lånekassen closes the breach: the final report is in and the notice to Datatilsynet
    (or the decision not to notify) is recorded.

    Side effects: closed_at, audit, everyone on the case told."""
    with transaction.atomic():
        locked = case_lock(breach)
        if locked.status == Status.FINAL and not locked.authority_recorded:
            raise DomainError(_("Registrer meldingen til Datatilsynet (eller beslutningen om "
                                "ikke å melde) før saken lukkes."))
        return transition_run(case=locked, by=by, name="close", verb="closed",
                              args=(timezone.now(),),
                              tell=_tell_update(gettext_lazy("Sikkerhetsbruddet er lukket")))


def breach_view_record(*, breach, by):
    """Someone opened the breach's page. Side effects: a BreachView row."""
    return BreachView.objects.create(breach=breach, user=by, viewed_at=timezone.now())
