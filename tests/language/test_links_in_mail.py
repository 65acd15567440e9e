"""Issue 15: links in e-mails point at the address the portal is served at (SITE_URL), for
every recipient and language."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.services import invitation_create
from incidents import services as incidents
from notifications.models import OutboxMessage
from tests.factories import member_of

pytestmark = pytest.mark.django_db

SERVED_AT = "http://portal.example.test:8801"


def test_a_case_mail_links_to_the_case_where_the_portal_is_served(settings, bank_member,
                                                                  bits_org):
    settings.SITE_URL = SERVED_AT
    english = member_of(bits_org, email="en@bits.example.com", language="en")
    report = incidents.incident_report(
        by=bank_member, environment="test", severity="normal",
        occurred_at=timezone.now() - timedelta(hours=1), request_ids=["req-1"],
        summary="401", description="Alle kall gir 401.")
    body = OutboxMessage.objects.get(to=english.email).body
    assert f"{SERVED_AT}{report.get_absolute_url()}" in body
    assert "127.0.0.1:8000" not in body


def test_an_invitation_links_to_where_the_portal_is_served(settings, bank, bank_admin):
    settings.SITE_URL = SERVED_AT
    invitation = invitation_create(by=bank_admin, organisation=bank, email="ny@bank.example.com")
    body = OutboxMessage.objects.get(to="ny@bank.example.com").body
    assert f"{SERVED_AT}/konto/invitasjon/{invitation.token}/" in body
