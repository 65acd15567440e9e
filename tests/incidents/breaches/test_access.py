"""Who may see a breach: the reporting bank's security contacts and admins, Bits and
Lånekassen. Everyone else — the bank's ordinary members included — gets 404 on every URL,
no menu entry and no e-mail. Every opening is recorded and listed for Lånekassen."""

import pytest
from django.core import mail
from django.urls import reverse

from incidents.breaches.models import BreachView
from tests.incidents.breaches.conftest import report

pytestmark = pytest.mark.django_db


def _urls(breach):
    ref = breach.reference
    return [
        ("get", reverse("incidents:breach_detail", args=[ref])),
        ("get", reverse("incidents:breach_phase", args=[ref])),
        ("get", reverse("incidents:breach_print", args=[ref])),
        ("post", reverse("incidents:breach_authority", args=[ref])),
        ("post", reverse("incidents:breach_dora", args=[ref])),
        ("post", reverse("incidents:breach_message", args=[ref])),
        ("post", reverse("incidents:breach_action", args=[ref, "confirm_receipt"])),
        ("get", reverse("incidents:breach_attachment", args=[ref, 1])),
    ]


@pytest.mark.parametrize("who", ["bank_member", "other_bank_member"])
def test_non_security_member_gets_404_on_every_breach_url(request, client_for,
                                                          security_contact, who):
    breach = report(security_contact)
    client = client_for(request.getfixturevalue(who))
    for method, url in _urls(breach):
        assert getattr(client, method)(url).status_code == 404, url
    assert client.get(reverse("incidents:breach_list")).status_code == 404
    assert client.get(reverse("incidents:breach_create")).status_code == 404


def test_ordinary_member_has_no_menu_entry_and_gets_no_mail(client_for, security_contact,
                                                            bank_member,
                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report(security_contact)
    assert bank_member.email not in [to for m in mail.outbox for to in m.to]
    page = client_for(bank_member).get(reverse("dashboard")).content.decode()
    assert reverse("incidents:breach_list") not in page
    page = client_for(security_contact).get(reverse("dashboard")).content.decode()
    assert reverse("incidents:breach_list") in page


@pytest.mark.parametrize("who", ["security_contact", "bank_admin", "bits_user", "lk_user"])
def test_security_side_bits_and_lanekassen_see_the_breach(request, client_for,
                                                          security_contact, who):
    breach = report(security_contact)
    response = client_for(request.getfixturevalue(who)).get(breach.get_absolute_url())
    assert response.status_code == 200


def test_every_opening_is_recorded_and_listed_for_lanekassen_only(client_for,
                                                                  security_contact, lk_user):
    breach = report(security_contact)
    client_for(security_contact).get(breach.get_absolute_url())
    page = client_for(lk_user).get(breach.get_absolute_url()).content.decode()
    assert list(BreachView.objects.values_list("user__email", flat=True)) == [
        lk_user.email, security_contact.email]
    assert 'id="breach-views"' in page and security_contact.email in page
    bank_page = client_for(security_contact).get(breach.get_absolute_url()).content.decode()
    assert 'id="breach-views"' not in bank_page


def test_security_contact_reports_through_the_form(client_for, security_contact):
    client = client_for(security_contact)
    data = {"aware_at": "2026-01-05T10:00", "occurred_from": "2026-01-04T08:00",
            "occurred_to": "2026-01-04T07:00", "description": "x", "main_cause": "api_key",
            "nature": ["confidentiality"], "data_categories": "saldo",
            "persons_approx": "-3", "subjects_informed": "told", "contact_name": "A",
            "contact_email": "a@example.com"}
    response = client.post(reverse("incidents:breach_create"), data)
    assert response.status_code == 200
    assert "Antallet kan ikke være negativt." in response.content.decode()
    data["persons_approx"] = "3"
    response = client.post(reverse("incidents:breach_create"), data)
    assert "Slutten av perioden kan ikke være før starten." in response.content.decode()
    data["occurred_to"] = "2026-01-04T09:00"
    response = client.post(reverse("incidents:breach_create"), data)
    assert response.status_code == 302
