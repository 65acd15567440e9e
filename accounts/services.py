"""Writes for users, memberships and invitations."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.errors import DomainError
from casework.services import audit_record
from notifications.services import email_enqueue

from .models import Invitation, Membership, User
from .permissions import can_invite


def invitation_create(*, by, organisation, email, name="", role=Membership.Role.MEMBER):
    """Invite someone to `organisation`.

    Side effects: an Invitation row, an audit event, an e-mail with the link in the outbox.
    """
    email = email.strip().lower()
    if not can_invite(by, organisation):
        raise DomainError(_("Du kan ikke invitere til denne organisasjonen."))
    if User.objects.filter(email__iexact=email).exists():
        raise DomainError(_("Det finnes allerede en bruker med denne e-postadressen."))
    with transaction.atomic():
        invitation = Invitation.objects.create(
            organisation=organisation, email=email, name=name, role=role, invited_by=by
        )
        audit_record(obj=organisation, actor=by, verb="invitation_created",
                     data={"email": email, "role": role})
        email_enqueue(
            to=email,
            subject=_("Invitasjon til Saldo på studielån forvaltningsportal"),
            template="accounts/email/invitation.txt",
            context={"invitation": invitation,
                     "path": reverse("accounts:invitation_accept", args=[invitation.token])},
            key=f"invitation:{invitation.pk}",
        )
    return invitation


def invitation_accept(*, invitation, name, password):
    """Create the user and membership the invitation names.

    Side effects: a User, a Membership, the invitation marked accepted, an audit event.
    """
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not invitation.is_usable:
            raise DomainError(_("Invitasjonen er allerede brukt eller har gått ut."))
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise DomainError(_("Det finnes allerede en bruker med denne e-postadressen."))
        user = User.objects.create_user(email=invitation.email, password=password, name=name)
        Membership.objects.create(
            user=user, organisation=invitation.organisation, role=invitation.role
        )
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        audit_record(obj=invitation.organisation, actor=user, verb="invitation_accepted",
                     data={"email": user.email})
    return user
