"""The dashboard and the admin's login. The home page shows what each case type registered
(`casework.registry.home_panels`) and the items `reports.home` gathers: `config` names no
process app."""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.permissions import is_bank_user
from balances.selectors import lookup_log_filter, lookup_log_for_user
from casework.registry import home_panels
from casework.search import is_request_id, search_all
from reports.home import api_traffic, home_extra_items, home_queue


@login_required
def dashboard(request):
    """What needs the person: one queue of what waits for their side across every process
    (each case type's panel gives its part), the panels' cards, and a bank's API traffic."""
    panels = home_panels(request)
    for panel in panels:
        # A panel without items must not let the template find dict.items() instead.
        panel.setdefault("items", [])
    return render(request, "dashboard.html", {
        "panels": panels,
        "queue": home_queue(panels, home_extra_items(request.user)),
        "traffic": api_traffic(request.user),
    })


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


SEARCH_LOG_LINES = 10


@login_required
def search(request):
    """The header's search (`casework.search`): a reference the person may see opens that
    case; anything else lists, by case type, what each case type's user-scoped search finds,
    and for a bank an X-Request-Id also finds its own lookup-log lines. What the person may
    not see is never found, and nothing hints that it exists."""
    outcome = search_all(user=request.user, text=request.GET.get("q", ""))
    if outcome.case is not None:
        return redirect(outcome.case)
    log_lines = []
    if outcome.text and is_bank_user(request.user) and is_request_id(outcome.text):
        log_lines = list(lookup_log_filter(lookup_log_for_user(user=request.user),
                                           request_id=outcome.text)
                         .order_by("-created_at")[:SEARCH_LOG_LINES])
    return render(request, "search.html", {"outcome": outcome, "q": outcome.text,
                                           "search_q": outcome.text,
                                           "log_lines": log_lines})
