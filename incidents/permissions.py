"""Who may see and do what on an error report. Pure predicates: (report, user) -> bool. Those
every bank-facing case shares (the case's own bank, the timeline's visibilities) are the
kernel's, in `casework.permissions`."""

from accounts.permissions import is_bank_user, is_bits, is_lanekassen
from casework.permissions import is_case_bank


def can_view(report, user) -> bool:
    """The reporting bank, Bits, and Lånekassen once the report has been escalated to it."""
    if is_case_bank(report, user) or is_bits(user):
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


def can_comment(report, user) -> bool:
    return can_view(report, user) and report.status != "closed"


def can_report(user) -> bool:
    return is_bank_user(user)
