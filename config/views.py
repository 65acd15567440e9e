"""The dashboard: the composition root may look at every process app."""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.permissions import is_bank_user, is_bits, is_lanekassen
from incidents.models import OPEN_STATUSES, Status
from incidents.selectors import incident_list_for_user


@login_required
def dashboard(request):
    user = request.user
    incidents = incident_list_for_user(user=user)
    context = {
        "open_incidents": incidents.filter(status__in=OPEN_STATUSES).count(),
        "recent_incidents": incidents.order_by("-created_at")[:5],
        "is_bank": is_bank_user(user), "is_bits": is_bits(user),
        "is_lanekassen": is_lanekassen(user),
    }
    if is_bits(user):
        context["new_incidents"] = incidents.filter(status=Status.NEW).count()
    if is_lanekassen(user):
        context["escalated_incidents"] = incidents.filter(status=Status.ESCALATED).count()
    if is_bank_user(user):
        context["awaiting_bank"] = incidents.filter(status=Status.AWAITING_BANK).count()
    return render(request, "dashboard.html", context)


def admin_login(request, extra_context=None):
    """Replaces the admin's own login form, which would let a password alone in (no second
    factor, no rate limit): staff go on to the admin, everyone else to allauth's login."""
    if request.user.is_authenticated and request.user.is_staff:
        return redirect(request.GET.get("next") or reverse("admin:index"))
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"),
                             login_url=reverse("account_login"))
