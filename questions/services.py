"""Writes for questions (D.1). Each is one call of the case kernel's runner
(`casework.runner`): lock, check, change, save, message, audit, notify — in one transaction.

The flow: the bank asks → Bits takes it and answers (→ answered), asks the bank for more
(→ awaiting the bank; the SLA clock pauses), or forwards it to Lånekassen (→ forwarded).
Lånekassen gives its professional guidance to Bits in an internal note (→ guidance given);
Bits relays it to the bank in its own words (→ answered). The bank accepts (→ closed) or
follows up (→ back to Bits); an answered question closes by itself after five quiet working
days (`question_auto_close_due`, run by the beat task as `SYSTEM`).
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from accounts.models import Organisation
from accounts.permissions import is_bits
from accounts.selectors import users_in_org_kind
from casework import slacase
from casework.errors import DomainError
from casework.models import Environment, Message
from casework.permissions import is_case_bank
from casework.recipients import bank_people as _bank_recipients
from casework.recipients import bits_handlers as _bits_recipients
from casework.recipients import lanekassen_users as _lanekassen_recipients
from casework.recipients import tell_bank as _tell_bank
from casework.recipients import tell_bits as _tell_bits
from casework.runner import Tell, case_open, lazy_title, require_text, transition_run

from . import permissions as perms
from .models import QUESTION_MAX_CHARS, Category, Question

Visibility = Message.Visibility
AUTO_CLOSED = gettext_lazy("Spørsmålet er lukket automatisk etter fem virkedager uten svar")


def _check_text(text, *, field="text"):
    text = require_text(text, _("Skriv spørsmålet."), field=field)
    if len(text) > QUESTION_MAX_CHARS:
        raise DomainError(_("Teksten kan være på høyst %(max)s tegn (den har %(n)s).") % {
            "max": f"{QUESTION_MAX_CHARS:,}".replace(",", " "), "n": len(text)}, field=field)
    return text


def question_ask(*, by, category, title, text, environment="", files=()):
    """A bank user asks Bits a question.

    Side effects: a Question with a new reference (SP-YYYY-NNNN) and its SLA due times (from
    the category's targets), attachments, an audit event, every Bits handler notified.
    """
    if not perms.can_ask(by):
        raise DomainError(_("Bare brukere i en bank kan stille spørsmål her."))
    if category not in Category.values:
        raise DomainError(_("Velg en kategori."), field="category")
    if environment and environment not in Environment.values:
        raise DomainError(_("Ukjent miljø."), field="environment")
    title = require_text(title, _("Skriv en kort tittel."), field="title")
    if len(title) > 200:
        raise DomainError(_("Tittelen kan være på høyst 200 tegn."), field="title")
    text = _check_text(text)
    organisation = by.membership.organisation
    return case_open(
        model=Question, by=by, prefix="SP", verb="asked",
        fields={"organisation": organisation, "asked_by": by, "category": category,
                "environment": environment or "", "title": title, "text": text},
        data={"category": category}, files=files,
        tell=[Tell(users_in_org_kind(Organisation.Kind.BITS),
                   lazy_title(gettext_noop("Nytt spørsmål fra %(bank)s"), bank=organisation.name))])


def question_take(*, question, by):
    """A Bits handler takes the question. Side effects: assignee set, first response (the bank
    is told that Bits is on it), audit, bank notified."""
    return slacase.sla_case_take(case=question, by=by,
                                 title=gettext_lazy("Bits behandler spørsmålet"))


def question_request_info(*, question, by, message):
    """Bits asks the bank for more; the SLA clock pauses until the bank answers.

    Side effects: a public message, first response, audit, bank notified.
    """
    return slacase.sla_case_request_info(case=question, by=by, message=message)


def question_bank_reply(*, question, by, message, files=()):
    """The bank answers what Bits asked; the question returns to Bits and the clock runs again.

    Side effects: a public message with attachments, due times moved by the pause, audit (with
    the business seconds the bank was waited for), Bits notified.
    """
    return slacase.sla_case_bank_reply(case=question, by=by, message=message, files=files)


def question_forward(*, question, by, note):
    """Bits forwards the question to Lånekassen for professional guidance.

    Side effects: an internal note (Bits and Lånekassen), first response, audit, Lånekassen's
    caseworkers and the bank notified. From now on Lånekassen sees the question.
    """
    note = require_text(note, _("Skriv hva Lånekassen skal svare på."))
    return transition_run(
        case=question, by=by, name="forward", verb="forwarded", args=(by, timezone.now()),
        message=note, visibility=Visibility.INTERNAL,
        tell=lambda q: [
            Tell(_lanekassen_recipients(q), gettext_lazy("Spørsmål til faglig veiledning"),
                 event="lanekassen"),
            Tell(_bank_recipients(q), gettext_lazy("Spørsmålet er sendt til Lånekassen for faglig "
                                        "veiledning"), event="bank"),
        ])


def question_give_guidance(*, question, by, guidance):
    """Lånekassen answers Bits. The bank does not see it: Bits relays it in its own words.

    Side effects: an internal note, audit, Bits notified.
    """
    guidance = require_text(guidance, _("Skriv veiledningen til Bits."))
    return transition_run(case=question, by=by, name="give_guidance", verb="guidance_given",
                          message=guidance, visibility=Visibility.INTERNAL,
                          tell=_tell_bits(gettext_lazy("Lånekassen har gitt faglig veiledning")))


def question_answer(*, question, by, answer, files=()):
    """Bits answers the bank directly. It closes by itself after five quiet working days.

    Side effects: a public message (and attachments), first response, audit, bank notified.
    """
    answer = require_text(answer, _("Skriv svaret til banken."))
    return transition_run(case=question, by=by, name="answer", verb="answered",
                          args=(by, timezone.now()), message=answer, files=files,
                          tell=_tell_bank(gettext_lazy("Spørsmålet er besvart")))


def question_relay(*, question, by, answer, files=()):
    """Bits gives the bank Lånekassen's guidance in its own words.

    Side effects: a public message (and attachments), audit, bank notified.
    """
    answer = require_text(answer, _("Skriv svaret til banken."))
    return transition_run(case=question, by=by, name="relay", verb="relayed",
                          args=(by, timezone.now()), message=answer, files=files,
                          tell=_tell_bank(gettext_lazy("Spørsmålet er besvart")))


def question_accept(*, question, by):
    """The bank accepts the answer; the question closes. Side effects: audit, Bits notified."""
    return transition_run(case=question, by=by, name="accept", verb="accepted",
                          args=(timezone.now(),),
                          tell=_tell_bits(gettext_lazy("Banken har godtatt svaret")))


def question_follow_up(*, question, by, message):
    """The bank is not done: the question goes back to Bits.

    Side effects: a public message, audit, Bits notified.
    """
    message = require_text(message, _("Skriv oppfølgingsspørsmålet."))
    return transition_run(case=question, by=by, name="follow_up", verb="followed_up",
                          message=message,
                          tell=_tell_bits(gettext_lazy("Banken har et oppfølgingsspørsmål")))


def question_auto_close(*, question, by, at=None):
    """Close an answered question after its quiet period. Only the portal (`SYSTEM`) may.

    Side effects: status closed, audit (no person), bank and Bits notified.
    """
    return slacase.sla_case_auto_close(case=question, by=by, at=at, title=AUTO_CLOSED)


def _comment_tells(question, by, visibility):
    """Who hears of a reply or note: the other side of the conversation."""
    if is_case_bank(question, by):
        return [Tell(_bits_recipients(question), gettext_lazy("Ny melding"))]
    if visibility == Visibility.PUBLIC:
        return [Tell(_bank_recipients(question), gettext_lazy("Ny melding"))]
    if visibility == Visibility.INTERNAL and question.forwarded_at:
        other = (_lanekassen_recipients(question) if is_bits(by)
                 else _bits_recipients(question))
        return [Tell(other, gettext_lazy("Nytt internt notat"))]
    return []  # a note for one's own organisation, or Lånekassen is not involved yet


def question_comment(*, case, by, body, visibility=Visibility.PUBLIC, files=()):
    """A reply or internal note on the timeline (`casework.slacase.sla_case_comment`). A
    bank's reply to a question waiting for it hands the question back to Bits, as
    `question_bank_reply`; on an answered question it is a message that restarts the quiet
    period.

    Side effects: a message (and attachments), a public reply from Bits counts as first
    response, the other side notified. No audit event: the message is the record.
    Returns the message (the question, for a bank's reply).
    """
    if len((body or "").strip()) > QUESTION_MAX_CHARS:
        raise DomainError(_("Meldingen kan være på høyst 10 000 tegn."), field="body")
    return slacase.sla_case_comment(
        case=case, by=by, body=body, visibility=visibility, files=files,
        allowed=perms.can_comment, denied=_("Du kan ikke skrive i dette spørsmålet."),
        tells=_comment_tells)


def question_auto_close_due(*, now=None):
    """Close every question answered more than five working days ago without a reply.

    A public message after the answer (a "thanks, but…" from the bank) restarts the quiet
    period. Side effects per question: as `question_auto_close`. Returns how many closed.
    """
    return slacase.sla_case_auto_close_due(model=Question, now=now, title=AUTO_CLOSED)


def question_assign(*, question, by, to):
    """Bits gives an open question to another Bits handler (or takes it over).

    Side effects: the assignee changed (the status stays), an audit event ("assigned"),
    the new handler notified (portal + e-mail)."""
    return slacase.sla_case_assign(case=question, by=by, to=to,
                                   title=gettext_lazy("Du er tildelt spørsmålet"))
