"""E.1 and E.2: a request is proposed, edited, submitted, and checked by Bits (opened to all
banks, returned to the bank, rejected as out of scope, or merged into the request it
duplicates)."""

import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from accounts.permissions import is_bank_user, is_lanekassen
from casework.errors import DomainError
from casework.runner import Tell, case_open, case_update, lazy_title, require_text, transition_run

from .. import permissions as perms
from ..models import ChangeRequest, Follower, Origin, Part, Status, Urgency, Vote
from . import audience

PREFIX = "EO"
REFERENCE_RE = re.compile(r"\b[A-Z]{2}-\d{4}-\d{4}\b", re.IGNORECASE)


def _clean_fields(*, title, problem, proposal, benefit, urgency, part):
    fields = {
        "title": require_text(title, _("Skriv en tittel."), field="title"),
        "problem": require_text(problem, _("Beskriv problemet."), field="problem"),
        "proposal": require_text(proposal, _("Beskriv endringen dere foreslår."),
                                 field="proposal"),
        "benefit": require_text(benefit, _("Beskriv nytten av endringen."), field="benefit"),
    }
    if len(fields["title"]) > 200:
        raise DomainError(_("Tittelen kan være høyst 200 tegn."), field="title")
    if urgency not in Urgency.values:
        raise DomainError(_("Velg en hastegrad."), field="urgency")
    if part not in Part.values:
        raise DomainError(_("Velg hvilken del av tjenesten det gjelder."), field="part")
    return {**fields, "urgency": urgency, "part": part}


def _follow(request, user):
    Follower.objects.get_or_create(request=request, user=user)


def change_request_propose(*, by, title, problem, proposal, benefit, urgency, part, files=(),
                           submit=True, impact_requested=False):
    """A bank proposes a change (E.1), or Lånekassen announces one of its own (E.2).

    A bank's request is saved as a draft or sent to Bits (`submit`); the bank's support is
    counted from the start and the proposer follows it. Lånekassen's own is open to every bank
    at once, optionally asking each bank for its impact.

    Side effects: a ChangeRequest (EO-YYYY-NNNN), attachments, an audit event, a Follower, for a
    bank a Vote; Bits told of a submitted request; bank admins told of an impact question.
    """
    fields = _clean_fields(title=title, problem=problem, proposal=proposal, benefit=benefit,
                           urgency=urgency, part=part)
    now = timezone.now()
    if is_bank_user(by):
        organisation = by.membership.organisation
        status = Status.SUBMITTED if submit else Status.DRAFT
        fields.update(origin=Origin.BANK, organisation=organisation, status=status)
        verb = "submitted" if submit else "drafted"
        tell = [Tell(audience.bits_users(),
                     lazy_title(gettext_noop("Nytt endringsønske fra %(bank)s"),
                                bank=organisation.name))] if submit else []
    elif is_lanekassen(by):
        organisation = None
        fields.update(origin=Origin.LANEKASSEN, organisation=None, status=Status.OPEN,
                      opened_at=now, impact_requested=bool(impact_requested))
        verb = "proposed_by_lanekassen"
        tell = [Tell(audience.bank_admins(), gettext_lazy("Lånekassen ber om konsekvensvurdering"))
                ] if impact_requested else []
    else:
        raise DomainError(_("Bare banker og Lånekassen kan foreslå endringer."))
    with transaction.atomic():
        request = case_open(model=ChangeRequest, by=by, prefix=PREFIX,
                            fields={**fields, "proposed_by": by, "created_at": now}, verb=verb,
                            data={"urgency": urgency, "part": part}, files=files, tell=tell)
        _follow(request, by)
        if organisation is not None:
            Vote.objects.create(request=request, organisation=organisation, cast_by=by)
    return request


def change_request_edit(*, request, by, title, problem, proposal, benefit, urgency, part,
                        files=()):
    """The proposing bank edits its draft or a request Bits returned to it.

    Side effects: the fields changed, attachments, an audit event naming the changed fields.
    """
    fields = _clean_fields(title=title, problem=problem, proposal=proposal, benefit=benefit,
                           urgency=urgency, part=part)

    def change(case):
        changed = sorted(name for name, value in fields.items() if getattr(case, name) != value)
        for name, value in fields.items():
            setattr(case, name, value)
        return {"fields": changed}

    case, _msg = case_update(case=request, by=by, allowed=perms.can_edit, verb="edited",
                             change=change, files=files,
                             denied=_("Bare banken som foreslo endringen kan endre den, og bare "
                                      "mens den er et utkast eller returnert."))
    return case


def change_request_submit(*, request, by):
    """The bank sends its draft, or the request it has completed, to Bits.

    Side effects: status submitted, audit, Bits told.
    """
    return transition_run(case=request, by=by, name="submit", verb="submitted",
                          tell=[Tell(audience.bits_users(),
                                     gettext_lazy("Endringsønske til kontroll"))])


def change_request_open(*, request, by):
    """Bits opens a complete request to every bank: they may now see, support and discuss it.

    Side effects: status open, opened_at, audit, followers told.
    """
    return transition_run(case=request, by=by, name="open", verb="opened",
                          args=(timezone.now(),),
                          tell=lambda case: [Tell(audience.audience(case),
                                                  gettext_lazy("Åpnet for alle banker"))])


def change_request_return(*, request, by, message):
    """Bits returns an incomplete request to the bank, saying what is missing.

    Side effects: status returned, a public message, audit, the bank's followers told.
    """
    message = require_text(message, _("Skriv hva som mangler."))
    return transition_run(case=request, by=by, name="return_to_bank", verb="returned",
                          message=message,
                          tell=lambda case: [Tell(audience.audience(case), gettext_lazy(
                              "Bits ber dere utfylle endringsønsket"))])


def change_request_reject_out_of_scope(*, request, by, reason):
    """Bits rejects a request that is outside the service's scope; the reason is required.

    Side effects: status rejected, a public message with the reason, audit, followers told.
    """
    reason = require_text(reason, _("Skriv hvorfor endringsønsket avvises."))
    return transition_run(case=request, by=by, name="reject_out_of_scope",
                          verb="rejected_out_of_scope", message=reason,
                          data={"reason": reason},
                          tell=lambda case: [Tell(audience.audience(case),
                                                  gettext_lazy("Endringsønsket er avvist"))])


def _reference_in(text):
    match = REFERENCE_RE.search(text or "")
    return match.group().upper() if match else ""


def _carry_over(duplicate, original):
    """The duplicate's supporting banks and followers join the original; a bank that already
    supports the original is not counted twice."""
    have = set(Vote.objects.filter(request=original).values_list("organisation_id", flat=True))
    votes = [Vote(request=original, organisation_id=v.organisation_id, cast_by_id=v.cast_by_id)
             for v in Vote.objects.filter(request=duplicate) if v.organisation_id not in have]
    # ignore_conflicts: a vote cast on the original meanwhile still counts once.
    Vote.objects.bulk_create(votes, ignore_conflicts=True)
    following = set(Follower.objects.filter(request=original).values_list("user_id", flat=True))
    followers = [Follower(request=original, user_id=f.user_id)
                 for f in Follower.objects.filter(request=duplicate)
                 if f.user_id not in following]
    Follower.objects.bulk_create(followers, ignore_conflicts=True)
    return {"banks_added": sorted(v.organisation_id for v in votes),
            "followers_added": len(followers)}


def change_request_merge(*, request, by, original, note=""):
    """Bits merges a duplicate into the request it repeats (`original`: that request, or a
    text holding its reference). The duplicate points to the original; its supporting banks
    and followers carry over; they are told. Merging into itself, or into a request that was
    itself merged, rejected or never submitted, is refused.

    Side effects: status merged, merged_into, Votes and Followers on the original, an optional
    public note, audit (with what carried over), the duplicate's followers and supporters told.
    """
    if not isinstance(original, ChangeRequest):
        reference = _reference_in(original)
        if not reference:
            raise DomainError(_("Oppgi referansen til endringsønsket det er et duplikat av "
                                "(EO-ÅÅÅÅ-NNNN)."), field="original")
        found = ChangeRequest.objects.filter(reference=reference).first()
        if found is None:
            raise DomainError(_("Fant ikke endringsønsket %(ref)s.") % {"ref": reference},
                              field="original")
        original = found
    if original.pk == request.pk:
        raise DomainError(_("Et endringsønske kan ikke slås sammen med seg selv."),
                          field="original")
    data = {"original": original.reference}

    def hook(duplicate):
        # Decide on the original's locked row: it may have been merged elsewhere meanwhile.
        target = ChangeRequest.objects.select_for_update(of=("self",)).get(pk=original.pk)
        if target.status == Status.MERGED:
            raise DomainError(_("%(ref)s er selv slått sammen med et annet endringsønske. Slå "
                                "sammen med det i stedet.") % {"ref": target.reference},
                              field="original")
        if target.status in (Status.DRAFT, Status.REJECTED, Status.NOT_FORWARDED):
            raise DomainError(_("%(ref)s kan ikke ta imot duplikater (status: %(s)s).") % {
                "ref": target.reference, "s": target.get_status_display()}, field="original")
        data.update(_carry_over(duplicate, target))

    return transition_run(
        case=request, by=by, name="merge", verb="merged", args=(original,), hook=hook,
        data=data, message=(note or "").strip() or None,
        tell=lambda case: [Tell(audience.audience(case), lazy_title(gettext_noop(
            "Slått sammen med %(ref)s: støtten og følgerne er flyttet dit"),
            ref=original.reference))])
