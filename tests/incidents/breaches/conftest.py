"""Personas for security breaches: the shared ones plus the bank's security contact
(`security_contact`). The bank's ordinary member (`bank_member`) must see nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Membership
from incidents.breaches import services
from tests.factories import member_of


@pytest.fixture
def security_contact(bank):
    user = member_of(bank, email="sikkerhet@bank-a.example.com")
    Membership.objects.filter(user=user).update(is_security_contact=True)
    user.membership.refresh_from_db()
    return user


@pytest.fixture
def breach_personas(personas, security_contact):
    return {**personas, "security_contact": security_contact}


def facts(**overrides):
    now = timezone.now()
    data = {
        "aware_at": now - timedelta(hours=1), "occurred_from": now - timedelta(days=3),
        "occurred_to": now - timedelta(days=1), "occurred_unknown": False,
        "description": "En API-nøkkel lå i et offentlig repo.", "main_cause": "api_key",
        "cause_other": "", "nature": ["confidentiality"],
        "data_categories": "Saldo på studielån", "persons_approx": 40, "records_approx": 80,
        "consequences": "", "measures_taken": "", "measures_planned": "",
        "subjects_informed": "will_tell", "subjects_informed_details": "",
        "contact_name": "Sikker Het", "contact_email": "sikkerhet@bank-a.example.com",
        "contact_phone": "",
    }
    data.update(overrides)
    return data


FINAL_FACTS = {"consequences": "Saldoer kan ha blitt sett av uvedkommende.",
               "measures_taken": "Nøkkelen er byttet og repoet slettet."}


def report(by, **overrides):
    return services.breach_report(by=by, facts=facts(**overrides))
