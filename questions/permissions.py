"""Who may see and do what with questions and the FAQ. Pure predicates: (object, user) -> bool,
used by the FSM transitions, the selectors and the templates. Those every bank-facing case
shares (the case's own bank, the timeline's visibilities) are the kernel's, in
`casework.permissions`."""

from accounts.permissions import is_bank_user, is_bits, is_lanekassen, is_staff_side
from casework.permissions import is_case_bank

CLOSED = "closed"
ANSWERED_STATUSES = ("answered", "closed")
PUBLISHED = "published"


# --- questions ----------------------------------------------------------------------------

def can_view(question, user) -> bool:
    """The asking bank, Bits, and Lånekassen once the question has been forwarded to it."""
    if is_case_bank(question, user) or is_bits(user):
        return True
    return is_lanekassen(user) and question.forwarded_at is not None


def can_ask(user) -> bool:
    return is_bank_user(user)


def can_handle(question, user) -> bool:
    """Bits answers, asks the bank for more, forwards to Lånekassen and relays its guidance."""
    return is_bits(user)


def can_guide(question, user) -> bool:
    """Lånekassen gives professional guidance on what Bits forwarded to it."""
    return is_lanekassen(user) and question.forwarded_at is not None


def can_comment(question, user) -> bool:
    return can_view(question, user) and question.status != CLOSED


def can_make_faq(question, user) -> bool:
    """Bits turns an answered question into an FAQ draft."""
    return is_bits(user) and question.status in ANSWERED_STATUSES


# --- the FAQ ------------------------------------------------------------------------------

def faq_can_read(entry, user) -> bool:
    """Every logged-in person reads published entries; drafts and archived entries only Bits
    and Lånekassen."""
    if not getattr(user, "is_authenticated", False):
        return False
    return entry.status == PUBLISHED or is_staff_side(user)


def faq_can_see_unpublished(user) -> bool:
    return is_staff_side(user)


def faq_can_write(user) -> bool:
    """Bits writes and edits FAQ entries."""
    return is_bits(user)


def faq_can_manage(entry, user) -> bool:
    """Bits publishes, archives and reviews FAQ entries."""
    return is_bits(user)


def faq_can_see_source(user) -> bool:
    """Which bank's question an entry came from is for Bits and Lånekassen only."""
    return is_staff_side(user)


def faq_can_vote(entry, user) -> bool:
    return getattr(user, "is_authenticated", False) and entry.status == PUBLISHED


def faq_can_see_stats(user) -> bool:
    return is_bits(user)


def can_deflect(user) -> bool:
    """A bank user who found the answer in the FAQ instead of asking."""
    return is_bank_user(user)
