"""All banks take part: support (one vote per bank), follow, comment, answer Lånekassen's
impact question (E.2); Bits and Lånekassen assess value and effort and set the weights of the
prioritisation."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.permissions import is_bank_user
from casework.errors import DomainError
from casework.models import Message
from casework.runner import Tell, case_lock, case_update, require_text
from casework.services import audit_record

from .. import permissions as perms
from ..models import Follower, ImpactAnswer, ImpactLevel, PriorityWeights, Vote
from . import audience
from .checks import scale_1_to_5


def _not_supportable(request):
    return DomainError(_("%(ref)s kan ikke støttes nå (status: %(s)s).") % {
        "ref": request.reference, "s": request.get_status_display()})


def vote_cast(*, request, by):
    """A bank supports a request. One vote per bank, whoever casts it: a second click, a second
    tab or a colleague at the same moment leaves the one vote there is (no error). The person
    who cast it follows the request.

    Returns (vote, created). Side effects: a Vote, a Follower, an audit event on the request.
    """
    if not is_bank_user(by):
        raise DomainError(_("Bare banker kan støtte endringsønsker."))
    organisation_id = by.membership.organisation_id
    with transaction.atomic():
        # Decide on the locked row: the request may have been decided or merged meanwhile.
        request = case_lock(request)
        if not perms.can_support(request, by):
            raise _not_supportable(request)
        try:
            with transaction.atomic():
                vote, created = Vote.objects.get_or_create(
                    request=request, organisation_id=organisation_id,
                    defaults={"cast_by": by})
        except IntegrityError:
            # Another session of the same bank won the race: its vote is the bank's vote.
            vote, created = Vote.objects.get(request=request,
                                             organisation_id=organisation_id), False
        if created:
            _follow(request, by)
            audit_record(obj=request, actor=by, verb="supported",
                         data={"organisation": by.membership.organisation.name})
            request.save(update_fields=["updated_at"])
    return vote, created


def vote_withdraw(*, request, by):
    """A bank withdraws its support while the request is still to be decided.

    Returns whether there was a vote. Side effects: the Vote deleted, an audit event.
    """
    if not is_bank_user(by):
        raise DomainError(_("Bare banker kan støtte endringsønsker."))
    with transaction.atomic():
        request = case_lock(request)
        if not perms.can_support(request, by):
            raise _not_supportable(request)
        deleted, _rows = Vote.objects.filter(
            request=request, organisation_id=by.membership.organisation_id).delete()
        if deleted:
            audit_record(obj=request, actor=by, verb="support_withdrawn",
                         data={"organisation": by.membership.organisation.name})
            request.save(update_fields=["updated_at"])
    return bool(deleted)


def _follow(request, user):
    try:
        with transaction.atomic():
            Follower.objects.get_or_create(request=request, user=user)
    except IntegrityError:
        pass  # followed from another tab at the same moment


def follower_add(*, request, by):
    """Follow a request: be told of its status changes and comments. A personal choice, not a
    case event: no audit. Side effects: a Follower."""
    if not perms.can_follow(request, by):
        raise DomainError(_("Du kan ikke følge dette endringsønsket."))
    _follow(request, by)


def follower_remove(*, request, by):
    """Stop following. Side effects: the Follower deleted."""
    Follower.objects.filter(request=request, user=by).delete()


def change_request_comment(*, case, by, body, visibility=Message.Visibility.PUBLIC, files=()):
    """A comment in the request's thread (public: every bank that sees the request reads it
    and sees the commenter's bank), or an internal note of Bits or Lånekassen. The commenter
    follows the request.

    Side effects: a Message with attachments, a Follower, followers who may read it told.
    """
    body = require_text(body, _("Skriv en melding."), field="body")
    if visibility not in perms.message_visibilities(case, by):
        raise DomainError(_("Du kan ikke skrive med denne synligheten."), field="visibility")

    def readers(saved):
        return [Tell([u for u in audience.followers(saved)
                      if visibility in perms.message_visibilities(saved, u)],
                     gettext_lazy("Ny kommentar"))]

    def change(locked):
        _follow(locked, by)

    case, msg = case_update(case=case, by=by, allowed=perms.can_comment, verb="commented",
                            change=change, message=body, visibility=visibility, files=files,
                            tell=readers, audit=False)
    return msg


def impact_request(*, request, by):
    """Lånekassen asks every bank what the change would mean for it (E.2).

    Side effects: impact_requested, audit, each bank's admins told.
    """
    def change(case):
        case.impact_requested = True

    case, _msg = case_update(case=request, by=by, allowed=perms.can_request_impact,
                             verb="impact_requested", change=change,
                             tell=[Tell(audience.bank_admins(),
                                        gettext_lazy("Lånekassen ber om konsekvensvurdering"))])
    return case


def impact_answer(*, request, by, level, comment=""):
    """A bank answers Lånekassen's impact question: none, some or major, and why (required
    unless none). Answering again replaces the bank's answer. The comment also goes into the
    public thread, where the other banks read it.

    Side effects: an ImpactAnswer (one per bank), a public message, audit, followers told.
    """
    if level not in ImpactLevel.values:
        raise DomainError(_("Velg hvor stor konsekvens endringen har for dere."), field="level")
    comment = (comment or "").strip()
    if level != ImpactLevel.NONE and not comment:
        raise DomainError(_("Beskriv konsekvensen for dere."), field="comment")
    if not is_bank_user(by):
        raise DomainError(_("Bare banker svarer på konsekvensvurderingen."))
    organisation = by.membership.organisation
    label = ImpactLevel(level).label
    message = _("Konsekvens for %(bank)s: %(level)s.") % {"bank": organisation.name,
                                                          "level": label}
    if comment:
        message += "\n" + comment

    def change(case):
        ImpactAnswer.objects.update_or_create(
            request=case, organisation=organisation,
            defaults={"level": level, "comment": comment, "answered_by": by})
        return {"level": level}

    case, _msg = case_update(case=request, by=by, allowed=perms.can_answer_impact,
                             verb="impact_answered", change=change, message=message,
                             tell=lambda saved: [Tell(audience.followers(saved),
                                                      gettext_lazy("Ny konsekvensvurdering"))])
    return case


def change_request_assess(*, request, by, value=None, effort=None, forum_meeting_on=None):
    """Bits or Lånekassen sets the value and effort (1–5) used by the prioritisation, and the
    Fagutvalg meeting that will discuss the request (its agenda).

    Side effects: the fields, an audit event with the new values.
    """
    value, effort = scale_1_to_5(value, "value"), scale_1_to_5(effort, "effort")

    def change(case):
        case.value, case.effort, case.forum_meeting_on = value, effort, forum_meeting_on
        return {"value": value, "effort": effort,
                "forum_meeting_on": forum_meeting_on.isoformat() if forum_meeting_on else None}

    case, _msg = case_update(case=request, by=by, allowed=perms.can_assess, verb="assessed",
                             change=change)
    return case


WEIGHT_FIELDS = ("support", "urgency", "value", "effort")


def priority_weights_update(*, by, support, urgency, value, effort):
    """Bits sets the weights of the prioritisation score.

    Side effects: the PriorityWeights row, an audit event with the old and new weights.
    """
    if not perms.can_edit_weights(by):
        raise DomainError(_("Bare Bits kan endre vektene."))
    new = dict(zip(WEIGHT_FIELDS, (support, urgency, value, effort), strict=True))
    for name, weight in new.items():
        if weight is None or not 0 <= int(weight) <= 100:
            raise DomainError(_("En vekt er et helt tall fra 0 til 100."), field=name)
    if not sum(int(w) for w in new.values()):
        raise DomainError(_("Minst én vekt må være større enn 0."), field="support")
    with transaction.atomic():
        weights = PriorityWeights.objects.select_for_update().order_by("pk").first()
        if weights is None:
            weights = PriorityWeights.objects.create()
        before = {name: getattr(weights, name) for name in WEIGHT_FIELDS}
        for name, weight in new.items():
            setattr(weights, name, int(weight))
        weights.updated_by = by
        weights.save()
        audit_record(obj=weights, actor=by, verb="priority_weights_changed",
                     data={"before": before, "after": {k: int(v) for k, v in new.items()}})
    return weights
