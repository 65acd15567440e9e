from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from casework.errors import DomainError

from . import selectors, services
from .forms import AcceptInvitationForm, InvitationForm
from .permissions import is_bits, is_org_admin


@login_required
def invitations(request):
    user = request.user
    if not (is_bits(user) or is_org_admin(user)):
        raise Http404
    organisations = selectors.invitable_organisations(user=user)
    form = InvitationForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.invitation_create(by=user, organisation=data["organisation"],
                                       email=data["email"], name=data["name"], role=data["role"])
        except DomainError as exc:
            form.add_error("email", exc.message)
        else:
            messages.success(request, _("Invitasjonen er sendt til %(email)s.") % {
                "email": data["email"]})
            return redirect("accounts:invitations")
    members = None
    if not is_bits(user):
        members = selectors.organisation_members(user=user,
                                                 organisation=user.membership.organisation)
    return render(request, "accounts/invitations.html", {
        "form": form, "invitations": selectors.invitation_list_for_user(user=user),
        "members": members,
    })


def invitation_accept(request, token):
    invitation = selectors.invitation_get_usable(token=token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    form = AcceptInvitationForm(request.POST or None, email=invitation.email,
                                initial={"name": invitation.name})
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(invitation=invitation,
                                              name=form.cleaned_data["name"],
                                              password=form.cleaned_data["password1"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Velkommen! Kontoen din er opprettet."))
            return redirect("dashboard")
    return render(request, "accounts/invitation_accept.html",
                  {"form": form, "invitation": invitation})
