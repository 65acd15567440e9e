from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Nobody signs up on their own: people join by invitation from their organisation or Bits."""

    def is_open_for_signup(self, request):
        return False
