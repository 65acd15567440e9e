"""Who someone is in the service: pure predicates on a user, used by selectors and templates."""

from .models import Organisation


def _membership(user):
    if not user or not user.is_authenticated:
        return None
    return getattr(user, "membership", None)


def org_kind(user) -> str | None:
    membership = _membership(user)
    return membership.organisation.kind if membership else None


def is_bank_user(user) -> bool:
    return org_kind(user) == Organisation.Kind.BANK


def is_bits(user) -> bool:
    return org_kind(user) == Organisation.Kind.BITS


def is_lanekassen(user) -> bool:
    return org_kind(user) == Organisation.Kind.LANEKASSEN


def is_org_admin(user) -> bool:
    membership = _membership(user)
    return bool(membership and membership.role == membership.Role.ADMIN)


def is_lanekassen_admin(user) -> bool:
    return is_lanekassen(user) and is_org_admin(user)


def is_staff_side(user) -> bool:
    """Bits and Lånekassen: the two organisations that handle cases from every bank."""
    return is_bits(user) or is_lanekassen(user)


def requires_mfa(user) -> bool:
    """Bits and Lånekassen see every bank's cases; their accounts must have a second factor."""
    return is_staff_side(user)


def can_invite(user, organisation) -> bool:
    """Bits invites into Bits and into banks; every other organisation's admin invites into
    their own organisation only (so only Lånekassen's admin invites Lånekassen users)."""
    membership = _membership(user)
    if not membership:
        return False
    if is_bits(user) and organisation.kind in (Organisation.Kind.BITS,
                                                Organisation.Kind.BANK):
        return True
    return membership.organisation_id == organisation.pk and is_org_admin(user)


def can_manage_members(user, organisation) -> bool:
    """An organisation's admin manages its members, their signing authority and its contact
    points."""
    membership = _membership(user)
    return bool(membership and membership.organisation_id == organisation.pk
                and membership.role == membership.Role.ADMIN)


def admin_site_allows(user, perm) -> bool:
    """The portal's operators in the Django admin (active staff holding the Django model
    permission `perm`, e.g. "accounts.change_membership") may make that change in any
    organisation. The admin makes it through the same services as the portal's own pages,
    which check this and write the audit event."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_staff
                and user.has_perm(perm))
