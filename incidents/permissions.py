"""Who may see and do what on an error report. Pure predicates: (report, user) -> bool."""

from accounts.permissions import is_bank_user, is_bits, is_lanekassen
from casework.models import Message

Visibility = Message.Visibility


def is_reporting_bank(report, user) -> bool:
    return is_bank_user(user) and user.membership.organisation_id == report.organisation_id


def can_view(report, user) -> bool:
    """The reporting bank, Bits, and Lånekassen once the report has been escalated to it."""
    if is_reporting_bank(report, user) or is_bits(user):
        return True
    return is_lanekassen(user) and report.escalated_at is not None


def can_handle(report, user) -> bool:
    """Bits triages, answers, escalates and resolves."""
    return is_bits(user)


def can_investigate(report, user) -> bool:
    """Lånekassen investigates what Bits escalated."""
    return is_lanekassen(user) and report.escalated_at is not None


def can_reclassify(report, user) -> bool:
    return is_bits(user) and report.is_open


def can_export(user) -> bool:
    return is_bits(user) or is_lanekassen(user)


def visible_message_kinds(user) -> list[str]:
    """Internal notes never reach the bank; each of Bits and Lånekassen has its own as well."""
    if is_bits(user):
        return [Visibility.PUBLIC, Visibility.INTERNAL, Visibility.BITS]
    if is_lanekassen(user):
        return [Visibility.PUBLIC, Visibility.INTERNAL, Visibility.LANEKASSEN]
    return [Visibility.PUBLIC]


def can_comment(report, user) -> bool:
    return can_view(report, user) and report.status != "closed"


def note_choices(user) -> list[str]:
    """The visibilities this user may write with."""
    return visible_message_kinds(user)


def can_report(user) -> bool:
    return is_bank_user(user)


def is_staff_user(user) -> bool:
    return is_bits(user) or is_lanekassen(user)


def is_bits_user(user) -> bool:
    return is_bits(user)
