"""The breach list marks a breach whose deadline has passed or is near in words, with a
shape, not by colour alone (issue 15, item 10)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from .conftest import report


def test_overdue_breach_is_marked_deadline_passed(security_contact, bits_user, client_for):
    overdue = report(security_contact, aware_at=timezone.now() - timedelta(hours=80))
    body = client_for(bits_user).get(reverse("incidents:breach_list")).content.decode()
    row = body.split(f'data-breach="{overdue.reference}"', 1)[1].split("</tr>", 1)[0]
    assert "Frist passert" in row


def test_breach_near_its_deadline_is_marked_at_risk(security_contact, bits_user, client_for):
    near = report(security_contact, aware_at=timezone.now() - timedelta(hours=60))
    body = client_for(bits_user).get(reverse("incidents:breach_list")).content.decode()
    row = body.split(f'data-breach="{near.reference}"', 1)[1].split("</tr>", 1)[0]
    assert "I faresonen" in row and "Frist passert" not in row
