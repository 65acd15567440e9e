"""Who may see and do what on a security breach. Pure predicates: (breach, user) -> bool.

A breach is seen only by the reporting bank's security contacts and admins (C.2), the
affected banks' security contacts and admins (C.3), Bits and Lånekassen. A bank's ordinary
members never see one.
"""

from accounts.permissions import is_bank_user, is_bits, is_lanekassen
from casework.models import Message
from casework.permissions import message_visibilities

Visibility = Message.Visibility
SOURCE_BANK = "bank"
SOURCE_LANEKASSEN = "lanekassen"
CLOSED = "closed"


def is_security_side(user) -> bool:
    """A bank's security contact (sikkerhetskontakt) or admin."""
    if not is_bank_user(user):
        return False
    membership = user.membership
    return bool(membership.is_security_contact or membership.role == membership.Role.ADMIN)


def _org_id(user):
    return user.membership.organisation_id


def is_affected_bank(breach, user) -> bool:
    """C.3: the user's bank is among those a breach at Lånekassen affects."""
    if breach.source != SOURCE_LANEKASSEN or not is_security_side(user):
        return False
    return any(o.pk == _org_id(user) for o in breach.affected_organisations.all())


def is_reporting_side(breach, user) -> bool:
    """Who reports and updates the breach: the bank's security side (C.2), Lånekassen (C.3)."""
    if breach.source == SOURCE_LANEKASSEN:
        return is_lanekassen(user)
    return is_security_side(user) and _org_id(user) == breach.organisation_id


def can_view(breach, user) -> bool:
    if is_bits(user) or is_lanekassen(user):
        return True
    return is_reporting_side(breach, user) or is_affected_bank(breach, user)


def is_open(breach) -> bool:
    return breach.status != CLOSED


def can_report(user) -> bool:
    return is_security_side(user)


def can_register_at_lanekassen(user) -> bool:
    return is_lanekassen(user)


def can_confirm_receipt(breach, user) -> bool:
    return is_lanekassen(user) and breach.source == SOURCE_BANK


def can_submit_phase(breach, user) -> bool:
    return is_reporting_side(breach, user) and is_open(breach)


def can_close(breach, user) -> bool:
    return is_lanekassen(user)


def can_ask(breach, user) -> bool:
    """Bits and Lånekassen ask the bank for more (a public reply)."""
    return (is_bits(user) or is_lanekassen(user)) and is_open(breach)


def can_record_authority(breach, user) -> bool:
    """The controller's notice to Datatilsynet is recorded by the reporting side or by
    Lånekassen on its behalf."""
    return (is_reporting_side(breach, user) or is_lanekassen(user)) and is_open(breach)


def can_classify_dora(breach, user) -> bool:
    return is_reporting_side(breach, user) and is_open(breach) and not breach.dora_major


def can_contain(breach, user) -> bool:
    """Lånekassen suspends (and lifts) a bank's API access from the bank's breach."""
    return is_lanekassen(user) and breach.source == SOURCE_BANK


def can_see_api_figures(breach, user) -> bool:
    return is_lanekassen(user) and breach.source == SOURCE_BANK


def can_see_views(user) -> bool:
    return is_lanekassen(user)


def can_rotate_keys(breach, user) -> bool:
    """The bank's admin is offered key rotation without a grace period."""
    return (breach.source == SOURCE_BANK and is_bank_user(user)
            and _org_id(user) == breach.organisation_id
            and user.membership.role == user.membership.Role.ADMIN)


def can_acknowledge(breach, user) -> bool:
    return is_affected_bank(breach, user)


def can_comment(breach, user) -> bool:
    return can_view(breach, user) and is_open(breach)


def visible_message_kinds(user) -> list[str]:
    """The kernel's rule for a case's timeline (`casework.permissions`)."""
    return message_visibilities(user)
