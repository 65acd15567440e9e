from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import PermissionDenied

from casework.http import client_address


class AccountAdapter(DefaultAccountAdapter):
    """Nobody signs up on their own: people join by invitation from their organisation or Bits."""

    def is_open_for_signup(self, request):
        return False

    def get_client_ip(self, request):
        """The address every login limit (and every other allauth limit) counts against: the
        portal's one answer, which knows how many proxies are in front (TRUSTED_PROXY_COUNT)."""
        address = client_address(request)
        if not address:
            raise PermissionDenied("Unable to determine client IP address")
        return address
