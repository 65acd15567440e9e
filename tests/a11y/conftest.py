"""A world with something of every kind for the crawl to find: the demo's organisations, terms,
onboarding cases, questions, FAQ, change requests and test customers (seed_demo, which the
personas' organisations share by orgnr), the data migrations' SLA targets and components, and
an error report, a security breach, a published notice, an invitation and a webhook, each made
through its service as a person would."""

from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Membership
from accounts.services import invitation_create
from incidents import services as incidents
from incidents.breaches import services as breaches
from notices import services as notices
from notices.models import Component
from notifications.services.webhooks import webhook_register
from tests.factories import member_of
from tests.support.fanout import fanouts_finish


@pytest.fixture
def security_contact(bank):
    user = member_of(bank, email="sikkerhet@bank-a.example.com")
    Membership.objects.filter(user=user).update(is_security_contact=True)
    user.membership.refresh_from_db()
    return user


def _breach_facts(contact):
    now = timezone.now()
    return {
        "aware_at": now - timedelta(hours=1), "occurred_from": now - timedelta(days=3),
        "occurred_to": now - timedelta(days=1), "occurred_unknown": False,
        "description": "En API-nøkkel lå i et offentlig repo.", "main_cause": "api_key",
        "cause_other": "", "nature": ["confidentiality"],
        "data_categories": "Saldo på studielån", "persons_approx": 40, "records_approx": 80,
        "consequences": "", "measures_taken": "", "measures_planned": "",
        "subjects_informed": "will_tell", "subjects_informed_details": "",
        "contact_name": contact.name, "contact_email": contact.email, "contact_phone": "",
    }


# The rows data migrations made, which a transactional test before this one may have flushed.
DATA_MIGRATIONS = [
    ("casework.migrations.0002_default_sla_and_opening_hours", "forwards"),
    ("questions.migrations.0003_question_sla_targets", "forwards"),
    ("notices.migrations.0002_components", "add_components"),
    ("changerequests.migrations.0002_default_priority_weights", "default_weights"),
]


@pytest.fixture
def world(settings, django_capture_on_commit_callbacks, bank, bank_member, bank_admin, bits_user,
          lk_user, lk_admin, security_contact):
    settings.DEMO_DATA_ALLOWED = True
    settings.NOTIFICATIONS_WEBHOOK_ALLOW_HTTP_LOOPBACK = True
    settings.SALDO_TEST_ISSUER_ENABLED = True  # the sandbox's result is a page to check too
    for module, function in DATA_MIGRATIONS:
        getattr(import_module(module), function)(apps, None)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", quiet=True)
        report = incidents.incident_report(
            by=bank_member, environment="test", severity="high",
            occurred_at=timezone.now() - timedelta(hours=2),
            request_ids=["3f6c1a2e-0b7d-4c55-9e21-aa0175c3b9de"],
            summary="401 på alle saldooppslag i test",
            description="Alle kall mot /saldo/v1/Accounts gir 401 siden i dag.")
        incidents.incident_take(report=report, by=bits_user)
        incidents.incident_escalate(report=report, by=bits_user, note="Se på tokenvalideringen.")
        incidents.incident_report(
            by=bank_admin, environment="production", severity="low",
            occurred_at=timezone.now() - timedelta(days=1), request_ids=[],
            summary="Treg respons om morgenen", description="Svartider på 3 sekunder kl. 8.")
        breaches.breach_report(by=security_contact, facts=_breach_facts(security_contact))
        component = Component.objects.get(name="Saldo-API-et")
        notice = notices.notice_create(
            by=lk_user, kind="fault", severity="critical", environments=["production"],
            components=[component], title="Saldo-API-et svarer 500",
            body="Alle kall mot **produksjon** feiler. Vi feilsøker.")
        notices.notice_publish(notice=notice, by=lk_user)
        fanouts_finish()  # the worker's part: the banks become recipients
        invitation_create(by=bank_admin, organisation=bank, email="ny@bank-a.example.com",
                          name="Nora Ny")
        webhook_register(by=bank_admin, url="https://hooks.bank-a.example.com/saldo",
                         description="Driftsmeldinger til vaktsystemet")
    return {"bank_member": bank_member, "bank_admin": bank_admin, "bits": bits_user,
            "lanekassen_admin": lk_admin}
