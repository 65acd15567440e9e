"""A.1 registration: the public page, bad input on the field with nothing saved, duplicates, and
the e-mail link that confirms the address and sets the admin's password."""

import re

import pytest
from django.core import mail
from django.test import Client

from accounts.models import ContactPoint, Membership, Organisation, User
from casework.errors import DomainError
from casework.models import AuditEvent
from notifications.models import Notification, OutboxMessage
from onboarding import services
from onboarding.models import OnboardingCase, Status
from onboarding.validation import endpoints_clean, orgnr_clean

VALID = {
    "orgnr": "974760673", "name": "Fjordbanken ASA",
    "supplier_orgnr": "", "supplier_name": "",
    "business_name": "Kari Forretning", "business_email": "kari@fjordbanken.no",
    "business_phone": "22 00 00 01",
    "technical_name": "Tor Teknisk", "technical_email": "tor@fjordbanken.no",
    "technical_phone": "+47 400 00 000",
    "security_name": "Siri Sikkerhet", "security_email": "siri@fjordbanken.no",
    "security_phone": "99999999",
    "test_endpoints": "api.test.fjordbanken.no\n192.0.2.0/24",
    "registrant_name": "Rita Registrant", "registrant_email": "Rita@Fjordbanken.no",
}


def _post(client, **changes):
    data = {**VALID, **changes}
    return client.post("/onboarding/registrer/", data)


def _nothing_saved():
    return (not OnboardingCase.objects.exists()
            and not Organisation.objects.filter(orgnr=VALID["orgnr"]).exists()
            and not User.objects.filter(email="rita@fjordbanken.no").exists()
            and not OutboxMessage.objects.exists())


@pytest.fixture
def anon(db):
    return Client()


def test_registration_page_is_public(anon):
    response = anon.get("/onboarding/registrer/")
    assert response.status_code == 200
    assert "Registrer banken" in response.content.decode()


def test_registration_creates_bank_case_admin_and_sends_the_verification_link(anon, bits_user):
    response = _post(anon)

    assert response.status_code == 302
    assert response["Location"] == "/onboarding/registrert/"
    case = OnboardingCase.objects.get()
    assert case.status == Status.SUBMITTED
    assert re.fullmatch(r"OB-\d{4}-0001", case.reference)
    organisation = case.organisation
    assert (organisation.orgnr, organisation.name, organisation.kind) == (
        "974760673", "Fjordbanken ASA", "bank")
    assert case.test_endpoints == ["api.test.fjordbanken.no", "192.0.2.0/24"]
    points = {cp.kind: cp for cp in ContactPoint.objects.filter(organisation=organisation)}
    assert set(points) == {"business", "technical", "security"}
    assert points["business"].phone == "+4722000001"
    assert all(cp.confirmed_at for cp in points.values())
    user = case.registered_by
    assert user.email == "rita@fjordbanken.no"
    assert not user.has_usable_password()
    assert user.membership.role == Membership.Role.ADMIN
    assert not user.membership.can_sign
    assert AuditEvent.objects.filter(verb="registered", object_id=case.pk).exists()
    # Only the registrant hears now; Bits once the address is confirmed.
    outbox = OutboxMessage.objects.get()
    assert outbox.to == "rita@fjordbanken.no"
    assert "/onboarding/bekreft/" in outbox.body
    assert not Notification.objects.exists()
    assert "rita@fjordbanken.no" in anon.get("/onboarding/registrert/").content.decode()


def test_verification_link_sets_password_logs_in_and_tells_bits(anon, bits_user):
    _post(anon)
    case = OnboardingCase.objects.get()
    link = re.search(r"/onboarding/bekreft/\S+/", OutboxMessage.objects.get().body).group()
    assert anon.get(link).status_code == 200

    response = anon.post(link, {"password1": "et-langt-passord-9", "password2":
                                "et-langt-passord-9"})

    assert response.status_code == 302
    assert response["Location"] == case.get_absolute_url()
    case.refresh_from_db()
    assert case.registrant_verified_at is not None
    assert case.registered_by.check_password("et-langt-passord-9")
    assert AuditEvent.objects.filter(verb="registrant_verified").exists()
    assert list(Notification.objects.values_list("recipient", flat=True)) == [bits_user.pk]
    assert anon.get(case.get_absolute_url()).status_code == 200  # logged in as the admin
    # The link is used up.
    assert Client().get(link).status_code == 404


def test_verification_link_with_a_bad_token_says_so_and_sets_nothing(anon):
    _post(anon)
    link = re.search(r"/onboarding/bekreft/(\S+?)/\S+/", OutboxMessage.objects.get().body)
    response = anon.post(f"/onboarding/bekreft/{link.group(1)}/feil-token/",
                         {"password1": "et-langt-passord-9", "password2": "et-langt-passord-9"})
    assert response.status_code == 404
    assert not OnboardingCase.objects.get().registrant_verified_at
    assert not User.objects.get(email="rita@fjordbanken.no").has_usable_password()


def test_weak_password_on_verification_is_a_field_error(anon):
    _post(anon)
    link = re.search(r"/onboarding/bekreft/\S+/", OutboxMessage.objects.get().body).group()
    response = anon.post(link, {"password1": "kort", "password2": "kort"})
    assert response.status_code == 200
    assert response.context["form"].errors["password1"]
    assert not OnboardingCase.objects.get().registrant_verified_at


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"orgnr": "974760674"}, "orgnr", "kontrollsifferet"),
    ({"orgnr": "12345"}, "orgnr", "9 siffer"),
    ({"orgnr": "97476067A"}, "orgnr", "9 siffer"),
    ({"technical_name": "", "technical_email": "", "technical_phone": ""}, "technical_email",
     "påkrevet"),
    ({"security_phone": ""}, "security_phone", "påkrevet"),
    ({"business_email": "kari@@fjordbanken"}, "business_email", "gyldig e-post"),
    ({"technical_phone": "12ab"}, "technical_phone", "ikke et telefonnummer"),
    ({"technical_phone": "123"}, "technical_phone", "ikke et gyldig telefonnummer"),
    ({"test_endpoints": "10.0.0.0/33"}, "test_endpoints", "ikke en gyldig IP-adresse"),
    ({"test_endpoints": "api.test.fjordbanken.no\n300.1.2.3"}, "test_endpoints",
     "300.1.2.3"),
    ({"test_endpoints": "ikke et domene!"}, "test_endpoints", "verken et domenenavn"),
    ({"test_endpoints": ""}, "test_endpoints", "påkrevet"),
    ({"supplier_orgnr": "312345678"}, "supplier_name", "både organisasjonsnummer og navn"),
    ({"supplier_orgnr": "974760674", "supplier_name": "X"}, "supplier_orgnr",
     "kontrollsifferet"),
    ({"registrant_email": "rita"}, "registrant_email", "gyldig e-post"),
])
def test_bad_input_is_an_error_on_its_field_and_saves_nothing(anon, changes, field, message):
    response = _post(anon, **changes)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert any(message in e for e in errors[field]), errors[field]
    assert _nothing_saved()
    assert "Registreringen er ikke sendt" in response.content.decode()


def test_duplicate_orgnr_gets_a_clear_message_and_no_second_case(anon):
    _post(anon)
    mail.outbox.clear()
    response = _post(anon, registrant_email="noen.andre@fjordbanken.no")

    assert response.status_code == 200
    assert "Det finnes allerede en onboardingsak for organisasjonsnummer 974760673" in \
        response.context["form"].errors["orgnr"][0]
    assert OnboardingCase.objects.count() == 1
    assert not User.objects.filter(email="noen.andre@fjordbanken.no").exists()
    assert OutboxMessage.objects.count() == 1


def test_orgnr_already_in_the_portal_without_a_case_is_refused_on_the_field(anon, bits_org):
    response = _post(anon, orgnr=bits_org.orgnr)
    assert "allerede registrert i portalen" in response.context["form"].errors["orgnr"][0]
    assert not OnboardingCase.objects.exists()


def test_registrant_email_of_an_existing_user_registers_nothing_and_tells_its_owner(
        anon, bank_member):
    # Answered as a new registration (the form tells nobody who has an account): issue 14.
    response = _post(anon, registrant_email=bank_member.email.upper())
    assert response.status_code == 302
    assert response["Location"] == "/onboarding/registrert/"
    assert not OnboardingCase.objects.exists()
    assert not Organisation.objects.filter(orgnr=VALID["orgnr"]).exists()
    assert list(OutboxMessage.objects.values_list("to", flat=True)) == [bank_member.email]


def test_synthetic_test_orgnr_starting_with_2_or_3_is_accepted(anon):
    response = _post(anon, orgnr="312 345 678")
    assert response.status_code == 302
    assert OnboardingCase.objects.get().organisation.orgnr == "312345678"


def test_registration_throttle_per_ip(anon, settings):
    from onboarding import views

    for _ in range(views.REGISTRATIONS_PER_HOUR):
        _post(anon, orgnr="12")
    response = _post(anon)
    assert "For mange registreringer" in response.content.decode()
    assert _nothing_saved()


def test_service_refuses_registration_without_all_three_contact_points(db):
    with pytest.raises(DomainError, match="forretning, teknikk og sikkerhet"):
        services.onboarding_register(
            orgnr="974760673", name="X", test_endpoints=["a.no"], registrant_name="R",
            registrant_email="r@x.no",
            contact_points=[{"kind": "business", "name": "K", "email": "k@x.no",
                             "phone": "+4722000001"}])
    assert not Organisation.objects.filter(orgnr="974760673").exists()


# --- the validators on their own ----------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    ("974760673", "974760673"), ("974 760 673", "974760673"), ("212345679", "212345679"),
    ("300000001", "300000001"),
])
def test_orgnr_clean_accepts_mod11_and_synthetic_numbers(value, expected):
    assert orgnr_clean(value) == expected


def test_endpoints_clean_normalises_and_deduplicates():
    assert endpoints_clean("API.Test.Bank.no.\n192.0.2.10/24, 2001:db8::/32 *.bank.no "
                           "api.test.bank.no") == [
        "api.test.bank.no", "192.0.2.0/24", "2001:db8::/32", "*.bank.no"]


# --- a registrant who never confirmed: Bits corrects the address --------------------------

def _links(to):
    return [re.search(r"/onboarding/bekreft/\S+/", m.body).group()
            for m in OutboxMessage.objects.filter(to=to)]


def test_bits_corrects_a_mistyped_registrant_address_and_only_the_new_link_works(
        anon, bits_user, client_for):
    _post(anon, registrant_email="rita@fjordbanken.nu")  # a typo: .nu
    case = OnboardingCase.objects.get()
    [old_link] = _links("rita@fjordbanken.nu")
    page = client_for(bits_user).get(case.get_absolute_url()).content.decode()
    assert "Rett og send ny lenke" in page

    response = client_for(bits_user).post(f"/onboarding/{case.reference}/registrant/",
                                          {"email": " Rita@Fjordbanken.no "})

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.registered_by.email == "rita@fjordbanken.no"
    event = AuditEvent.objects.get(verb="registrant_corrected", object_id=case.pk)
    assert (event.actor, event.data) == (
        bits_user, {"from": "rita@fjordbanken.nu", "to": "rita@fjordbanken.no"})
    [new_link] = _links("rita@fjordbanken.no")
    assert Client().get(old_link).status_code == 404  # bound to the old address
    assert Client().get(new_link).status_code == 200


@pytest.mark.parametrize("who", ["bank_admin", "lanekassen", "anonymous"])
def test_only_bits_may_correct_the_registrant_address(anon, personas, client_for, who):
    _post(anon)
    case = OnboardingCase.objects.get()
    client = Client() if who == "anonymous" else client_for(personas[who])
    response = client.post(f"/onboarding/{case.reference}/registrant/",
                           {"email": "ny@fjordbanken.no"})
    assert response.status_code in (302, 404)
    if who == "anonymous":
        assert response["Location"].startswith("/accounts/login/")
    assert User.objects.filter(email="rita@fjordbanken.no").exists()
    assert not AuditEvent.objects.filter(verb="registrant_corrected").exists()


def test_correcting_is_refused_after_confirmation_or_to_a_taken_or_bad_address(
        anon, bits_user, bank_member):
    _post(anon)
    case = OnboardingCase.objects.get()
    for email, message in [("ikke-en-adresse", "gyldig e-postadresse"),
                           (bank_member.email, "finnes allerede en bruker")]:
        with pytest.raises(DomainError, match=message):
            services.onboarding_registrant_correct(case=case, by=bits_user, email=email)
    OnboardingCase.objects.filter(pk=case.pk).update(registrant_verified_at=case.created_at)
    with pytest.raises(DomainError, match="allerede bekreftet"):
        services.onboarding_registrant_correct(case=case, by=bits_user, email="ny@x.no")
    assert User.objects.filter(email="rita@fjordbanken.no").exists()
    assert not AuditEvent.objects.filter(verb="registrant_corrected").exists()
