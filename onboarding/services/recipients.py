"""Who hears about an onboarding case: the bank's admins or signers, Bits, Lånekassen."""

from accounts.models import Membership, Organisation
from accounts.selectors import users_in_org_kind


def bank_admins(organisation):
    return [m.user for m in Membership.objects.filter(
        organisation=organisation, role=Membership.Role.ADMIN, user__is_active=True)
        .select_related("user")]


def bank_signers(organisation):
    """Those who can sign, and the admins who can give someone signing authority."""
    return [m.user for m in Membership.objects.filter(
        organisation=organisation, user__is_active=True).select_related("user")
        if m.can_sign or m.role == Membership.Role.ADMIN]


def bits():
    return list(users_in_org_kind(Organisation.Kind.BITS))


def lanekassen():
    return list(users_in_org_kind(Organisation.Kind.LANEKASSEN))
