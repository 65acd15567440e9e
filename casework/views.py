"""View helpers and views every case type shares: running a service from a case page and
telling the person how it went, filing a case from its form, the case page, the action view
built from the case type's action table, the timeline's message form (htmx or plain POST) and
access-checked attachment downloads; and the case page's context every `SlaCase` type shares
(`sla_case_context`).

A case type's URLs point at these views with `case_type_key=<key>`; the registry supplies the
user-scoped selector, the action table, the comment service and the detail page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import is_bits

from .actions import action_named, actions_available
from .attachments import attachment_filename
from .errors import DomainError, form_add_domain_error
from .forms import MessageForm, TextActionForm
from .permissions import is_case_bank
from .registry import case_type, case_type_for
from .selectors import attachment_for, timeline_for
from .sla import calendar_get, sla_clocks


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


def case_form_open(request, form, *, open_case, created):
    """A case filed from its form page: when `form` is posted and valid, `open_case(data)`
    calls the case type's service with the cleaned data; a DomainError becomes an error on the
    form, success is told (`created`, with the new `%(ref)s`) and the person goes to the case.
    Returns (that redirect or None, the context to render the form again with): a file input
    cannot be filled in again, so the page says so instead of dropping the files."""
    if request.method == "POST" and form.is_valid():
        try:
            case = open_case(form.cleaned_data)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, created % {"ref": case.reference})
            return redirect(case), None
    return None, {"form": form,
                  "attachments_dropped": request.method == "POST" and bool(request.FILES)}


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


def sla_case_context(request, case, *, can_comment, message_form=None):
    """What every page of an `SlaCase` shows (its type's `detail_context` adds its own): the
    timeline, the actions, the message form (`can_comment(case, user)`), the clocks, whether
    Bits waits for the viewer's bank, and the handlers Bits may give an open case to."""
    ct = case_type_for(case)
    user = request.user
    return {
        "case": case,
        "timeline": timeline_for(obj=case, visibilities=ct.message_visibilities(case, user)),
        "actions": actions_available(ct.actions, case, user),
        "message_form": message_form or message_form_for(ct, case, user),
        "can_comment": can_comment(case, user),
        "sla": sla_clocks(case=case, calendar=calendar_get()),
        "awaiting_me": case.status == case.AWAITING_BANK and is_case_bank(case, user),
        "assign_handlers": ct.handlers(user) if case.is_open and is_bits(user) else (),
        "assign_url_name": f"{ct.list_url_name.rsplit(':', 1)[0]}:assign",
    }


@login_required
def case_detail(request, reference, *, case_type_key):
    """The case page: the registry's `detail_template` with its `detail_context`, for a case
    `user` may see (else 404, as for no case)."""
    ct = case_type(case_type_key)
    case = ct.get_for_user(user=request.user, reference=reference)
    return render(request, ct.detail_template, ct.detail_context(request, case))


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
