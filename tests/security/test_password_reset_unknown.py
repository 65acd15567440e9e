"""Finding 5: the password-reset mail for an address with no account must not link to a
sign-up page (sign-up is closed; people join by invitation)."""

import pytest
from django.core import mail

pytestmark = pytest.mark.django_db


def test_reset_for_an_unknown_address_names_the_invitation_and_has_no_signup_link(client,
                                                                                  bank_member):
    response = client.post("/accounts/password/reset/", {"email": "ukjent@example.com"})
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["ukjent@example.com"]
    text = message.subject + "\n" + message.body
    assert "signup" not in text.lower()
    assert "/accounts/" not in message.body
    assert "http" not in message.body
    assert "Ingen konto" in message.subject
    assert "finnes ingen konto" in message.body
    assert "ukjent@example.com" in message.body
    assert "administrator" in message.body
    assert "Bits" in message.body
    assert "invitasjon" in message.body


def test_reset_for_a_known_address_still_sends_the_reset_link(client, bank_member):
    client.post("/accounts/password/reset/", {"email": bank_member.email})
    [message] = mail.outbox
    assert "/accounts/password/reset/key/" in message.body
