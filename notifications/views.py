from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from casework.errors import DomainError, form_add_domain_error
from casework.views import run_service

from . import permissions as perms
from . import selectors, services
from .forms import WebhookForm


@login_required
def notification_list(request):
    page = Paginator(selectors.notifications_for_user(user=request.user), 30).get_page(
        request.GET.get("side"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def notification_open(request, pk):
    """Follow a notification: it is marked read and the reader goes to what it is about (a
    link, so it opens in a new tab too; only a same-site target is followed)."""
    notification = get_object_or_404(selectors.notifications_for_user(user=request.user), pk=pk)
    services.notification_mark_read(user=request.user, notification_id=notification.pk)
    if notification.url and url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        return redirect(notification.url)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_mark_all_read(request):
    services.notification_mark_read(user=request.user)
    return redirect("notifications:list")


def _require_webhook_admin(user):
    if not perms.can_manage_webhooks(user):
        raise Http404


@login_required
@never_cache
def webhook_list(request):
    user = request.user
    _require_webhook_admin(user)
    form = WebhookForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = services.webhook_register(
                by=user, url=form.cleaned_data["url"],
                description=form.cleaned_data["description"])
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            created = {"endpoint": endpoint, "secret": secret}
            form = WebhookForm()
    return render(request, "notifications/webhooks.html", {
        "form": form, "created": created,
        "endpoints": selectors.webhooks_for_user(user=user),
    })


@login_required
def webhook_detail(request, pk):
    _require_webhook_admin(request.user)
    endpoint = selectors.webhook_get_for_user(user=request.user, pk=pk)
    return render(request, "notifications/webhook_detail.html", {
        "endpoint": endpoint, "attempts": selectors.webhook_attempts(endpoint=endpoint)})


@login_required
@require_POST
def webhook_deactivate(request, pk):
    _require_webhook_admin(request.user)
    endpoint = selectors.webhook_get_for_user(user=request.user, pk=pk)
    run_service(request, lambda: services.webhook_deactivate(endpoint=endpoint, by=request.user),
                success=_("Webhooken er slått av."))
    return redirect("notifications:webhooks")
