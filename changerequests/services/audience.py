"""Who hears about a change request. Followers (the proposer, whoever supports, comments or
presses "Følg") are told of status changes and comments; everyone else reads the weekly
digest instead of a mail per event."""

from django.db.models import Q

from accounts.models import Membership, Organisation, User
from accounts.selectors import users_in_org_kind

from ..models import Follower, Vote


def followers(request):
    return list(User.objects.filter(
        is_active=True,
        pk__in=Follower.objects.filter(request=request).values("user_id")).order_by("pk"))


def audience(request):
    """Followers and the people who cast their bank's support."""
    return list(User.objects.filter(is_active=True).filter(
        Q(pk__in=Follower.objects.filter(request=request).values("user_id"))
        | Q(pk__in=Vote.objects.filter(request=request).values("cast_by_id"))).order_by("pk"))


def bits_users():
    return list(users_in_org_kind(Organisation.Kind.BITS))


def lanekassen_users():
    return list(users_in_org_kind(Organisation.Kind.LANEKASSEN))


def bank_admins():
    """One or two people per bank, not every bank user: who answers Lånekassen's questions."""
    return list(User.objects.filter(is_active=True,
                                    membership__organisation__kind=Organisation.Kind.BANK,
                                    membership__role=Membership.Role.ADMIN))


def bank_users():
    return users_in_org_kind(Organisation.Kind.BANK).order_by("pk")
