"""Messages and internal notes on an onboarding case's timeline."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casework.errors import DomainError
from casework.models import Message
from casework.runner import Tell, case_update, require_text

from .. import permissions as perms
from . import recipients


def _readers_told(case, by, visibility):
    """The other side: the bank's message goes to Bits; Bits' or Lånekassen's public reply to
    the bank and the other staff side; an internal note to the other staff side only."""
    if perms.is_case_bank(case, by):
        return recipients.bits()
    other_staff = recipients.lanekassen() if perms.is_bits_handler(case, by) else recipients.bits()
    if visibility == Message.Visibility.PUBLIC:
        return recipients.bank_admins(case.organisation) + other_staff
    if visibility == Message.Visibility.INTERNAL:
        return other_staff
    return []


def onboarding_comment(*, case, by, body, visibility=Message.Visibility.PUBLIC, files=()):
    """A message or internal note on the case, with attachments.

    Side effects: a Message (its own record: no audit event, which readers the note is hidden
    from would see), Attachments, the other side told.
    """
    body = require_text(body, _("Skriv en melding."), field="body")
    if visibility not in perms.visible_message_kinds(by):
        raise DomainError(_("Du kan ikke skrive med denne synligheten."), field="visibility")
    _case, message = case_update(
        case=case, by=by, allowed=perms.can_comment, verb="commented", audit=False,
        denied=_("Du kan ikke skrive i denne saken."), message=body, visibility=visibility,
        files=files,
        tell=lambda c: [Tell(_readers_told(c, by, visibility), gettext_lazy("Ny melding"))])
    return message
