"""View helpers and views every case type shares: running a service from a case page and
telling the person how it went, the action view built from the case type's action table, the
timeline's message form (htmx or plain POST) and access-checked attachment downloads.

A case type's URLs point at these views with `case_type=<key>`; the registry supplies the
user-scoped selector, the action table, the comment service and the detail page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .actions import action_named
from .attachments import attachment_filename
from .errors import DomainError, form_add_domain_error
from .forms import MessageForm, TextActionForm
from .registry import case_type
from .selectors import attachment_for


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


def case_action_run(request, case, actions, name):
    """Run the action `name` the person picked on a case page, from a table of
    `casework.actions.CaseAction`, and go back to the case."""
    action = action_named(actions, name)
    if action is None:
        raise Http404
    form = TextActionForm(request.POST)
    text = form.cleaned_data["text"] if form.is_valid() else ""
    if action.needs_text and not text.strip():
        messages.error(request, _("Fyll ut teksten før du velger «%(a)s».") % {
            "a": action.label})
        return redirect(case)
    run_service(request, lambda: action.service(case, request.user, text),
                success=_("Utført: %(a)s.") % {"a": action.label})
    return redirect(case)


def message_form_for(ct, case, user, data=None, files=None):
    return MessageForm(data, files, allowed_visibilities=ct.message_visibilities(case, user),
                       with_attachments=ct.message_attachments)


@login_required
@require_POST
def case_action(request, reference, action, *, case_type_key):
    ct = case_type(case_type_key)
    case = ct.get_for_user(user=request.user, reference=reference)
    return case_action_run(request, case, ct.actions, action)


@login_required
@require_POST
def case_message(request, reference, *, case_type_key):
    """Post a reply or note. With htmx the conversation part is swapped in place; without it,
    back to the case (or the page again with the errors, the typed text kept)."""
    ct = case_type(case_type_key)
    user = request.user
    case = ct.get_for_user(user=user, reference=reference)
    form = message_form_for(ct, case, user, request.POST, request.FILES)
    status_before = case.status
    posted = False
    if form.is_valid():
        try:
            ct.comment(case=case, by=user, body=form.cleaned_data["body"],
                       visibility=form.cleaned_data["visibility"],
                       files=form.cleaned_data.get("attachments") or ())
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            posted = True
    case = ct.get_for_user(user=user, reference=reference)
    if request.htmx:
        context = ct.detail_context(request, case, message_form=None if posted else form)
        if posted:
            context["announcement"] = _sent_announcement(case, status_before)
        else:
            context["attachments_dropped"] = bool(request.FILES)
        return render(request, "casework/_conversation.html", context)
    if posted:
        messages.success(request, _sent_announcement(case, status_before))
        return redirect(case)
    context = ct.detail_context(request, case, message_form=form)
    context["attachments_dropped"] = bool(request.FILES)
    return render(request, ct.detail_template, context, status=400)


def _sent_announcement(case, status_before):
    """What the person is told (and a screen reader reads out) after a reply: that it was
    sent, and the case's new status when the reply moved it (a bank's answer)."""
    if case.status != status_before:
        return _("Meldingen er sendt. Saken har nå status: %(status)s.") % {
            "status": case.get_status_display()}
    return _("Meldingen er sendt.")


@login_required
def case_attachment(request, reference, pk, *, case_type_key):
    ct = case_type(case_type_key)
    case = ct.get_for_user(user=request.user, reference=reference)
    attachment = attachment_for(obj=case, pk=pk,
                                visibilities=ct.message_visibilities(case, request.user))
    if attachment is None:
        raise Http404
    return FileResponse(attachment.file.open("rb"), as_attachment=True,
                        filename=attachment_filename(attachment.filename, attachment.mime_type),
                        content_type=attachment.mime_type)
