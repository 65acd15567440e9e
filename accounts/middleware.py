from allauth.mfa.models import Authenticator
from django.shortcuts import redirect
from django.urls import reverse

from .permissions import requires_mfa

# Paths a Bits or Lånekassen user without a second factor may still reach: setting it up,
# logging out, switching language, and static files.
_ALLOWED_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/admin/logout/")


class RequireMfaMiddleware:
    """Bits and Lånekassen users cannot open anything until TOTP is set up."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(_ALLOWED_PREFIXES)
            and requires_mfa(user)
            and not Authenticator.objects.filter(
                user=user, type=Authenticator.Type.TOTP
            ).exists()
        ):
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
