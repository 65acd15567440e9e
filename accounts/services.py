"""Writes for users, memberships and invitations."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from casework.errors import DomainError
from casework.runner import lazy_title
from casework.services import audit_record
from notifications.models import OutboxMessage
from notifications.services import email_enqueue, notify

from .models import ContactPoint, Invitation, Membership, Organisation, User
from .permissions import admin_site_allows, can_invite, can_manage_members
from .selectors import contact_points_overdue_organisations


def invitation_create(*, by, organisation, email, name="", role=Membership.Role.MEMBER):
    """Invite someone to `organisation`.

    Side effects: an Invitation row, an audit event, an e-mail with the link in the outbox
    (to an address that already has a user: an e-mail telling its owner, without the link);
    an admin invited to Bits or Lånekassen is told to that organisation's other admins.
    """
    email = email.strip().lower()
    if not (can_invite(by, organisation) or admin_site_allows(by, "accounts.add_invitation")):
        raise DomainError(_("Du kan ikke invitere til denne organisasjonen."))
    if role not in Membership.Role.values:
        raise DomainError(_("Ukjent rolle."))
    # An address that already has a user is invited all the same, so the answer tells the
    # inviter nothing about who has an account; its owner gets a mail saying so instead of
    # the link (a user belongs to one organisation, and accepting would be refused).
    owner = User.objects.filter(email__iexact=email).first()
    with transaction.atomic():
        invitation = Invitation.objects.create(
            organisation=organisation, email=email, name=name, role=role, invited_by=by
        )
        event = audit_record(obj=organisation, actor=by, verb="invitation_created",
                             data={"email": email, "role": role})
        if role == Membership.Role.ADMIN:
            _admins_tell_new_admin(organisation=organisation, by=by, email=email, event=event)
        if owner is not None:
            email_enqueue(
                to=owner.email,
                subject=gettext_lazy("Invitasjon til Saldo på studielån forvaltningsportal"),
                template="accounts/email/invitation_existing_user.txt",
                context={"invitation": invitation, "user": owner},
                key=f"invitation:{invitation.pk}", language=owner.language,
            )
        else:
            email_enqueue(
                to=email,
                subject=gettext_lazy("Invitasjon til Saldo på studielån forvaltningsportal"),
                template="accounts/email/invitation.txt",
                context={"invitation": invitation,
                         "path": reverse("accounts:invitation_accept",
                                         args=[invitation.token])},
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


def invitation_revoke(*, invitation, by):
    """Withdraw an invitation that has not been accepted; its link stops working. Revoking a
    revoked invitation changes nothing.

    Side effects: the invitation marked revoked, an audit event.
    """
    with transaction.atomic():
        invitation = (Invitation.objects.select_for_update().select_related("organisation")
                      .get(pk=invitation.pk))
        if not (can_invite(by, invitation.organisation)
                or admin_site_allows(by, "accounts.change_invitation")):
            raise DomainError(_("Du kan ikke trekke tilbake invitasjoner til denne "
                                "organisasjonen."))
        if invitation.accepted_at is not None:
            raise DomainError(_("Invitasjonen er allerede tatt i bruk."))
        if invitation.revoked_at is not None:
            return invitation
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(obj=invitation.organisation, actor=by, verb="invitation_revoked",
                     data={"email": invitation.email})
    return invitation



def bank_register(*, orgnr, name, contact_points, registrant_name, registrant_email):
    """Create a bank that registered itself, with its contact points and its first admin.

    `contact_points` is a list of dicts (kind, name, email, phone). The admin gets no usable
    password: they set one when they confirm their e-mail address. The caller holds the
    transaction and checks the input.

    Side effects: an Organisation (not verified: Bits verifies the registration), ContactPoints
    (confirmed now), a User, an admin Membership, an audit event.
    """
    registrant_email = registrant_email.strip().lower()
    if Organisation.objects.filter(orgnr=orgnr).exists():
        raise DomainError(_("Organisasjonsnummeret er allerede registrert i portalen."))
    if User.objects.filter(email__iexact=registrant_email).exists():
        raise DomainError(_("Det finnes allerede en bruker med denne e-postadressen."))
    now = timezone.now()
    organisation = Organisation.objects.create(orgnr=orgnr, name=name.strip(),
                                               kind=Organisation.Kind.BANK, is_verified=False)
    ContactPoint.objects.bulk_create([
        ContactPoint(organisation=organisation, kind=cp["kind"], name=cp["name"].strip(),
                     email=cp["email"].strip().lower(), phone=cp["phone"], confirmed_at=now)
        for cp in contact_points])
    user = User.objects.create_user(email=registrant_email, password=None,
                                    name=registrant_name.strip())
    Membership.objects.create(user=user, organisation=organisation, role=Membership.Role.ADMIN)
    audit_record(obj=organisation, actor=None, verb="bank_registered",
                 data={"orgnr": orgnr, "admin": registrant_email})
    return organisation, user


def organisation_mark_verified(*, organisation):
    """Bits has verified a bank's registration; the caller (onboarding_verify) holds the
    transaction and records the audit event. The bank's first admin (the registrant) gets
    signing authority when nobody has it yet: the next step is signing the terms, and nobody
    else in the bank could grant it.

    Side effects: is_verified on; can_sign on the admins' memberships when the bank has no
    signer.
    """
    Organisation.objects.filter(pk=organisation.pk).update(is_verified=True)
    organisation.is_verified = True
    memberships = Membership.objects.filter(organisation=organisation)
    if not memberships.filter(can_sign=True).exists():
        memberships.filter(role=Membership.Role.ADMIN, user__is_active=True).update(can_sign=True)


def organisation_rename(*, organisation, by, name):
    """Correct a bank's legal name. Side effects: the name, an audit event."""
    name = name.strip()
    if not name:
        raise DomainError(_("Oppgi det juridiske navnet."))
    if name == organisation.name:
        return organisation
    old = organisation.name
    organisation.name = name
    organisation.save(update_fields=["name"])
    audit_record(obj=organisation, actor=by, verb="organisation_renamed",
                 data={"from": old, "to": name})
    return organisation


def organisation_create(*, by, name, orgnr, kind):
    """Add an organisation by hand (the portal's operators; banks register themselves).

    Side effects: an Organisation, an audit event.
    """
    if not admin_site_allows(by, "accounts.add_organisation"):
        raise DomainError(_("Du har ikke lov til å opprette organisasjoner."))
    if kind not in Organisation.Kind.values:
        raise DomainError(_("Ukjent organisasjonstype."), field="kind")
    if Organisation.objects.filter(orgnr=orgnr).exists():
        raise DomainError(_("Organisasjonsnummeret er allerede registrert i portalen."),
                          field="orgnr")
    with transaction.atomic():
        organisation = Organisation.objects.create(name=name.strip(), orgnr=orgnr, kind=kind)
        audit_record(obj=organisation, actor=by, verb="organisation_created",
                     data={"orgnr": orgnr, "kind": kind})
    return organisation


def organisation_set_kind(*, organisation, by, kind):
    """Make an organisation a bank, Bits or Lånekassen. What its members may see follows from
    the kind (Bits and Lånekassen see every bank's cases), so only the portal's operators
    change it.

    Side effects: the kind, an audit event.
    """
    if not admin_site_allows(by, "accounts.change_organisation"):
        raise DomainError(_("Du har ikke lov til å endre organisasjonstypen."))
    if kind not in Organisation.Kind.values:
        raise DomainError(_("Ukjent organisasjonstype."), field="kind")
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        old = organisation.kind
        if old == kind:
            return organisation
        organisation.kind = kind
        organisation.save(update_fields=["kind"])
        audit_record(obj=organisation, actor=by, verb="organisation_kind_changed",
                     data={"from": old, "to": kind})
    return organisation


def _member_locked(membership, by, perm="accounts.change_membership"):
    membership = (Membership.objects.select_for_update().select_related("user", "organisation")
                  .get(pk=membership.pk))
    if not (can_manage_members(by, membership.organisation) or admin_site_allows(by, perm)):
        raise DomainError(_("Bare organisasjonens administrator kan endre medlemmene."))
    return membership


def _keep_an_admin(membership):
    """Refuse to take away `membership`'s place as an active admin when it is its
    organisation's last one. The organisation row is locked first: two admins demoting each
    other at the same moment must not both see the other one still there."""
    Organisation.objects.select_for_update().get(pk=membership.organisation_id)
    if membership.role != Membership.Role.ADMIN or not membership.user.is_active:
        return
    others = (Membership.objects.filter(organisation_id=membership.organisation_id,
                                        role=Membership.Role.ADMIN, user__is_active=True)
              .exclude(pk=membership.pk))
    if not others.exists():
        raise DomainError(_("Organisasjonen må ha minst én administrator. Gjør en annen "
                            "til administrator først."))


# Admins of these organisations see every bank's cases: a new one is told to the others.
WATCHED_ADMIN_KINDS = (Organisation.Kind.BITS, Organisation.Kind.LANEKASSEN)


def _admins_tell_new_admin(*, organisation, by, email, event, skip=()):
    """Tell Bits' or Lånekassen's other active admins that `email` is becoming an admin
    (invited as one, or raised to one). Banks are not watched. Side effects: notifications."""
    if organisation.kind not in WATCHED_ADMIN_KINDS:
        return
    admins = [m.user for m in Membership.objects.filter(
        organisation=organisation, role=Membership.Role.ADMIN, user__is_active=True)
        .exclude(user_id__in=[u.pk for u in skip]).select_related("user")]
    notify(users=admins, exclude=by, url=reverse("accounts:members"),
           title=lazy_title(gettext_noop("%(email)s blir administrator i %(org)s"),
                            email=email, org=organisation.name),
           key=f"new-admin:{organisation.pk}:{event.pk}")


def membership_set_role(*, membership, by, role):
    """Make a member admin or member. The last admin cannot be demoted.

    Side effects: the role, an audit event, the member notified; someone raised to admin in
    Bits or Lånekassen is told to that organisation's other admins.
    """
    if role not in Membership.Role.values:
        raise DomainError(_("Ukjent rolle."))
    with transaction.atomic():
        membership = _member_locked(membership, by)
        old = membership.role
        if old == role:
            return membership
        _keep_an_admin(membership)
        membership.role = role
        membership.save(update_fields=["role"])
        event = audit_record(obj=membership.organisation, actor=by, verb="member_role_changed",
                             data={"email": membership.user.email, "from": old, "to": role})
        notify(users=[membership.user], exclude=by, url=reverse("accounts:members"),
               title=lazy_title(gettext_noop("Rollen din i %(org)s er nå %(role)s"),
                                org=membership.organisation.name,
                                role=membership.get_role_display()),
               key=f"member-role:{membership.pk}:{event.pk}")
        if role == Membership.Role.ADMIN:
            _admins_tell_new_admin(organisation=membership.organisation, by=by,
                                   email=membership.user.email, event=event,
                                   skip=[membership.user])
    return membership


def membership_set_signing_authority(*, membership, by, can_sign):
    """Give or take a member's signing authority (signeringsrett) for the terms of use.

    Side effects: the flag, an audit event, the member notified.
    """
    with transaction.atomic():
        membership = _member_locked(membership, by)
        if membership.organisation.kind != Organisation.Kind.BANK:
            raise DomainError(_("Signeringsrett gjelder bare for banker."))
        if membership.can_sign == bool(can_sign):
            return membership
        membership.can_sign = bool(can_sign)
        membership.save(update_fields=["can_sign"])
        event = audit_record(obj=membership.organisation, actor=by,
                             verb="signing_authority_granted" if can_sign
                             else "signing_authority_revoked",
                             data={"email": membership.user.email})
        title = (gettext_noop("Du har fått signeringsrett for %(org)s") if can_sign
                 else gettext_noop("Signeringsretten din for %(org)s er fjernet"))
        notify(users=[membership.user], exclude=by, url=reverse("accounts:members"),
               title=lazy_title(title, org=membership.organisation.name),
               key=f"member-sign:{membership.pk}:{event.pk}")
    return membership


def membership_set_security_contact(*, membership, by, is_security_contact):
    """Make a bank member the bank's security contact (sikkerhetskontakt), or stop it: they
    report and see the bank's security breaches.

    Side effects: the flag, an audit event, the member notified.
    """
    with transaction.atomic():
        membership = _member_locked(membership, by)
        if membership.organisation.kind != Organisation.Kind.BANK:
            raise DomainError(_("Sikkerhetskontakt gjelder bare for banker."))
        if membership.is_security_contact == bool(is_security_contact):
            return membership
        membership.is_security_contact = bool(is_security_contact)
        membership.save(update_fields=["is_security_contact"])
        event = audit_record(obj=membership.organisation, actor=by,
                             verb="security_contact_granted" if is_security_contact
                             else "security_contact_revoked",
                             data={"email": membership.user.email})
        title = (gettext_noop("Du er nå sikkerhetskontakt for %(org)s") if is_security_contact
                 else gettext_noop("Du er ikke lenger sikkerhetskontakt for %(org)s"))
        notify(users=[membership.user], exclude=by, url=reverse("accounts:members"),
               title=lazy_title(title, org=membership.organisation.name),
               key=f"member-security:{membership.pk}:{event.pk}")
    return membership


def membership_remove(*, membership, by):
    """Take a person out of the organisation; their account is closed (a user belongs to one
    organisation only). The last admin cannot be removed.

    Side effects: the Membership deleted, the user deactivated, an audit event.
    """
    with transaction.atomic():
        membership = _member_locked(membership, by, perm="accounts.delete_membership")
        _keep_an_admin(membership)
        if membership.user_id == by.pk:
            raise DomainError(_("Du kan ikke fjerne deg selv. Be en annen administrator."))
        user, organisation = membership.user, membership.organisation
        membership.delete()
        user.is_active = False
        user.save(update_fields=["is_active"])
        audit_record(obj=organisation, actor=by, verb="member_removed",
                     data={"email": user.email})
    return user


def user_set_active(*, user, by, active):
    """Open or close a person's account; a closed account cannot log in. An organisation's
    last active admin cannot be closed, and no one closes their own account.

    Side effects: the user's active flag, an audit event.
    """
    if not admin_site_allows(by, "accounts.change_user"):
        raise DomainError(_("Du har ikke lov til å åpne eller stenge kontoer."))
    active = bool(active)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_active == active:
            return user
        if not active:
            if user.pk == by.pk:
                raise DomainError(_("Du kan ikke stenge din egen konto."), field="is_active")
            membership = (Membership.objects.select_related("user")
                          .filter(user=user).first())
            if membership is not None:
                _keep_an_admin(membership)
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit_record(obj=user, actor=by, verb="user_activated" if active else "user_deactivated",
                     data={"email": user.email})
    return user


# What the Django admin may change on a person besides the active flag (user_set_active) and
# their place in an organisation (the membership services).
USER_FIELDS = ("name", "email", "is_staff", "is_superuser", "groups", "user_permissions")


def user_update(*, user, by, changes):
    """Change a person's name, e-mail address or access to the Django admin (`changes` maps
    names in USER_FIELDS to new values; groups and permissions as collections).

    Side effects: the user, an audit event with the old and new values.
    """
    if not admin_site_allows(by, "accounts.change_user"):
        raise DomainError(_("Du har ikke lov til å endre brukere."))
    unknown = set(changes) - set(USER_FIELDS)
    if unknown:
        raise DomainError(_("Disse feltene endres ikke her: %(fields)s") % {
            "fields": ", ".join(sorted(unknown))})
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if "email" in changes:
            email = changes["email"].strip().lower()
            if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
                raise DomainError(_("Det finnes allerede en bruker med denne e-postadressen."),
                                  field="email")
            changes = {**changes, "email": email}
        before, after = {}, {}
        for field, value in changes.items():
            if field in ("groups", "user_permissions"):
                related = getattr(user, field)
                before[field] = sorted(str(item) for item in related.all())
                related.set(value)
                after[field] = sorted(str(item) for item in value)
            else:
                before[field] = getattr(user, field)
                setattr(user, field, value)
                after[field] = value
        user.save()
        audit_record(obj=user, actor=by, verb="user_updated",
                     data={"from": before, "to": after})
    return user


def contact_point_update(*, contact_point, by, name, email, phone):
    """Change a contact point; saving it also confirms it.

    Side effects: the contact point (confirmed now), an audit event.
    """
    with transaction.atomic():
        contact_point = ContactPoint.objects.select_for_update().select_related(
            "organisation").get(pk=contact_point.pk)
        if not (can_manage_members(by, contact_point.organisation)
                or admin_site_allows(by, "accounts.change_contactpoint")):
            raise DomainError(_("Bare organisasjonens administrator kan endre kontaktpunktene."))
        old = {"name": contact_point.name, "email": contact_point.email,
               "phone": contact_point.phone}
        contact_point.name = name.strip()
        contact_point.email = email.strip().lower()
        contact_point.phone = phone
        contact_point.confirmed_at = timezone.now()
        contact_point.save()
        audit_record(obj=contact_point.organisation, actor=by, verb="contact_point_updated",
                     data={"kind": contact_point.kind, "from": old,
                           "to": {"name": contact_point.name, "email": contact_point.email,
                                  "phone": contact_point.phone}})
    return contact_point


def contact_points_confirm(*, organisation, by):
    """The admin confirms that every contact point is still right (due every 12 months).

    Side effects: confirmed_at on each contact point, an audit event.
    """
    if not can_manage_members(by, organisation):
        raise DomainError(_("Bare organisasjonens administrator kan bekrefte kontaktpunktene."))
    with transaction.atomic():
        count = ContactPoint.objects.filter(organisation=organisation).update(
            confirmed_at=timezone.now())
        audit_record(obj=organisation, actor=by, verb="contact_points_confirmed",
                     data={"count": count})
    return count


def contact_points_remind_overdue(*, now=None):
    """E-mail the admins of every bank with a contact point not confirmed in 12 months.

    One reminder per admin and overdue period (the outbox key holds the oldest confirmation),
    so running this daily does not repeat it. Returns how many e-mails were queued.
    Side effects: OutboxMessage rows.
    """
    now = now or timezone.now()
    queued = 0
    for organisation in contact_points_overdue_organisations(now=now):
        since = organisation.oldest_confirmation
        period = since.date().isoformat() if since else "never"
        admins = organisation.memberships.filter(role=Membership.Role.ADMIN,
                                                 user__is_active=True).select_related("user")
        with transaction.atomic():
            for membership in admins:
                key = f"contact-points-reminder:{organisation.pk}:{period}:{membership.user_id}"
                if OutboxMessage.objects.filter(key=key).exists():
                    continue
                email_enqueue(
                    to=membership.user.email,
                    subject=lazy_title(gettext_noop("Bekreft kontaktpunktene for %(org)s"),
                                       org=organisation.name),
                    template="accounts/email/contact_points_reminder.txt",
                    context={"organisation": organisation, "since": since,
                             "path": reverse("accounts:contact_points")},
                    key=key, language=membership.user.language)
                queued += 1
    return queued
