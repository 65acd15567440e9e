"""Who hears about a bank-facing case, the same for every case type that has an assignee at
Bits and a person at the bank who opened it (`opened_by`)."""

from accounts.models import Organisation
from accounts.selectors import users_in_org_kind

from .runner import Tell


def bits_handlers(case):
    """The handler who took the case, or every Bits handler while nobody has (or the one who
    did has left)."""
    assignee = getattr(case, "assignee", None)
    if assignee is not None and assignee.is_active:
        return [assignee]
    return list(users_in_org_kind(Organisation.Kind.BITS))


def lanekassen_users(case=None):
    return list(users_in_org_kind(Organisation.Kind.LANEKASSEN))


def bank_people(case):
    """The person at the bank who opened the case, or the bank's admins once that person has
    left."""
    if case.opened_by.is_active:
        return [case.opened_by]
    admins = case.organisation.memberships.filter(role="admin").select_related("user")
    return [m.user for m in admins]


def tell_bank(title):
    return lambda case: [Tell(bank_people(case), title)]


def tell_bits(title):
    return lambda case: [Tell(bits_handlers(case), title)]
