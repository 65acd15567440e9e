"""Who may see and do what in onboarding. Pure predicates: (case, user) -> bool, or (user)."""

from accounts.permissions import (
    is_bank_user,
    is_bits,
    is_lanekassen,
    is_lanekassen_admin,
    is_org_admin,
    is_staff_side,
)
from balances.selectors import api_suspension_for
from casework.permissions import message_visibilities


def is_case_bank(case, user) -> bool:
    return is_bank_user(user) and user.membership.organisation_id == case.organisation_id


def is_case_bank_admin(case, user) -> bool:
    """The bank's own steps (resubmit, test done, readiness, routines) are its admins' to take."""
    return is_case_bank(case, user) and is_org_admin(user)


def has_signing_authority(user, organisation=None) -> bool:
    """Signeringsrett: the flag on the membership the bank's admin sets."""
    if not is_bank_user(user) or not user.membership.can_sign:
        return False
    return organisation is None or user.membership.organisation_id == organisation.pk


def can_sign_terms(case, user) -> bool:
    return is_case_bank(case, user) and has_signing_authority(user)


def is_bits_handler(case, user) -> bool:
    return is_bits(user)


def is_lanekassen_handler(case, user) -> bool:
    return is_lanekassen(user)


def can_view(case, user) -> bool:
    """The bank itself, Bits and Lånekassen. Another bank never sees the case."""
    return is_case_bank(case, user) or is_staff_side(user)


def can_see_pipeline(user) -> bool:
    return is_staff_side(user)


def can_edit_registration(case, user) -> bool:
    return is_case_bank_admin(case, user) and case.status == "returned"


def can_suspend(case, user) -> bool:
    """Lånekassen suspends a bank that has API access and is not suspended already (the
    suspension is read from `balances`, which the API checks)."""
    return (is_lanekassen(user) and case.has_api_access
            and api_suspension_for(organisation=case.organisation) is None)


def can_unsuspend(case, user) -> bool:
    return (is_lanekassen(user) and case.status != "offboarded"
            and api_suspension_for(organisation=case.organisation) is not None)


def can_manage_keys(user, organisation) -> bool:
    """A bank's admin creates, rotates and revokes its own API keys."""
    return is_bank_user(user) and is_org_admin(user) and \
        user.membership.organisation_id == organisation.pk


def can_see_keys(user, organisation) -> bool:
    """Key ids (never keys) are shown to the bank and to Bits and Lånekassen."""
    if is_staff_side(user):
        return True
    return is_bank_user(user) and user.membership.organisation_id == organisation.pk


def can_publish_terms(user) -> bool:
    return is_lanekassen_admin(user)


def can_see_signing_status(user) -> bool:
    """Bits and Lånekassen see which banks have not signed the current terms."""
    return is_staff_side(user)


def visible_message_kinds(user) -> list[str]:
    """The kernel's rule for a case's timeline (`casework.permissions`)."""
    return message_visibilities(user)


def can_comment(case, user) -> bool:
    return can_view(case, user) and case.status not in ("rejected", "offboarded")
