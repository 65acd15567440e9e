from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casework.errors import DomainError, form_add_domain_error

from . import profiles, selectors, services
from .forms import (
    AcceptInvitationForm,
    ContactPointForm,
    InvitationForm,
    MemberRoleForm,
    ProfileForm,
    SecurityContactForm,
    SigningAuthorityForm,
)
from .models import Membership
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


# --- members, signing authority and contact points (the organisation's admin) -------------

def _admin_organisation(user):
    from .permissions import can_manage_members

    organisation = user.organisation
    if organisation is None or not can_manage_members(user, organisation):
        raise Http404
    return organisation


@login_required
def members(request):
    organisation = _admin_organisation(request.user)
    return render(request, "accounts/members.html", {
        "organisation": organisation,
        "members": selectors.organisation_members(user=request.user,
                                                  organisation=organisation)
        .filter(user__is_active=True).order_by("user__name", "user__email"),
        "roles": Membership.Role.choices,
        "is_bank": organisation.kind == organisation.Kind.BANK,
    })


@login_required
@require_POST
def member_role(request, pk):
    membership = selectors.membership_get_for_admin(user=request.user, pk=pk)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Velg en gyldig rolle."))
        return redirect("accounts:members")
    try:
        services.membership_set_role(membership=membership, by=request.user,
                                     role=form.cleaned_data["role"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Rollen til %(who)s er oppdatert.") % {
            "who": membership.user})
    return redirect("accounts:members")


@login_required
@require_POST
def member_signing(request, pk):
    membership = selectors.membership_get_for_admin(user=request.user, pk=pk)
    form = SigningAuthorityForm(request.POST)
    form.is_valid()
    can_sign = form.cleaned_data.get("can_sign", False)
    try:
        services.membership_set_signing_authority(membership=membership, by=request.user,
                                                  can_sign=can_sign)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        text = (_("%(who)s har fått signeringsrett.") if can_sign
                else _("Signeringsretten til %(who)s er fjernet."))
        messages.success(request, text % {"who": membership.user})
    return redirect("accounts:members")


@login_required
@require_POST
def member_security_contact(request, pk):
    membership = selectors.membership_get_for_admin(user=request.user, pk=pk)
    form = SecurityContactForm(request.POST)
    form.is_valid()
    value = form.cleaned_data.get("is_security_contact", False)
    try:
        services.membership_set_security_contact(membership=membership, by=request.user,
                                                 is_security_contact=value)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        text = (_("%(who)s er nå sikkerhetskontakt.") if value
                else _("%(who)s er ikke lenger sikkerhetskontakt."))
        messages.success(request, text % {"who": membership.user})
    return redirect("accounts:members")


@login_required
@require_POST
def member_remove(request, pk):
    membership = selectors.membership_get_for_admin(user=request.user, pk=pk)
    try:
        user = services.membership_remove(membership=membership, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(who)s er fjernet fra organisasjonen.") % {"who": user})
    return redirect("accounts:members")


@login_required
def contact_points(request):
    organisation = _admin_organisation(request.user)
    points = selectors.contact_points_for_organisation(organisation=organisation)
    forms_by_pk = {cp.pk: ContactPointForm(prefix=f"cp{cp.pk}", initial={
        "name": cp.name, "email": cp.email, "phone": cp.phone}) for cp in points}
    status = 200
    if request.method == "POST":
        pk = int(request.POST.get("contact_point", "0") or 0)
        contact_point = selectors.contact_point_get_for_admin(user=request.user, pk=pk)
        form = ContactPointForm(request.POST, prefix=f"cp{contact_point.pk}")
        forms_by_pk[contact_point.pk] = form
        if form.is_valid():
            try:
                services.contact_point_update(contact_point=contact_point, by=request.user,
                                              **form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Kontaktpunktet er lagret og bekreftet."))
                return redirect("accounts:contact_points")
        status = 400
    return render(request, "accounts/contact_points.html", {
        "organisation": organisation,
        "rows": [{"point": cp, "form": forms_by_pk[cp.pk],
                  "overdue": selectors.contact_point_is_overdue(cp)} for cp in points],
    }, status=status)


@login_required
@require_POST
def contact_points_confirm(request):
    organisation = _admin_organisation(request.user)
    try:
        services.contact_points_confirm(organisation=organisation, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Kontaktpunktene er bekreftet."))
    return redirect("accounts:contact_points")


@login_required
def profile(request):
    """The person's own page: name, language, which events come by e-mail, and the ways to
    change password, e-mail address and second factor, and to get the notice feeds."""
    user = request.user
    kinds = profiles.email_kinds()
    opted_out = set(user.email_opt_out or ())
    form = ProfileForm(request.POST or None, kinds=kinds, initial={
        "name": user.name, "language": user.language,
        "email_kinds": [kind for kind, _label in kinds if kind not in opted_out]})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            profiles.user_profile_update(user=user, by=user, name=data["name"],
                                         language=data["language"],
                                         email_kinds_wanted=data["email_kinds"])
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("Profilen din er lagret."))
            response = redirect("accounts:profile")
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, data["language"],
                                samesite="Lax", secure=request.is_secure())
            return response
    return render(request, "accounts/profile.html", {
        "form": form, "feed_token": getattr(user, "notice_feed_token", None),
        "has_mfa": user.authenticator_set.exists()})
