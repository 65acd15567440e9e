"""Who may see and do what with a change request. Pure predicates: (request, user) -> bool,
used by the FSM's `permission=`, the selectors and the templates.

The statuses are compared by value here: this module must not import the models (they import
it for their transitions).
"""

from accounts.permissions import is_bank_user, is_bits, is_lanekassen, is_staff_side
from casework.permissions import message_visibilities as case_message_visibilities

PRIVATE = ("draft", "submitted", "returned")
UNDECIDED = ("open", "recommended", "with_lanekassen", "deferred")


def _organisation_id(user):
    return user.membership.organisation_id


def is_proposing_bank(request, user) -> bool:
    return (is_bank_user(user) and request.organisation_id is not None
            and _organisation_id(user) == request.organisation_id)


def can_view(request, user) -> bool:
    """Bits and Lånekassen see every request; a bank its own, and every request opened to all
    banks. Drafts and requests returned to a bank stay between it, Bits and Lånekassen."""
    if is_staff_side(user):
        return True
    if not is_bank_user(user):
        return False
    return is_proposing_bank(request, user) or (request.opened_at is not None
                                                and request.status not in PRIVATE)


def can_propose(user) -> bool:
    """Banks propose (E.1); Lånekassen proposes its own changes (E.2)."""
    return is_bank_user(user) or is_lanekassen(user)


def can_edit(request, user) -> bool:
    """The proposing bank edits its draft, or the request Bits returned to it."""
    return request.status in ("draft", "returned") and (
        is_proposing_bank(request, user)
        or (request.organisation_id is None and is_lanekassen(user)))


def can_triage(request, user) -> bool:
    """Bits checks a new request: opens it to all banks, returns it, rejects or merges it."""
    return is_bits(user)


def can_record_forums(request, user) -> bool:
    """Bits records the decisions of Fagutvalget and Referansegruppe Bank."""
    return is_bits(user)


def can_decide(request, user) -> bool:
    """Lånekassen decides and delivers."""
    return is_lanekassen(user)


def can_assess(request, user) -> bool:
    """Bits and Lånekassen set value, effort and the forum meeting for the prioritisation."""
    return is_staff_side(user) and request.status in UNDECIDED


def can_support(request, user) -> bool:
    """A bank supports a request opened to all banks while it is still to be decided."""
    return (is_bank_user(user) and request.opened_at is not None
            and request.status in UNDECIDED)


def can_follow(request, user) -> bool:
    return can_view(request, user)


def can_comment(request, user) -> bool:
    return can_view(request, user) and request.status != "merged"


def can_request_impact(request, user) -> bool:
    return (is_lanekassen(user) and not request.impact_requested
            and request.opened_at is not None and request.status in UNDECIDED)


def can_answer_impact(request, user) -> bool:
    return (is_bank_user(user) and request.impact_requested and request.opened_at is not None
            and request.status in UNDECIDED)


def can_see_impact_answers(user) -> bool:
    return is_staff_side(user)


def can_prioritise(user) -> bool:
    """The prioritisation view and the forum's agenda: Bits and Lånekassen."""
    return is_staff_side(user)


def can_edit_weights(user) -> bool:
    return is_bits(user)


def can_see_roadmap(user) -> bool:
    return is_bank_user(user) or is_staff_side(user)


def can_list(user) -> bool:
    return is_bank_user(user) or is_staff_side(user)


def message_visibilities(request, user) -> list[str]:
    """The public thread is for every bank that sees the request; Bits and Lånekassen also keep
    internal notes, each their own as well (the kernel's rule, `casework.permissions`)."""
    return case_message_visibilities(user)
