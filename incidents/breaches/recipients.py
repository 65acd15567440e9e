"""Who hears of a security breach. Never a bank's ordinary members: only its security contacts
(and its admins, when it has none)."""

from django.db.models import Q

from accounts.models import Membership, Organisation, User
from accounts.selectors import users_in_org_kind


def security_people(organisation_ids):
    """The security contacts of these banks, and the admins of a bank that has none."""
    memberships = list(Membership.objects.filter(
        organisation_id__in=list(organisation_ids), user__is_active=True)
        .filter(Q(is_security_contact=True) | Q(role=Membership.Role.ADMIN))
        .select_related("user"))
    contacts = {m.organisation_id for m in memberships if m.is_security_contact}
    return [m.user for m in memberships
            if m.is_security_contact or m.organisation_id not in contacts]


def bits_people():
    return list(users_in_org_kind(Organisation.Kind.BITS))


def lanekassen_people():
    return list(users_in_org_kind(Organisation.Kind.LANEKASSEN))


def bank_side(breach) -> list[User]:
    """The banks on the case: the reporting bank (C.2) or the affected banks (C.3)."""
    if breach.source == "lanekassen":
        return security_people(breach.affected_organisations.values_list("pk", flat=True))
    return security_people([breach.organisation_id])


def everyone(breach):
    return bank_side(breach) + bits_people() + lanekassen_people()
