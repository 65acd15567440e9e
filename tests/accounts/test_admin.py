"""The Django admin changes people and organisations only through accounts' services: each
change is audited, and an organisation always keeps an active admin.

The admin is Lånekassen's superuser with TOTP (`lk_admin`); every change is posted through the
admin's own change form, with the values the form shows, so the test sees what a person does.
"""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group

from accounts.models import ContactPoint, Invitation, Membership, Organisation, User
from accounts.services import membership_set_role
from casework.errors import DomainError
from casework.models import AuditEvent
from notifications.models import Notification, OutboxMessage
from tests.factories import member_of

ADMIN = "/admin/accounts"
LAST_ADMIN = "Organisasjonen må ha minst én administrator"


def change_url(obj):
    return f"{ADMIN}/{obj._meta.model_name}/{obj.pk}/change/"


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def _field_data(form, name):
    value = form[name].value()
    key = form.add_prefix(name)
    if value is None or value is False or form.fields[name].disabled:
        return {}
    if value is True:
        return {key: "on"}
    if isinstance(value, list | tuple):
        return {key: [getattr(v, "pk", v) for v in value]}
    return {key: getattr(value, "pk", value)}


def form_data(response, **changes):
    """What the admin's change form posts back when a person changes `changes` and nothing
    else: its fields, its inlines' management forms and rows."""
    forms = [response.context["adminform"].form]
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        forms.append(inline.formset.management_form)
        forms.extend(inline.formset.forms)
    for form in forms:
        for name in form.fields:
            data.update(_field_data(form, name))
    for name, value in changes.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = "on" if value is True else value
    return data


def change(client, obj, **changes):
    url = change_url(obj)
    return client.post(url, form_data(client.get(url), **changes), follow=True)


@pytest.fixture
def admin_client(client_for, lk_admin):
    return client_for(lk_admin)


def test_changing_a_role_in_the_admin_is_audited_and_tells_the_member(admin_client, lk_admin,
                                                                      bank_admin, bank_member):
    response = change(admin_client, bank_member.membership, role="admin")
    assert response.status_code == 200
    bank_member.membership.refresh_from_db()
    assert bank_member.membership.role == Membership.Role.ADMIN
    event = AuditEvent.objects.get(verb="member_role_changed")
    assert event.actor == lk_admin
    assert event.data == {"email": bank_member.email, "from": "member", "to": "admin"}
    assert Notification.objects.filter(recipient=bank_member).count() == 1
    assert OutboxMessage.objects.filter(to=bank_member.email).count() == 1


def test_demoting_the_last_admin_in_the_admin_is_refused_and_nothing_changes(
        admin_client, bank_admin, bank_member):
    response = change(admin_client, bank_admin.membership, role="member", can_sign=True)
    assert response.status_code == 200
    assert any(LAST_ADMIN in m for m in messages_of(response))
    bank_admin.membership.refresh_from_db()
    assert bank_admin.membership.role == Membership.Role.ADMIN
    assert bank_admin.membership.can_sign is False  # the whole change is refused
    assert not AuditEvent.objects.exists()
    assert not Notification.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_demoting_an_admin_who_has_a_fellow_admin_is_allowed(admin_client, bank_admin, bank):
    member_of(bank, role=Membership.Role.ADMIN, email="admin2@bank-a.example.com")
    change(admin_client, bank_admin.membership, role="member")
    bank_admin.membership.refresh_from_db()
    assert bank_admin.membership.role == Membership.Role.MEMBER
    assert AuditEvent.objects.filter(verb="member_role_changed").count() == 1


def test_signing_authority_in_the_admin_is_audited(admin_client, lk_admin, bank_admin,
                                                   bank_member):
    change(admin_client, bank_member.membership, can_sign=True)
    bank_member.membership.refresh_from_db()
    assert bank_member.membership.can_sign is True
    event = AuditEvent.objects.get(verb="signing_authority_granted")
    assert event.actor == lk_admin

    change(admin_client, bank_member.membership, can_sign=False)
    bank_member.membership.refresh_from_db()
    assert bank_member.membership.can_sign is False
    assert AuditEvent.objects.filter(verb="signing_authority_revoked", actor=lk_admin).exists()


def test_membership_role_admin_action_uses_the_service_and_refuses_the_last_admin(
        admin_client, bank_admin, bank_member):
    url = f"{ADMIN}/membership/"
    response = admin_client.post(url, {
        "action": "make_member",
        ACTION_CHECKBOX_NAME: [bank_admin.membership.pk, bank_member.membership.pk]},
        follow=True)
    assert any(LAST_ADMIN in m for m in messages_of(response))
    bank_admin.membership.refresh_from_db()
    assert bank_admin.membership.role == Membership.Role.ADMIN
    assert not AuditEvent.objects.exists()  # the member was a member already


def test_deleting_a_membership_in_the_admin_removes_through_the_service(
        admin_client, lk_admin, bank_admin, bank_member):
    url = f"{ADMIN}/membership/{bank_member.membership.pk}/delete/"
    admin_client.post(url, {"post": "yes"}, follow=True)
    assert not Membership.objects.filter(user=bank_member).exists()
    bank_member.refresh_from_db()
    assert bank_member.is_active is False
    assert AuditEvent.objects.filter(verb="member_removed", actor=lk_admin).exists()


def test_deleting_the_last_admins_membership_is_refused(admin_client, bank_admin):
    url = f"{ADMIN}/membership/{bank_admin.membership.pk}/delete/"
    response = admin_client.post(url, {"post": "yes"}, follow=True)
    assert any(LAST_ADMIN in m for m in messages_of(response))
    assert Membership.objects.filter(user=bank_admin).exists()
    bank_admin.refresh_from_db()
    assert bank_admin.is_active is True
    assert not AuditEvent.objects.exists()


def test_bulk_delete_is_not_offered_for_memberships(admin_client, bank_member):
    response = admin_client.get(f"{ADMIN}/membership/")
    assert 'value="delete_selected"' not in response.content.decode()


def test_deactivating_a_user_in_the_admin_is_audited(admin_client, lk_admin, bank_admin,
                                                     bank_member):
    change(admin_client, bank_member, is_active=False)
    bank_member.refresh_from_db()
    assert bank_member.is_active is False
    event = AuditEvent.objects.get(verb="user_deactivated")
    assert (event.actor, event.target) == (lk_admin, bank_member)

    change(admin_client, bank_member, is_active=True)
    bank_member.refresh_from_db()
    assert bank_member.is_active is True
    assert AuditEvent.objects.filter(verb="user_activated", actor=lk_admin).exists()


def test_deactivating_the_last_admin_in_the_admin_is_refused_and_nothing_changes(
        admin_client, bank_admin):
    response = change(admin_client, bank_admin, is_active=False, name="Nytt Navn")
    assert any(LAST_ADMIN in m for m in messages_of(response))
    bank_admin.refresh_from_db()
    assert bank_admin.is_active is True
    assert bank_admin.name != "Nytt Navn"
    assert not AuditEvent.objects.exists()


def test_deactivate_action_refuses_the_last_admin_and_closes_the_others(
        admin_client, bank_admin, bank_member):
    response = admin_client.post(f"{ADMIN}/user/", {
        "action": "deactivate", ACTION_CHECKBOX_NAME: [bank_admin.pk, bank_member.pk]},
        follow=True)
    assert any(LAST_ADMIN in m for m in messages_of(response))
    bank_admin.refresh_from_db()
    bank_member.refresh_from_db()
    assert (bank_admin.is_active, bank_member.is_active) == (True, False)
    assert list(AuditEvent.objects.values_list("verb", flat=True)) == ["user_deactivated"]


def test_the_admin_cannot_close_their_own_account(admin_client, lk_admin, lanekassen_org):
    member_of(lanekassen_org, role=Membership.Role.ADMIN, email="admin2@lanekassen.example.com")
    response = change(admin_client, lk_admin, is_active=False)
    assert any("din egen konto" in m for m in messages_of(response))
    lk_admin.refresh_from_db()
    assert lk_admin.is_active is True


def test_user_details_and_admin_access_in_the_admin_are_audited(admin_client, lk_admin,
                                                                bank_member):
    group = Group.objects.create(name="Driftsstøtte")
    change(admin_client, bank_member, name="Nytt Navn", is_staff=True, groups=[group.pk])
    bank_member.refresh_from_db()
    assert bank_member.name == "Nytt Navn"
    assert bank_member.is_staff is True
    assert list(bank_member.groups.all()) == [group]
    event = AuditEvent.objects.get(verb="user_updated")
    assert event.actor == lk_admin
    assert event.data["to"] == {"name": "Nytt Navn", "is_staff": True,
                                "groups": ["Driftsstøtte"]}
    assert event.data["from"]["is_staff"] is False


def test_people_are_not_added_in_the_admin_but_invited(admin_client):
    assert admin_client.get(f"{ADMIN}/user/add/").status_code == 403
    assert admin_client.get(f"{ADMIN}/membership/add/").status_code == 403


def test_changing_an_organisations_kind_in_the_admin_is_audited(admin_client, lk_admin, bank):
    change(admin_client, bank, kind=Organisation.Kind.BITS, name="Testbank A ASA")
    bank.refresh_from_db()
    assert (bank.kind, bank.name) == (Organisation.Kind.BITS, "Testbank A ASA")
    kind = AuditEvent.objects.get(verb="organisation_kind_changed")
    assert (kind.actor, kind.data) == (lk_admin, {"from": "bank", "to": "bits"})
    assert AuditEvent.objects.filter(verb="organisation_renamed", actor=lk_admin).exists()


def test_orgnr_is_read_only_on_an_organisations_page(admin_client, bank):
    response = admin_client.get(change_url(bank))
    assert 'name="orgnr"' not in response.content.decode()


def test_adding_an_organisation_in_the_admin_is_audited(admin_client, lk_admin):
    response = admin_client.post(f"{ADMIN}/organisation/add/", {
        "name": "Ny Bank", "orgnr": "930000006", "kind": "bank",
        "contact_points-TOTAL_FORMS": "0", "contact_points-INITIAL_FORMS": "0",
        "contact_points-MIN_NUM_FORMS": "0", "contact_points-MAX_NUM_FORMS": "1000"},
        follow=True)
    assert response.status_code == 200
    organisation = Organisation.objects.get(orgnr="930000006")
    assert AuditEvent.objects.get(verb="organisation_created").object_id == organisation.pk


def test_contact_point_in_the_admin_is_updated_through_the_service(admin_client, lk_admin,
                                                                   bank):
    point = ContactPoint.objects.create(organisation=bank, kind=ContactPoint.Kind.SECURITY,
                                        name="Sikkerhetssenteret", email="soc@bank-a.example.com")
    prefix = "contact_points-0-"
    change(admin_client, bank, **{f"{prefix}email": "CSIRT@bank-a.example.com"})
    point.refresh_from_db()
    assert point.email == "csirt@bank-a.example.com"
    assert point.confirmed_at is not None
    event = AuditEvent.objects.get(verb="contact_point_updated")
    assert (event.actor, event.data["kind"]) == (lk_admin, "security")


def test_inviting_in_the_admin_goes_through_the_service(admin_client, lk_admin, bank):
    response = admin_client.post(f"{ADMIN}/invitation/add/", {
        "organisation": bank.pk, "email": "Ny@Bank-A.example.com", "name": "Ny Person",
        "role": "member"}, follow=True)
    assert response.status_code == 200
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.invited_by) == ("ny@bank-a.example.com", lk_admin)
    assert AuditEvent.objects.filter(verb="invitation_created", actor=lk_admin).exists()
    assert OutboxMessage.objects.filter(to="ny@bank-a.example.com").count() == 1


def test_inviting_an_existing_user_in_the_admin_tells_the_owner_instead_of_the_link(
        admin_client, bank, bank_member):
    # As everywhere else: no answer tells who has an account (issue 14).
    response = admin_client.post(f"{ADMIN}/invitation/add/", {
        "organisation": bank.pk, "email": bank_member.email, "name": "", "role": "member"},
        follow=True)
    assert not any("finnes allerede en bruker" in m for m in messages_of(response))
    assert Invitation.objects.get().email == bank_member.email
    assert AuditEvent.objects.filter(verb="invitation_created").exists()
    [mail] = OutboxMessage.objects.filter(to=bank_member.email)
    assert "/konto/invitasjon/" not in mail.body


def test_revoking_an_invitation_in_the_admin_is_audited_and_stops_the_link(
        admin_client, client, client_for, lk_admin, bank, bank_admin):
    invitation = Invitation.objects.create(organisation=bank, email="ny@bank-a.example.com",
                                           invited_by=bank_admin)
    admin_client.post(f"{ADMIN}/invitation/", {"action": "revoke",
                                               ACTION_CHECKBOX_NAME: [invitation.pk]})
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert AuditEvent.objects.filter(verb="invitation_revoked", actor=lk_admin).exists()
    assert client.get(f"/konto/invitasjon/{invitation.token}/").status_code == 404
    assert "Trukket tilbake" in client_for(bank_admin).get("/konto/invitasjoner/").content.decode()


def test_an_invitation_is_not_edited_or_deleted_in_the_admin(admin_client, bank, bank_admin):
    invitation = Invitation.objects.create(organisation=bank, email="ny@bank-a.example.com",
                                           invited_by=bank_admin)
    url = change_url(invitation)
    assert 'name="email"' not in admin_client.get(url).content.decode()
    assert admin_client.post(url, {"email": "annen@example.com"}).status_code == 403
    assert admin_client.get(f"{ADMIN}/invitation/{invitation.pk}/delete/").status_code == 403
    invitation.refresh_from_db()
    assert invitation.email == "ny@bank-a.example.com"


def test_staff_without_the_model_permission_cannot_change_members(bank_admin, bank_member):
    """The services check the Django permission, not only the admin's pages."""
    staff = User.objects.create_user(email="drift@lanekassen.example.com", is_staff=True)
    with pytest.raises(DomainError):
        membership_set_role(membership=bank_member.membership, by=staff, role="admin")
