"""Who may see and do what with notices. Pure predicates, used by the FSM, selectors and
templates."""

from accounts.permissions import (
    is_bank_user,
    is_bits,
    is_lanekassen,
    is_staff_side,
)
from casework.runner import system_only


def can_author(user) -> bool:
    """Lånekassen writes, publishes, updates and closes notices."""
    return is_lanekassen(user)


def can_author_notice(notice, user) -> bool:
    return can_author(user)


def can_see_acknowledgements(user) -> bool:
    """Lånekassen and Bits follow up which banks have read a notice."""
    return is_staff_side(user)


def can_see_delivery_report(user) -> bool:
    return is_lanekassen(user)


def can_resend(user) -> bool:
    return is_lanekassen(user)


def can_acknowledge(user) -> bool:
    """Any user in a bank may acknowledge for the bank; the first one counts."""
    return is_bank_user(user)


def can_link(user) -> bool:
    """Bits (triaging an error report) and Lånekassen (fixing it) link notices to cases."""
    return is_staff_side(user)


def can_read_notices(user) -> bool:
    return is_bank_user(user) or is_bits(user) or is_lanekassen(user)


def can_author_notice_or_system(notice, user) -> bool:
    """Lånekassen, or the portal itself on the beat schedule (publishing at the set time,
    starting and completing maintenance at its window)."""
    return can_author(user) or system_only(notice, user)
