"""Finding 2: who may invite whom. Only a Lånekassen admin invites Lånekassen users; Bits
invites into Bits and into banks; a bank's admin into their own bank only. Raising someone to
admin in Bits or Lånekassen is audited and told to that organisation's other admins."""

import pytest

from accounts import services
from accounts.models import Invitation, Membership
from accounts.permissions import can_invite
from accounts.selectors import invitable_organisations
from casework.errors import DomainError
from casework.models import AuditEvent
from notifications.models import Notification
from tests.factories import member_of

pytestmark = pytest.mark.django_db

INVITATIONS = "/konto/invitasjoner/"


def invite(client, organisation, email, role="member"):
    return client.post(INVITATIONS, {"organisation": organisation.pk, "email": email,
                                     "name": "Ny Person", "role": role})


def test_bits_cannot_invite_into_lanekassen_in_the_service(bits_user, lanekassen_org):
    assert not can_invite(bits_user, lanekassen_org)
    with pytest.raises(DomainError):
        services.invitation_create(by=bits_user, organisation=lanekassen_org,
                                   email="ny@lanekassen.example.com",
                                   role=Membership.Role.ADMIN)
    assert not Invitation.objects.exists()


def test_bits_cannot_invite_into_lanekassen_in_the_view(client_for, bits_user, lanekassen_org,
                                                        bank):
    client = client_for(bits_user)
    choices = set(client.get(INVITATIONS).context["form"].fields["organisation"].queryset)
    assert lanekassen_org not in choices
    assert bank in choices
    response = invite(client, lanekassen_org, "ny@lanekassen.example.com", role="admin")
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert not Invitation.objects.exists()


def test_bits_invites_into_bits_and_banks(bits_user, bits_org, bank, other_bank):
    assert set(invitable_organisations(user=bits_user)) >= {bits_org, bank, other_bank}
    services.invitation_create(by=bits_user, organisation=other_bank, email="a@b.example.com")
    services.invitation_create(by=bits_user, organisation=bits_org, email="b@bits.example.com")
    assert Invitation.objects.count() == 2


def test_lanekassen_admin_invites_into_lanekassen(client_for, lk_admin, lanekassen_org):
    assert can_invite(lk_admin, lanekassen_org)
    response = invite(client_for(lk_admin), lanekassen_org, "ny@lanekassen.example.com")
    assert response.status_code == 302
    assert Invitation.objects.get().organisation == lanekassen_org


def test_lanekassen_caseworker_cannot_invite(lk_user, lanekassen_org):
    assert not can_invite(lk_user, lanekassen_org)
    with pytest.raises(DomainError):
        services.invitation_create(by=lk_user, organisation=lanekassen_org,
                                   email="ny@lanekassen.example.com")


def test_bank_admin_cannot_invite_into_another_bank(bank_admin, bank, other_bank,
                                                    lanekassen_org):
    assert can_invite(bank_admin, bank)
    assert not can_invite(bank_admin, other_bank)
    assert not can_invite(bank_admin, lanekassen_org)
    assert list(invitable_organisations(user=bank_admin)) == [bank]
    with pytest.raises(DomainError):
        services.invitation_create(by=bank_admin, organisation=other_bank,
                                   email="x@bank-b.example.com")


def test_admin_invitation_into_lanekassen_tells_the_other_admins(lk_admin, lanekassen_org):
    other_admin = member_of(lanekassen_org, role=Membership.Role.ADMIN,
                            email="admin2@lanekassen.example.com")
    services.invitation_create(by=lk_admin, organisation=lanekassen_org,
                               email="ny@lanekassen.example.com", role=Membership.Role.ADMIN)
    assert AuditEvent.objects.filter(verb="invitation_created",
                                     data__role=Membership.Role.ADMIN).exists()
    assert Notification.objects.filter(recipient=other_admin).exists()
    assert not Notification.objects.filter(recipient=lk_admin).exists()


def test_raising_to_admin_in_bits_is_audited_and_told_to_the_other_admins(bits_org):
    admin = member_of(bits_org, role=Membership.Role.ADMIN, email="admin@bits.example.com")
    other_admin = member_of(bits_org, role=Membership.Role.ADMIN, email="a2@bits.example.com")
    member = member_of(bits_org, email="m@bits.example.com")
    services.membership_set_role(membership=member.membership, by=admin,
                                 role=Membership.Role.ADMIN)
    assert AuditEvent.objects.filter(verb="member_role_changed", actor=admin,
                                     data__to=Membership.Role.ADMIN).exists()
    assert Notification.objects.filter(recipient=other_admin).exists()
    assert Notification.objects.filter(recipient=member).exists()
    assert not Notification.objects.filter(recipient=admin).exists()


def test_bits_cannot_raise_a_lanekassen_member_to_admin(bits_user, lk_user):
    with pytest.raises(DomainError):
        services.membership_set_role(membership=lk_user.membership, by=bits_user,
                                     role=Membership.Role.ADMIN)
    lk_user.membership.refresh_from_db()
    assert lk_user.membership.role == Membership.Role.MEMBER
