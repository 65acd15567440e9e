"""Nobody learns from the portal whether an e-mail address has an account (issue 14, item 6).

The public registration form and invitations answer the same way for an address that has an
account and one that has none: the same status, template and text. The owner of an existing
address is told by e-mail instead (someone tried to register with it, or invited it).
"""

import re

import pytest
from django.test import Client

from accounts.models import Invitation, Organisation, User
from casework.models import AuditEvent
from notifications.models import OutboxMessage
from onboarding.models import OnboardingCase

pytestmark = pytest.mark.django_db

REGISTRATION = {
    "supplier_orgnr": "", "supplier_name": "",
    "business_name": "Kari Forretning", "business_email": "kari@fjordbanken.no",
    "business_phone": "22 00 00 01",
    "technical_name": "Tor Teknisk", "technical_email": "tor@fjordbanken.no",
    "technical_phone": "+47 400 00 000",
    "security_name": "Siri Sikkerhet", "security_email": "siri@fjordbanken.no",
    "security_phone": "99999999",
    "test_endpoints": "api.test.fjordbanken.no",
    "registrant_name": "Rita Registrant",
}


def _register(orgnr, name, email):
    """Register as an anonymous visitor and follow the answer; (first response, final
    response)."""
    client = Client()
    first = client.post("/onboarding/registrer/", {**REGISTRATION, "orgnr": orgnr, "name": name,
                                                   "registrant_email": email})
    final = client.get(first["Location"]) if first.status_code == 302 else first
    return first, final


def _page(response, email):
    """The page's text with the address typed replaced, and the CSRF token dropped (it is
    per client)."""
    html = response.content.decode().replace(email, "ADDRESS")
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", html)


def _templates(response):
    return [t.name for t in response.templates]


def test_registering_with_an_existing_address_answers_as_with_a_new_one(bank_member):
    new = _register("974760673", "Fjordbanken ASA", "ny@fjordbanken.no")
    taken = _register("986105174", "Havbanken ASA", bank_member.email)

    assert new[0].status_code == taken[0].status_code == 302
    assert new[0]["Location"] == taken[0]["Location"]
    assert new[1].status_code == taken[1].status_code == 200
    assert _templates(new[1]) == _templates(taken[1])
    assert _page(new[1], "ny@fjordbanken.no") == _page(taken[1], bank_member.email)
    assert "finnes allerede" not in taken[1].content.decode()


def test_the_owner_of_an_existing_address_is_told_by_mail_and_nothing_is_registered(
        bank_member):
    _register("986105174", "Havbanken ASA", bank_member.email.upper())

    assert not Organisation.objects.filter(orgnr="986105174").exists()
    assert not OnboardingCase.objects.exists()
    [mail] = OutboxMessage.objects.filter(to=bank_member.email)
    assert "registrere" in mail.subject.lower()
    assert "Havbanken ASA" in mail.body and "986105174" in mail.body
    assert "/onboarding/bekreft/" not in mail.body
    assert AuditEvent.objects.filter(verb="registration_with_existing_email",
                                     object_id=bank_member.pk).exists()


def _invite(client, organisation, email):
    return client.post("/konto/invitasjoner/", {"organisation": organisation.pk, "email": email,
                                                "name": "Ny Person", "role": "member"},
                       follow=True)


@pytest.mark.parametrize("inviter", ["bank_admin", "bits_user"])
def test_inviting_an_existing_address_answers_as_inviting_a_new_one(
        request, client_for, bank, other_bank_member, inviter):
    client = client_for(request.getfixturevalue(inviter))
    new = _invite(client, bank, "ny@bank-a.example.com")
    taken = _invite(client, bank, other_bank_member.email)

    assert new.status_code == taken.status_code == 200
    assert _templates(new) == _templates(taken)
    new_page = _page(new, "ny@bank-a.example.com")
    taken_page = _page(taken, other_bank_member.email)
    assert "finnes allerede" not in taken_page
    assert "Invitasjonen er sendt til ADDRESS." in new_page
    assert "Invitasjonen er sendt til ADDRESS." in taken_page
    assert set(Invitation.objects.values_list("email", flat=True)) == {
        "ny@bank-a.example.com", other_bank_member.email}


def test_the_owner_of_an_invited_existing_address_is_told_by_mail_without_a_link(
        client_for, bank_admin, bank, other_bank_member):
    _invite(client_for(bank_admin), bank, other_bank_member.email)

    [mail] = OutboxMessage.objects.filter(to=other_bank_member.email)
    assert "Testbank A" in mail.body
    assert "/konto/invitasjon/" not in mail.body
    assert User.objects.filter(email=other_bank_member.email).count() == 1
    invitation = Invitation.objects.get(email=other_bank_member.email)
    assert invitation.accepted_at is None
