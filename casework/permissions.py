"""Predicates every bank-facing case type shares. Pure: (case, user) -> bool, or what a user
may do, used by FSM `permission=` arguments, selectors, services and templates."""

from accounts.permissions import is_bank_user, is_bits, is_lanekassen

from .models import Message


def is_case_bank(case, user) -> bool:
    """`user` works at the bank the case concerns (who reported the error, asked the
    question)."""
    return is_bank_user(user) and user.membership.organisation_id == case.organisation_id


def message_visibilities(user) -> list[str]:
    """What `user` may read and write on a case's timeline: internal notes never reach the
    bank, and Bits and Lånekassen each have notes of their own as well."""
    visibility = Message.Visibility
    if is_bits(user):
        return [visibility.PUBLIC, visibility.INTERNAL, visibility.BITS]
    if is_lanekassen(user):
        return [visibility.PUBLIC, visibility.INTERNAL, visibility.LANEKASSEN]
    return [visibility.PUBLIC]
