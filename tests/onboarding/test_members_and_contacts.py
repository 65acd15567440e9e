"""The bank's admin manages members (role, signing authority, removal) and contact points;
contact points are re-confirmed every 12 months, with a reminder and Bits' list of overdue."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from accounts import services as accounts_services
from accounts.models import ContactPoint, Membership
from accounts.selectors import contact_points_overdue_organisations
from casework.errors import DomainError
from casework.models import AuditEvent
from notifications.models import Notification, OutboxMessage
from onboarding.tasks import contact_points_remind
from tests.factories import member_of

# --- members --------------------------------------------------------------------------------

def test_admin_gives_signing_authority_through_the_page_with_audit_and_notice(
        bank_admin, bank_member, client_for):
    response = client_for(bank_admin).post(
        f"/konto/medlemmer/{bank_member.membership.pk}/signeringsrett/", {"can_sign": "on"})
    assert response.status_code == 302
    bank_member.membership.refresh_from_db()
    assert bank_member.membership.can_sign
    event = AuditEvent.objects.get(verb="signing_authority_granted")
    assert (event.actor, event.data["email"]) == (bank_admin, bank_member.email)
    assert Notification.objects.get(recipient=bank_member).title.startswith(
        "Du har fått signeringsrett")
    assert OutboxMessage.objects.filter(to=bank_member.email).exists()

    client_for(bank_admin).post(f"/konto/medlemmer/{bank_member.membership.pk}/signeringsrett/")
    bank_member.membership.refresh_from_db()
    assert not bank_member.membership.can_sign


def test_a_member_cannot_give_signing_authority(bank_admin, bank_member, client_for):
    with pytest.raises(DomainError, match="administrator"):
        accounts_services.membership_set_signing_authority(
            membership=bank_member.membership, by=bank_member, can_sign=True)
    assert client_for(bank_member).get("/konto/medlemmer/").status_code == 404
    assert client_for(bank_member).post(
        f"/konto/medlemmer/{bank_member.membership.pk}/signeringsrett/",
        {"can_sign": "on"}).status_code == 404
    bank_member.membership.refresh_from_db()
    assert not bank_member.membership.can_sign


def test_another_banks_admin_gets_404_on_our_members(bank_member, other_bank, client_for):
    other_admin = member_of(other_bank, role="admin", email="admin@bank-b.example.com")
    client = client_for(other_admin)
    pk = bank_member.membership.pk
    assert client.post(f"/konto/medlemmer/{pk}/signeringsrett/",
                       {"can_sign": "on"}).status_code == 404
    assert client.post(f"/konto/medlemmer/{pk}/rolle/", {"role": "admin"}).status_code == 404
    assert client.post(f"/konto/medlemmer/{pk}/fjern/").status_code == 404
    assert bank_member.email not in client.get("/konto/medlemmer/").content.decode()
    bank_member.membership.refresh_from_db()
    assert (bank_member.membership.role, bank_member.membership.can_sign) == ("member", False)


def test_members_page_lists_the_banks_members_for_its_admin(bank_admin, bank_member, client_for):
    page = client_for(bank_admin).get("/konto/medlemmer/").content.decode()
    assert bank_member.email in page and "Gi signeringsrett" in page


def test_admin_changes_a_role_and_the_last_admin_cannot_be_demoted(bank_admin, bank_member):
    accounts_services.membership_set_role(membership=bank_member.membership, by=bank_admin,
                                          role="admin")
    bank_member.membership.refresh_from_db()
    assert bank_member.membership.role == Membership.Role.ADMIN
    accounts_services.membership_set_role(membership=bank_member.membership, by=bank_admin,
                                          role="member")
    with pytest.raises(DomainError, match="minst én administrator"):
        accounts_services.membership_set_role(membership=bank_admin.membership, by=bank_admin,
                                              role="member")
    bank_admin.membership.refresh_from_db()
    assert bank_admin.membership.role == Membership.Role.ADMIN
    assert AuditEvent.objects.filter(verb="member_role_changed").count() == 2


def test_admin_removes_a_member_whose_account_closes(bank_admin, bank_member, client_for):
    response = client_for(bank_admin).post(
        f"/konto/medlemmer/{bank_member.membership.pk}/fjern/")
    assert response.status_code == 302
    bank_member.refresh_from_db()
    assert not bank_member.is_active
    assert not Membership.objects.filter(user=bank_member).exists()
    assert AuditEvent.objects.filter(verb="member_removed").exists()


def test_admin_cannot_remove_themselves(bank_admin):
    member_of(bank_admin.membership.organisation, role="admin", email="admin2@bank-a.no")
    with pytest.raises(DomainError, match="deg selv"):
        accounts_services.membership_remove(membership=bank_admin.membership, by=bank_admin)
    assert Membership.objects.filter(user=bank_admin).exists()


# --- contact points -------------------------------------------------------------------------

@pytest.fixture
def points(bank, bank_contact_points):
    return {cp.kind: cp for cp in ContactPoint.objects.filter(organisation=bank)}


def test_admin_edits_a_contact_point_which_also_confirms_it(bank_admin, points, client_for):
    cp = points["security"]
    ContactPoint.objects.filter(pk=cp.pk).update(confirmed_at=timezone.now()
                                                 - timedelta(days=400))
    response = client_for(bank_admin).post("/konto/kontaktpunkter/", {
        "contact_point": cp.pk, f"cp{cp.pk}-name": "Sara Sikker",
        f"cp{cp.pk}-email": "sara@bank-a.no", f"cp{cp.pk}-phone": "22 00 00 09"})
    assert response.status_code == 302
    cp.refresh_from_db()
    assert (cp.name, cp.email, cp.phone) == ("Sara Sikker", "sara@bank-a.no", "+4722000009")
    assert timezone.now() - cp.confirmed_at < timedelta(minutes=1)
    assert AuditEvent.objects.get(verb="contact_point_updated").data["from"]["name"] == "Siri"


def test_bad_phone_on_a_contact_point_is_a_field_error_and_saves_nothing(
        bank_admin, points, client_for):
    cp = points["technical"]
    response = client_for(bank_admin).post("/konto/kontaktpunkter/", {
        "contact_point": cp.pk, f"cp{cp.pk}-name": "Tor", f"cp{cp.pk}-email": "ikke-epost",
        f"cp{cp.pk}-phone": "12"})
    assert response.status_code == 400
    form = next(r["form"] for r in response.context["rows"] if r["point"].pk == cp.pk)
    assert set(form.errors) == {"email", "phone"}
    cp.refresh_from_db()
    assert (cp.email, cp.phone) == ("technical@bank-a.example.com", "+4722000001")


def test_another_bank_never_sees_or_edits_our_contact_points(points, other_bank, client_for,
                                                             bank_member):
    other_admin = member_of(other_bank, role="admin", email="admin@bank-b.example.com")
    cp = points["business"]
    client = client_for(other_admin)
    page = client.get("/konto/kontaktpunkter/").content.decode()
    assert "business@bank-a.example.com" not in page
    response = client.post("/konto/kontaktpunkter/", {
        "contact_point": cp.pk, f"cp{cp.pk}-name": "X", f"cp{cp.pk}-email": "x@x.no",
        f"cp{cp.pk}-phone": "22000000"})
    assert response.status_code == 404
    assert client_for(bank_member).get("/konto/kontaktpunkter/").status_code == 404


def test_confirming_all_contact_points_resets_the_clock(bank_admin, points, client_for):
    ContactPoint.objects.update(confirmed_at=timezone.now() - timedelta(days=500))
    assert contact_points_overdue_organisations()
    client_for(bank_admin).post("/konto/kontaktpunkter/bekreft/")
    assert not contact_points_overdue_organisations()
    assert AuditEvent.objects.get(verb="contact_points_confirmed").data == {"count": 3}


def test_reminder_goes_once_to_the_admins_of_a_bank_with_overdue_contact_points(
        bank, bank_admin, bank_member, points, other_bank):
    ContactPoint.objects.filter(pk=points["technical"].pk).update(
        confirmed_at=timezone.now() - timedelta(days=366))
    ContactPoint.objects.create(organisation=other_bank, kind="business", name="Per",
                                email="per@bank-b.no", confirmed_at=timezone.now())

    assert contact_points_remind() == 1
    message = OutboxMessage.objects.get()
    assert message.to == bank_admin.email
    assert "/konto/kontaktpunkter/" in message.body
    assert contact_points_remind() == 0  # daily runs do not repeat it
    assert OutboxMessage.objects.count() == 1


def test_contact_point_never_confirmed_is_overdue(bank, points):
    ContactPoint.objects.filter(pk=points["business"].pk).update(confirmed_at=None)
    [org] = contact_points_overdue_organisations()
    assert org == bank and org.oldest_confirmation is None


def test_bits_sees_the_banks_that_are_overdue_and_banks_do_not(
        bank, points, bits_user, bank_admin, client_for):
    ContactPoint.objects.update(confirmed_at=timezone.now() - timedelta(days=400))
    page = client_for(bits_user).get("/onboarding/kontaktpunkter/").content.decode()
    assert bank.name in page and bank.orgnr in page
    assert client_for(bank_admin).get("/onboarding/kontaktpunkter/").status_code == 404


def test_reminder_runs_daily_from_celery_beat():
    entry = django_settings.CELERY_BEAT_SCHEDULE["contact-points-remind"]
    assert entry["task"] == "onboarding.tasks.contact_points_remind"
    assert entry["schedule"] == 86400
