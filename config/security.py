"""Response headers every page carries, and the idle timeout for Bits and Lånekassen.

SecurityHeadersMiddleware adds, to every response the portal's views give (static files are
answered by WhiteNoise before it and keep their long cache):
- Content-Security-Policy (settings.CONTENT_SECURITY_POLICY): scripts, styles and everything else
  from the portal itself only; no inline script or style, no eval, no framing. Templates keep
  their JavaScript in static files and their styles in static CSS, so no nonce is needed.
  Django 5.2's admin runs under the same policy (tests/security/test_csp_browser.py); its one
  inline <style> is written only for a change list with actions_on_top and actions_on_bottom
  both off, which no admin of ours has.
- Permissions-Policy (settings.PERMISSIONS_POLICY): no camera, microphone, location, payment...
- Cache-Control: no-store on every response to a logged-in user (pages, htmx partials,
  attachments, CSV exports: all carry case or personal data) and on every response that says
  nothing itself (the login form, the Saldo API). A view that says what may be cached for an
  anonymous caller (the test issuer's public keys) keeps its own header.

IdleTimeoutMiddleware logs out a Bits or Lånekassen user after SESSION_IDLE_TIMEOUT_SECONDS
without a request: they see every bank's cases, and a forgotten open session on a shared desk
should not stay open until the session cookie expires.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts.permissions import is_staff_side


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY
        if "Permissions-Policy" not in response:
            response["Permissions-Policy"] = settings.PERMISSIONS_POLICY
        self._cache_control(request, response)
        return response

    @staticmethod
    def _cache_control(request, response):
        current = response.get("Cache-Control", "")
        if "no-store" in current:
            return
        user = getattr(request, "user", None)
        if not current:
            response["Cache-Control"] = "no-store"
        elif user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)


# The time of a session's last request is kept in the cache, not in the session: stamping it
# in the session would write the session row once a minute for every Bits and Lånekassen user.
# A stamp missing (the first request after login, or a flushed cache) starts the clock then.
_LAST_SEEN_KEY = "security:last-seen:{}"
# The stored time is refreshed at most this often.
_TOUCH_EVERY_SECONDS = 60


class IdleTimeoutMiddleware:
    """Log out a Bits or Lånekassen user whose session has been idle too long (after
    AuthenticationMiddleware and MessageMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and is_staff_side(user) and request.session.session_key:
            key = _LAST_SEEN_KEY.format(request.session.session_key)
            now = int(time.time())
            last_seen = cache.get(key)
            if last_seen is not None and now - last_seen > settings.SESSION_IDLE_TIMEOUT_SECONDS:
                cache.delete(key)
                return self._log_out(request)
            if last_seen is None or now - last_seen >= _TOUCH_EVERY_SECONDS:
                cache.set(key, now, settings.SESSION_COOKIE_AGE)
        return self.get_response(request)

    @staticmethod
    def _log_out(request):
        logout(request)
        minutes = settings.SESSION_IDLE_TIMEOUT_SECONDS // 60
        messages.info(request, _("Du ble logget ut etter %(minutes)s minutter uten aktivitet.")
                      % {"minutes": minutes})
        login = reverse(settings.LOGIN_URL)
        if request.method == "GET":
            login += "?" + urlencode({"next": request.get_full_path()})
        if request.headers.get("HX-Request") == "true":
            # A partial update would put the login page inside the case page: htmx loads it
            # as a whole page instead.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = login
            return response
        return redirect(login)
