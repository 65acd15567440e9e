"""The dashboard and the admin's login. The home page shows what each case type registered
(`casework.registry.home_panels`): `config` names no process app."""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from casework.registry import home_panels


@login_required
def dashboard(request):
    return render(request, "dashboard.html", {"panels": home_panels(request)})


def admin_login(request, extra_context=None):
    """Replaces the admin's own login form, which would let a password alone in (no second
    factor, no rate limit): staff go on to the admin, everyone else to allauth's login.
    `next` is followed only when it stays on this site; anything else goes to the admin's
    index."""
    target = _safe_next(request)
    if request.user.is_authenticated and request.user.is_staff:
        return redirect(target)
    if request.user.is_authenticated:
        return admin_denied(request)
    return redirect_to_login(target, login_url=reverse("account_login"))


def _safe_next(request):
    target = request.GET.get("next", "")
    if target and target == target.strip() and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("admin:index")


def admin_denied(request):
    """The admin for someone logged in without admin rights: say who it is for (403). Sending
    them to the login would loop, since the login sends logged-in users straight back."""
    return render(request, "admin_denied.html", status=403)


def page_not_found(request, exception=None):
    """The error pages (handler404/403/500 in config.urls): the portal's layout, a way home."""
    return render(request, "404.html", status=404)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def server_error(request):
    # Without the request's context: whatever failed (the database, a context processor) must
    # not fail this page too. The layout then shows the logged-out header.
    return HttpResponseServerError(loader.get_template("500.html").render())
