"""A.2 terms of use (bruksvilkår): publishing versions, signing with signing authority, the
refusals, re-signing a new version by a deadline, and who has not signed."""

import hashlib
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from casework.errors import DomainError
from casework.models import AuditEvent
from notifications.models import Notification
from onboarding import services
from onboarding.models import Status, TermsSignature, TermsVersion
from tests.factories import member_of
from tests.onboarding.builders import at_awaiting_signature, at_completed, at_submitted
from tests.onboarding.conftest import TERMS_TEXT

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_publishing_records_the_sha256_of_the_text(terms, lk_admin):
    assert terms.sha256 == hashlib.sha256(TERMS_TEXT.encode()).hexdigest()
    assert terms.published_by == lk_admin
    assert AuditEvent.objects.filter(verb="terms_published", object_id=terms.pk).exists()


def test_publishing_normalises_line_endings_so_the_hash_is_stable(lk_admin):
    terms = services.terms_publish(by=lk_admin, version="1.0", effective_date=date(2026, 1, 1),
                                   text="Linje 1\r\nLinje 2\r\n")
    assert terms.text == "Linje 1\nLinje 2"
    assert terms.sha256 == hashlib.sha256(b"Linje 1\nLinje 2").hexdigest()


def test_publishing_with_a_pdf_keeps_it_and_serves_it_to_a_logged_in_user(
        lk_admin, bank_member, client_for):
    terms = services.terms_publish(
        by=lk_admin, version="1.0", effective_date=date(2026, 1, 1), text="Vilkår",
        pdf=SimpleUploadedFile("vilkar.pdf", PDF, content_type="application/pdf"))
    response = client_for(bank_member).get(f"/onboarding/bruksvilkar/{terms.pk}/pdf/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert client_for(None).get(f"/onboarding/bruksvilkar/{terms.pk}/pdf/").status_code == 302


def test_a_pdf_that_is_not_a_pdf_is_refused_and_nothing_is_published(lk_admin):
    with pytest.raises(DomainError, match="ikke en PDF"):
        services.terms_publish(by=lk_admin, version="1.0", effective_date=date(2026, 1, 1),
                               text="Vilkår", pdf=SimpleUploadedFile("v.pdf", b"just text"))
    assert not TermsVersion.objects.exists()


@pytest.mark.parametrize("who", ["lk_user", "bits_user", "bank_admin"])
def test_only_lanekassen_admins_may_publish(request, who):
    user = request.getfixturevalue(who)
    with pytest.raises(DomainError, match="administratorer"):
        services.terms_publish(by=user, version="1.0", effective_date=date(2026, 1, 1),
                               text="Vilkår")
    assert not TermsVersion.objects.exists()


def test_publish_page_is_404_for_anyone_but_a_lanekassen_admin(lk_user, lk_admin, client_for):
    assert client_for(lk_user).get("/onboarding/bruksvilkar/ny/").status_code == 404
    assert client_for(lk_admin).get("/onboarding/bruksvilkar/ny/").status_code == 200


def test_publish_through_the_page(lk_admin, client_for):
    response = client_for(lk_admin).post("/onboarding/bruksvilkar/ny/", {
        "version": "2.0", "effective_date": "2026-03-01", "sign_by": "",
        "text": "Nye vilkår"})
    assert response.status_code == 302
    assert TermsVersion.objects.get().version == "2.0"


def test_a_version_number_is_used_once(terms, lk_admin):
    with pytest.raises(DomainError, match="finnes allerede"):
        services.terms_publish(by=lk_admin, version="1.0", effective_date=date(2026, 2, 1),
                               text="Annen tekst")


# --- signing ------------------------------------------------------------------------------

@pytest.fixture
def p(ob, terms):
    return ob


def test_signing_records_who_when_version_and_hash(p, terms):
    at_awaiting_signature(p)
    signature = services.terms_sign(terms=terms, by=p["signer"], maskinporten_accepted=True)
    assert (signature.signed_by, signature.signer_email, signature.terms, signature.sha256) == (
        p["signer"], p["signer"].email, terms, terms.sha256)
    assert signature.maskinporten_terms_accepted
    assert timezone.now() - signature.signed_at < timedelta(minutes=1)


def test_signing_without_authority_is_refused(p, terms):
    at_awaiting_signature(p)
    for who in ("bank_admin", "bank_member"):
        with pytest.raises(DomainError, match="ikke signeringsrett"):
            services.terms_sign(terms=terms, by=p[who], maskinporten_accepted=True)
    assert not TermsSignature.objects.exists()


def test_signing_without_confirming_maskinporten_terms_is_refused(p, terms):
    at_awaiting_signature(p)
    with pytest.raises(DomainError, match="Maskinporten"):
        services.terms_sign(terms=terms, by=p["signer"], maskinporten_accepted=False)
    assert not TermsSignature.objects.exists()


def test_signing_twice_is_refused(p, terms):
    at_awaiting_signature(p)
    services.terms_sign(terms=terms, by=p["signer"], maskinporten_accepted=True)
    with pytest.raises(DomainError, match="allerede signert versjon 1.0"):
        services.terms_sign(terms=terms, by=p["signer"], maskinporten_accepted=True)
    assert TermsSignature.objects.count() == 1


def test_signing_a_version_that_is_no_longer_current_is_refused(p, terms, lk_admin):
    at_awaiting_signature(p)
    services.terms_publish(by=lk_admin, version="1.1", effective_date=date(2026, 6, 1),
                           text="Endret tekst", sign_by=timezone.localdate())
    with pytest.raises(DomainError, match="ikke lenger gjeldende.*1.1"):
        services.terms_sign(terms=terms, by=p["signer"], maskinporten_accepted=True)
    assert not TermsSignature.objects.exists()


def test_signing_text_changed_after_publication_is_refused(p, terms):
    at_awaiting_signature(p)
    TermsVersion.objects.filter(pk=terms.pk).update(text=TERMS_TEXT + " Tillegg.")
    with pytest.raises(DomainError, match="stemmer ikke"):
        services.terms_sign(terms=terms, by=p["signer"], maskinporten_accepted=True)


def test_signing_before_bits_has_approved_the_registration_is_refused(p, terms):
    case = at_submitted(p)
    with pytest.raises(DomainError, match="når Bits har godkjent"):
        services.terms_sign(terms=terms, by=p["signer"], maskinporten_accepted=True)
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED


def test_member_without_authority_sees_who_can_sign(p, client_for):
    at_awaiting_signature(p)
    page = client_for(p["bank_member"]).get("/onboarding/bruksvilkar/").content.decode()
    assert "Du har ikke signeringsrett" in page
    assert p["signer"].email in page
    assert "Signer bruksvilkårene" not in page


def test_signer_signs_through_the_page_and_lands_on_the_case(p, client_for, terms):
    case = at_awaiting_signature(p)
    client = client_for(p["signer"])
    assert "Signer bruksvilkårene" in client.get("/onboarding/bruksvilkar/").content.decode()
    response = client.post(f"/onboarding/bruksvilkar/{terms.pk}/signer/",
                           {"read": "on", "maskinporten_accepted": "on"})
    assert response["Location"] == case.get_absolute_url()
    case.refresh_from_db()
    assert case.status == Status.AWAITING_TEST_ORDER
    assert "Banken signerte versjon 1.0" in client.get("/onboarding/bruksvilkar/").content.decode()


def test_sign_form_without_the_maskinporten_box_says_so_and_signs_nothing(p, client_for, terms):
    at_awaiting_signature(p)
    response = client_for(p["signer"]).post(f"/onboarding/bruksvilkar/{terms.pk}/signer/",
                                            {"read": "on"}, follow=True)
    assert "Maskinportens bruksvilkår" in response.content.decode()
    assert not TermsSignature.objects.exists()


# --- a new version --------------------------------------------------------------------------

def test_new_version_needs_a_deadline_once_banks_have_signed(p, lk_admin):
    at_completed(p)
    with pytest.raises(DomainError, match="frist"):
        services.terms_publish(by=lk_admin, version="2.0", effective_date=date(2026, 6, 1),
                               text="Ny")
    with pytest.raises(DomainError, match="tilbake i tid"):
        services.terms_publish(by=lk_admin, version="2.0", effective_date=date(2026, 6, 1),
                               text="Ny", sign_by=timezone.localdate() - timedelta(days=1))


def test_new_version_tells_signed_up_banks_and_bits_and_they_must_sign_again(
        p, lk_admin, client_for):
    case = at_completed(p)
    other = member_of(p["other_bank"].membership.organisation, email="x@bank-b.example.com")
    Notification.objects.all().delete()
    deadline = timezone.localdate() + timedelta(days=30)

    new = services.terms_publish(by=lk_admin, version="2.0", effective_date=date(2026, 6, 1),
                                 text="Nye vilkår", sign_by=deadline)

    told = set(Notification.objects.values_list("recipient__email", flat=True))
    assert told == {p["bank_admin"].email, p["signer"].email, p["bits"].email}
    assert other.email not in told  # a bank that never signed up hears nothing
    title = Notification.objects.filter(recipient=p["signer"]).get().title
    assert "2.0" in title and deadline.strftime("%d.%m.%Y") in title
    # Bits and Lånekassen see that the bank has not signed the new version.
    status = client_for(p["bits"]).get("/onboarding/bruksvilkar/").content.decode()
    assert "Ikke signert" in status and p["bank_admin"].organisation.name in status

    Notification.objects.all().delete()
    services.terms_sign(terms=new, by=p["signer"], maskinporten_accepted=True)
    case.refresh_from_db()
    assert case.status == Status.COMPLETED  # re-signing does not move the case
    assert set(Notification.objects.values_list("recipient__email", flat=True)) == {
        p["bits"].email, p["lanekassen"].email, lk_admin.email}
    assert TermsSignature.objects.filter(organisation=case.organisation).count() == 2


def test_signing_status_marks_banks_past_the_deadline(p, lk_admin, client_for):
    from onboarding.selectors import signing_status

    case = at_completed(p)
    new = services.terms_publish(by=lk_admin, version="2.0", effective_date=date(2026, 6, 1),
                                 text="Nye vilkår", sign_by=timezone.localdate())
    TermsVersion.objects.filter(pk=new.pk).update(sign_by=timezone.localdate()
                                                  - timedelta(days=1))
    new.refresh_from_db()
    rows = signing_status(user=p["lanekassen"], terms=new)
    row = next(r for r in rows if r["organisation"] == case.organisation)
    assert row["signature"] is None and row["overdue"]
    assert signing_status(user=p["bank_admin"], terms=new) is None
    page = client_for(p["lanekassen"]).get("/onboarding/bruksvilkar/").content.decode()
    assert "Fristen er ute" in page
