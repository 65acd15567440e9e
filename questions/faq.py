"""Writes for the FAQ: Bits writes, publishes, reviews and archives entries; readers vote and
find answers instead of asking.

Status changes run through the case kernel's runner (lock, permission, audit), like a case's;
an FAQ entry has no bank and tells nobody, so no notifications are queued.
"""

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import is_bits
from casework.errors import DomainError
from casework.models import Message
from casework.runner import case_update, require_text, transition_run
from casework.services import audit_record

from . import permissions as perms
from .anonymise import anonymiser_for
from .models import Category, Deflection, FaqEntry, FaqStatus, FaqVote, Question

FAQ_MAX_CHARS = 10_000


def _clean(*, category, title, question, answer):
    if category not in Category.values:
        raise DomainError(_("Velg en kategori."), field="category")
    title = require_text(title, _("Skriv spørsmålet slik det skal stå i FAQ-en."),
                         field="title")
    if len(title) > 200:
        raise DomainError(_("Spørsmålet kan være på høyst 200 tegn."), field="title")
    answer = require_text(answer, _("Skriv svaret."), field="answer")
    question = (question or "").strip()
    for field, value in (("question", question), ("answer", answer)):
        if len(value) > FAQ_MAX_CHARS:
            raise DomainError(_("Teksten kan være på høyst 10 000 tegn."), field=field)
    return {"category": category, "title": title, "question": question, "answer": answer}


def faq_create(*, by, category, title, answer, question="", source_question=None):
    """Bits writes an FAQ entry; it starts as a draft only Bits and Lånekassen see.

    Side effects: a FaqEntry (draft), an audit event.
    """
    if not perms.faq_can_write(by):
        raise DomainError(_("Bare Bits kan skrive FAQ-svar."))
    fields = _clean(category=category, title=title, question=question, answer=answer)
    with transaction.atomic():
        entry = FaqEntry.objects.create(**fields, source_question=source_question,
                                        created_by=by, status_changed_at=timezone.now())
        audit_record(obj=entry, actor=by, verb="faq_created", to_state=entry.status,
                     data={"source_question": source_question.reference if source_question
                           else ""})
    return entry


def _answer_text(question):
    """The latest answer Bits gave the bank on `question` (its public replies)."""
    from django.contrib.contenttypes.models import ContentType

    message = (Message.objects.filter(
        content_type=ContentType.objects.get_for_model(Question), object_id=question.pk,
        visibility=Message.Visibility.PUBLIC, author__membership__organisation__kind="bits")
        .order_by("-created_at", "-pk").first())
    return message.body if message else ""


def faq_draft_from_question(*, question, by):
    """One click from an answered question: a draft prefilled with its question and Bits'
    answer, with the bank's name and identifying details taken out (`anonymise`), linked to
    the question for Bits and Lånekassen only.

    Side effects: as `faq_create`.
    """
    if not perms.can_make_faq(question, by):
        raise DomainError(_("Bare Bits kan lage FAQ-svar av et besvart spørsmål."))
    clean = anonymiser_for(question.organisation)
    answer = clean(_answer_text(question)) or _("(Skriv svaret.)")
    return faq_create(by=by, category=question.category, title=clean(question.title)[:200],
                      question=clean(question.text), answer=answer,
                      source_question=question)


def faq_update(*, entry, by, category, title, answer, question=""):
    """Bits edits an entry (any status). Side effects: the entry, an audit event."""
    fields = _clean(category=category, title=title, question=question, answer=answer)

    def change(locked):
        changed = [k for k, v in fields.items() if getattr(locked, k) != v]
        for key in changed:
            setattr(locked, key, fields[key])
        return {"changed": changed}

    entry, _message = case_update(case=entry, by=by, allowed=perms.faq_can_manage,
                                  verb="faq_edited", change=change,
                                  denied=_("Bare Bits kan endre FAQ-svar."))
    return entry


def faq_publish(*, entry, by):
    """Bits publishes a draft (or an archived entry again): every logged-in person can now
    read and find it. Side effects: status published, reviewed today, an audit event."""
    return transition_run(case=entry, by=by, name="publish", verb="faq_published",
                          args=(timezone.now(),))


def faq_archive(*, entry, by):
    """Bits takes an entry out of the FAQ. The question it came from stays as it is.
    Side effects: status archived, an audit event."""
    return transition_run(case=entry, by=by, name="archive", verb="faq_archived")


def faq_mark_reviewed(*, entry, by):
    """Bits has read a published entry again and it still holds. Side effects: last reviewed
    today, an audit event."""
    def change(locked):
        locked.last_reviewed_on = timezone.localdate()
        return {"reviewed_on": locked.last_reviewed_on.isoformat()}

    entry, _message = case_update(
        case=entry, by=by, verb="faq_reviewed", change=change,
        allowed=lambda e, u: perms.faq_can_manage(e, u) and e.status == FaqStatus.PUBLISHED,
        denied=_("Bare Bits kan markere et publisert FAQ-svar som gjennomgått."))
    return entry


def faq_vote(*, entry, by, helpful):
    """A reader says whether an answer helped: one vote per person, changeable.

    Side effects: one FaqVote row created or changed.
    """
    if not perms.faq_can_vote(entry, by):
        raise DomainError(_("Du kan bare vurdere publiserte svar."))
    vote, _created = FaqVote.objects.update_or_create(entry=entry, user=by,
                                                      defaults={"helpful": bool(helpful)})
    return vote


def faq_view_record(*, entry, by):
    """Count a reading of a published entry (Bits' own readings do not count).

    Side effects: the entry's view count, in one UPDATE (no lost counts under load).
    """
    if entry.status != FaqStatus.PUBLISHED or is_bits(by):
        return
    FaqEntry.objects.filter(pk=entry.pk).update(views=F("views") + 1)


def deflection_record(*, by, entry, query):
    """A bank user found the answer in the FAQ while typing and did not ask.

    Side effects: one Deflection row (counted on Bits' FAQ statistics).
    """
    if not perms.can_deflect(by):
        raise DomainError(_("Bare brukere i en bank stiller spørsmål."))
    if entry is not None and entry.status != FaqStatus.PUBLISHED:
        raise DomainError(_("Svaret finnes ikke."))
    return Deflection.objects.create(organisation=by.membership.organisation, user=by,
                                     faq_entry=entry, query=(query or "").strip()[:2000])
