"""A seeded world for the attack tests: two banks, Bits, Lånekassen, every persona, and one
object of every kind bank A can have, built through the services.

`build_world(text=...)` takes a function that makes the text of each field a user types
(`text("incident summary")`), so the XSS test builds the same world with payloads in it.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import ContactPoint, Membership, Organisation
from tests.factories import OrganisationFactory, member_of

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")


def plain(label):
    return f"Tekst: {label}"


@dataclass
class World:
    bank_a: Organisation
    bank_b: Organisation
    users: dict  # persona → User (None for anonymous)
    objects: dict = field(default_factory=dict)  # kind → object


def _upload(name):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def people(bank_a, bank_b):
    bits = OrganisationFactory(name="Bits AS", orgnr="916000006", kind=Organisation.Kind.BITS)
    lk = OrganisationFactory(name="Lånekassen", orgnr="960885406",
                             kind=Organisation.Kind.LANEKASSEN)
    bank_admin = member_of(bank_a, role=Membership.Role.ADMIN, email="admin@bank-a.example.com")
    Membership.objects.filter(user=bank_admin).update(can_sign=True)
    security = member_of(bank_a, email="sikkerhet@bank-a.example.com")
    Membership.objects.filter(user=security).update(is_security_contact=True)
    # Bank B's user has every role in bank B: a refusal is about the organisation, not a role.
    other = member_of(bank_b, role=Membership.Role.ADMIN, email="admin@bank-b.example.com")
    Membership.objects.filter(user=other).update(is_security_contact=True, can_sign=True)
    users = {
        "anonymous": None,
        "bank_member": member_of(bank_a, email="member@bank-a.example.com"),
        "bank_admin": bank_admin,
        "security_contact": security,
        "other_bank": other,
        "bits": member_of(bits, totp=True, email="handler@bits.example.com"),
        "bits_no_2fa": member_of(bits, email="ny@bits.example.com"),
        "lanekassen": member_of(lk, totp=True, email="saksbehandler@lanekassen.example.com"),
        "lanekassen_admin": member_of(lk, role=Membership.Role.ADMIN, totp=True, is_staff=True,
                                      is_superuser=True, email="admin@lanekassen.example.com"),
    }
    for user in users.values():
        if user is not None:
            user.refresh_from_db()
    return users


def build_world(text=plain) -> World:
    from balances.services import api_access_grant, api_key_issue
    from changerequests.services import change_request_propose
    from incidents.breaches.services import breach_comment, breach_report
    from incidents.services import incident_comment, incident_report
    from notices.models import Component
    from notices.services import notice_create, notice_publish
    from notifications.services.webhooks import webhook_register
    from onboarding import services as ob
    from questions.faq import faq_create, faq_publish
    from questions.services import question_ask, question_comment
    from tests.support.fanout import fanouts_finish

    bank_a = OrganisationFactory(name="Bank A", orgnr="910000004")
    bank_b = OrganisationFactory(name="Bank B", orgnr="920000002")
    users = people(bank_a, bank_b)
    world = World(bank_a=bank_a, bank_b=bank_b, users=users)
    member, admin = users["bank_member"], users["bank_admin"]
    security, bits, lk = users["security_contact"], users["bits"], users["lanekassen_admin"]
    now = timezone.now()
    o = world.objects

    for kind in ("business", "technical", "security"):
        ContactPoint.objects.create(organisation=bank_a, kind=kind,
                                    name=text(f"contact point {kind}"),
                                    email=f"{kind}@bank-a.example.com", confirmed_at=now)
    o["incident"] = incident_report(
        by=member, environment="test", severity="normal", occurred_at=now - timedelta(hours=2),
        request_ids=["req-1"], summary=text("incident summary")[:200],
        description=text("incident description"), files=[_upload(text("vedlegg") + ".png")])
    incident_comment(report=o["incident"], by=member, body=text("incident reply"))
    o["breach"] = breach_report(by=security, facts=_breach_facts(text, now))
    breach_comment(breach=o["breach"], by=security, body=text("breach reply"),
                   files=[_upload(text("brudd") + ".png")])
    o["question"] = question_ask(by=member, category="technical",
                                 title=text("question title")[:200],
                                 text=text("question text"),
                                 files=[_upload(text("spørsmål") + ".png")])
    question_comment(case=o["question"], by=member, body=text("question reply"))
    o["change_request"] = change_request_propose(
        by=member, title=text("change request title")[:200], problem=text("problem"),
        proposal=text("proposal"), benefit=text("benefit"), urgency="medium", part="api",
        files=[_upload(text("endring") + ".png")])
    o["faq"] = faq_create(by=bits, category="technical", title=text("faq title")[:200],
                          answer=text("faq answer"), question=text("faq question"))
    faq_publish(entry=o["faq"], by=bits)
    # Before the notice is published: its recipients are the banks with access then.
    api_access_grant(organisation=bank_a, environment="test", by=None)
    components = [Component.objects.get_or_create(name="Saldo-API-et",
                                                  defaults={"position": 0})[0]]
    notice = notice_create(by=lk, kind="fault", severity="minor", environments=["test"],
                           components=components, title=text("notice title")[:200],
                           body=text("notice body"))
    o["notice"] = notice_publish(notice=notice, by=lk) or notice
    fanouts_finish()  # the worker's part: Bank A becomes a recipient
    o["notice"].refresh_from_db()
    terms = ob.terms_publish(by=lk, version="1.0", effective_date=date(2026, 1, 1),
                             text="Bruksvilkår for Saldo på studielån.")
    o["terms"] = terms
    o["api_key"], _plaintext = api_key_issue(organisation=bank_a, environment="test", by=admin)
    o["webhook"] = _webhook(webhook_register, admin)
    o["onboarding"] = _onboarding_of(bank_a, admin, bits)
    ob.onboarding_comment(case=o["onboarding"], by=admin, body=text("onboarding reply"),
                          files=[_upload(text("onboarding") + ".png")])
    world.users["registrant"], o["registration"] = _registration(ob, text)
    o["borrower"] = _borrower()
    return world


def _borrower():
    from balances.services import borrower_ledger_replace
    from balances.testcustomers import load_test_customers, test_customer_ledgers

    customer = load_test_customers()[0]
    return borrower_ledger_replace(environment="test", fnr=customer.fnr, name=customer.name,
                                   events=test_customer_ledgers()[customer.fnr],
                                   test_case=customer.case)


def _breach_facts(text, now):
    return {
        "aware_at": now - timedelta(hours=1), "occurred_from": now - timedelta(days=3),
        "occurred_to": now - timedelta(days=1), "occurred_unknown": False,
        "description": text("breach description"), "main_cause": "api_key",
        "cause_other": "", "nature": ["confidentiality"],
        "data_categories": text("breach data categories")[:200], "persons_approx": 40,
        "records_approx": 80, "consequences": text("breach consequences"),
        "measures_taken": text("breach measures"), "measures_planned": "",
        "subjects_informed": "will_tell", "subjects_informed_details": "",
        "contact_name": text("breach contact")[:100],
        "contact_email": "sikkerhet@bank-a.example.com", "contact_phone": "",
    }


def _webhook(register, admin):
    from django.conf import settings

    settings.NOTIFICATIONS_WEBHOOK_ALLOW_HTTP_LOOPBACK = True
    try:
        endpoint, _secret = register(by=admin, url="https://hooks.bank-a.example.com/saldo",
                                     description="Bank A")
    except Exception:  # the SSRF fix may refuse a name that does not resolve in tests
        endpoint, _secret = register(by=admin, url="http://127.0.0.1:9/saldo",
                                     description="Bank A")
    return endpoint


def _onboarding_of(bank, admin, bits):
    from casework.services import reference_next
    from onboarding import services as ob
    from onboarding.models import OnboardingCase

    now = timezone.now()
    case = OnboardingCase.objects.create(
        reference=reference_next(prefix="OB", year=timezone.localtime(now).year),
        organisation=bank, registered_by=admin, registrant_verified_at=now,
        test_endpoints=["api.test.bank-a.example.com"])
    return ob.onboarding_verify(case=case, by=bits)


def _registration(ob, text):
    """A bank that registered itself and confirmed its e-mail; Bits has not verified it."""
    case = ob.onboarding_register(
        orgnr="310000001", name=text("registered bank name")[:100],
        contact_points=[{"kind": kind, "name": text(f"registrant contact {kind}")[:100],
                         "email": f"{kind}@bank-c.example.com", "phone": "+4722000021"}
                        for kind in ("business", "technical", "security")],
        test_endpoints=["api.test.bank-c.example.com"], registrant_name="Cecilie C",
        registrant_email="admin@bank-c.example.com")
    user = case.registered_by
    ob.registrant_verify(case=case, user=user, password="et-godt-testpassord-1",
                         token=default_token_generator.make_token(user))
    user.refresh_from_db()
    case.refresh_from_db()
    return user, case
