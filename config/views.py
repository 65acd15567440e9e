"""The dashboard and the admin's login. The home page shows what each case type registered
(`casework.registry.home_panels`): `config` names no process app."""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse

from casework.registry import home_panels


@login_required
def dashboard(request):
    return render(request, "dashboard.html", {"panels": home_panels(request)})


def admin_login(request, extra_context=None):
    """Replaces the admin's own login form, which would let a password alone in (no second
    factor, no rate limit): staff go on to the admin, everyone else to allauth's login."""
    if request.user.is_authenticated and request.user.is_staff:
        return redirect(request.GET.get("next") or reverse("admin:index"))
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"),
                             login_url=reverse("account_login"))
