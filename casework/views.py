"""View helpers every process shares: running a service the person asked for from a case page,
and telling them how it went."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .errors import DomainError
from .forms import TextActionForm


def run_service(request, call, *, success):
    """Call `call()`. A DomainError becomes an error message for the person (nothing was
    changed: services are atomic), otherwise `success` is shown. Returns the result, or None
    when the service said no."""
    try:
        result = call()
    except DomainError as exc:
        messages.error(request, exc.message)
        return None
    messages.success(request, success(result) if callable(success) else success)
    return result if result is not None else True


def case_action(request, obj, actions, name):
    """Run the transition `name` the person picked on a case page, from a table of
    {"label", "text" (prompt or None), "required" (default True), "service"(obj, user, text)},
    and go back to the case."""
    meta = actions.get(name)
    if meta is None:
        raise Http404
    form = TextActionForm(request.POST)
    text = form.cleaned_data["text"] if form.is_valid() else ""
    if meta["text"] and meta.get("required", True) and not text.strip():
        messages.error(request, _("Fyll ut teksten før du velger «%(a)s».") % {
            "a": meta["label"]})
        return redirect(obj)
    run_service(request, lambda: meta["service"](obj, request.user, text),
                success=_("Utført: %(a)s.") % {"a": meta["label"]})
    return redirect(obj)
