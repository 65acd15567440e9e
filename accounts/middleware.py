from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

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


# What a user of a bank Bits has not verified yet may reach, besides logging in and out,
# the language switch and static files (_ALLOWED_PREFIXES): its onboarding case (the
# onboarding views find the user's own case; the rest of the app is refused).
_UNVERIFIED_ONBOARDING_VIEWS = frozenset({
    "index", "register", "registered", "verify", "detail", "action", "resubmit", "message",
    "attachment",
})


class UnverifiedOrganisationMiddleware:
    """A bank that registered itself is not a bank until Bits has verified the registration:
    its users reach their onboarding case and nothing else. A page sends them to the case
    with a message; anything else (a POST, an htmx call) is refused with 403."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or request.path.startswith(_ALLOWED_PREFIXES):
            return None
        membership = getattr(user, "membership", None)
        if membership is None or membership.organisation.is_verified:
            return None
        match = request.resolver_match
        if match.namespace == "onboarding" and match.url_name in _UNVERIFIED_ONBOARDING_VIEWS:
            return None
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        messages.info(request, _("Bits har ikke verifisert registreringen ennå. Til da finner "
                                 "dere bare onboardingsaken her."))
        return redirect(reverse("onboarding:index"))


class UserLanguageMiddleware:
    """The language a person reads in is theirs, not their browser's: it is saved on the
    profile (`User.language`) when they switch language while logged in, so notifications and
    e-mails to them are written in it; and a session that has not chosen yet starts in it.
    Sits after the authentication and locale middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        user = getattr(request, "user", None)
        languages = {code for code, _name in settings.LANGUAGES}
        authenticated = user is not None and user.is_authenticated
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        from_profile = authenticated and chosen not in languages and user.language in languages
        previous = translation.get_language()
        if from_profile:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        # Logging in during this request switches to the person's language at once
        # (`reader_language_on_login`): what the login says is written in it.
        request.reader_language_switch = not chosen or chosen not in languages
        try:
            response = self.get_response(request)
        finally:
            # The thread goes back to the language the locale middleware chose, so that
            # nothing after this request (a test, a task run eagerly) inherits this person's.
            if translation.get_language() != previous:
                translation.activate(previous)
        if from_profile:
            response.headers.setdefault("Content-Language", user.language)
        if (authenticated and request.method == "POST" and request.path == reverse("set_language")
                and request.POST.get("language") in languages):
            from .profiles import user_language_set

            user_language_set(user=user, language=request.POST["language"])
        elif from_profile:
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language,
                                samesite="Lax", secure=request.is_secure())
        return response


def reader_language_on_login(sender, request, user, **kwargs):
    """`user_logged_in`: in a request through `UserLanguageMiddleware` where no language was
    chosen (no language cookie), the rest of the request — the "logged in" message among it —
    is in the person's language, not the browser's; the middleware restores the thread's."""
    from django.conf import settings
    from django.utils import translation

    languages = {code for code, _name in settings.LANGUAGES}
    if not getattr(request, "reader_language_switch", False) or user.language not in languages:
        return
    translation.activate(user.language)
    request.LANGUAGE_CODE = user.language
