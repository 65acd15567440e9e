"""Onboarding personas and cases in every state, built through the services.

Personas (on top of tests/conftest.py): `signer`, a member of the bank with signing authority
given by the bank's admin. `ob` is the dict the transition tables index.
"""

from datetime import date

import pytest
from django.utils import timezone

from accounts.models import ContactPoint
from accounts.services import membership_set_signing_authority
from onboarding import services
from tests.factories import member_of

TERMS_TEXT = ("Tjenestebeskrivelse for Saldo på studielån.\n\n"
              "1. Banken henter saldo bare med kundens samtykke.\n"
              "2. Banken varsler Lånekassen om sikkerhetsbrudd uten ugrunnet opphold.")


@pytest.fixture
def signer(bank, bank_admin):
    user = member_of(bank, email="signer@bank-a.example.com", name="Signe Signatar")
    membership_set_signing_authority(membership=user.membership, by=bank_admin, can_sign=True)
    user.membership.refresh_from_db()
    return user


@pytest.fixture
def ob(personas, signer):
    return {**personas, "signer": signer}


@pytest.fixture
def terms(lk_admin):
    return services.terms_publish(by=lk_admin, version="1.0", effective_date=date(2026, 1, 1),
                                  text=TERMS_TEXT)


@pytest.fixture
def bank_contact_points(bank):
    now = timezone.now()
    for kind, name in [("business", "Kari"), ("technical", "Tor"), ("security", "Siri")]:
        ContactPoint.objects.create(organisation=bank, kind=kind, name=name,
                                    email=f"{kind}@bank-a.example.com", phone="+4722000001",
                                    confirmed_at=now)
