"""Who may manage the channels. Pure predicates, used by services, selectors and templates."""

from accounts.permissions import is_bank_user, is_org_admin


def can_manage_webhooks(user) -> bool:
    """A bank's admins register and switch off the bank's webhooks."""
    return is_bank_user(user) and is_org_admin(user)
