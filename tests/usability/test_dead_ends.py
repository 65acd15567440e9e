"""Issue 15, item 8: the smaller dead ends — a first admin who cannot sign, attachments dropped
without a word, a 10,000-character X-Request-Id echoed back, a fault in the year 1900."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Membership, Organisation
from accounts.services import organisation_mark_verified
from incidents.forms import ErrorReportForm
from tests.factories import member_of

pytestmark = pytest.mark.django_db


def _form(**overrides):
    data = {"environment": "test", "severity": "normal",
            "occurred_at": timezone.localtime(timezone.now() - timedelta(hours=1))
            .strftime("%Y-%m-%dT%H:%M"),
            "request_ids": "req-1", "summary": "401", "description": "Alle kall gir 401."}
    return ErrorReportForm({**data, **overrides})


def test_the_registrant_of_a_bank_may_sign_the_terms_once_bits_has_verified_it(db):
    bank = Organisation.objects.create(name="Ny Bank", orgnr="999888777", is_verified=False)
    registrant = member_of(bank, role=Membership.Role.ADMIN)
    organisation_mark_verified(organisation=bank)
    assert Membership.objects.get(user=registrant).can_sign


def test_verification_leaves_signing_alone_when_the_bank_has_a_signer(db):
    bank = Organisation.objects.create(name="Ny Bank", orgnr="999888776", is_verified=False)
    admin = member_of(bank, role=Membership.Role.ADMIN)
    signer = member_of(bank)
    Membership.objects.filter(user=signer).update(can_sign=True)
    organisation_mark_verified(organisation=bank)
    assert not Membership.objects.get(user=admin).can_sign


def test_a_bad_request_id_is_echoed_at_most_eighty_characters(db):
    form = _form(request_ids="x" * 9_990 + "!!!!!!!!!!")
    assert not form.is_valid()
    message = form.errors["request_ids"][0]
    assert "x" * 79 + "…" in message
    assert "x" * 81 not in message
    assert len(message) < 300


@pytest.mark.parametrize("when", ["1900-01-01T12:00", "2000-06-01T12:00"])
def test_a_fault_more_than_a_year_back_is_refused_with_a_clear_message(db, when):
    form = _form(occurred_at=when)
    assert not form.is_valid()
    assert "ett år tilbake" in form.errors["occurred_at"][0]


def test_a_fault_in_the_future_is_refused_and_a_recent_one_accepted(db):
    future = timezone.localtime(timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    assert "occurred_at" in _form(occurred_at=future).errors
    recent = timezone.localtime(timezone.now() - timedelta(days=300)).strftime("%Y-%m-%dT%H:%M")
    assert _form(occurred_at=recent).is_valid()


def test_attachments_after_a_validation_error_are_named_and_the_rest_is_kept(client_for,
                                                                          bank_member):
    upload = SimpleUploadedFile("logg.txt", b"401 401 401", content_type="text/plain")
    response = client_for(bank_member).post("/feilmeldinger/ny/", {
        "environment": "test", "severity": "normal", "occurred_at": "1900-01-01T12:00",
        "request_ids": "req-1", "summary": "Behold dette sammendraget",
        "description": "Og denne beskrivelsen.", "attachments": upload})
    html = response.content.decode()
    assert "Vedlegg må velges på nytt." in html
    assert "Behold dette sammendraget" in html and "Og denne beskrivelsen." in html


def test_attachments_on_a_failed_reply_are_named(client_for, bank_member, bits_user):
    from incidents import services as incidents

    report = incidents.incident_report(
        by=bank_member, environment="test", severity="normal",
        occurred_at=timezone.now() - timedelta(hours=1), request_ids=["req-1"],
        summary="401", description="Alle kall gir 401.")
    upload = SimpleUploadedFile("logg.txt", b"401", content_type="text/plain")
    response = client_for(bank_member).post(f"/feilmeldinger/{report.reference}/melding/", {
        "body": "", "visibility": "public", "attachments": upload})
    assert "Vedlegg må velges på nytt." in response.content.decode()
