"""The Django admin speaks the reader's language: field, model and permission names are
Norwegian in the Norwegian admin (and English in the English one), and the inputs in an
editable change list are named by column and row."""

import re

import pytest
from django.core.management import call_command

from accounts.services import invitation_create
from casework.models import SlaTarget


@pytest.fixture
def admin_client(client_for, lk_admin):
    return client_for(lk_admin)


def test_field_names_in_the_norwegian_admin_are_norwegian(admin_client, bank, bank_admin):
    invitation_create(by=bank_admin, organisation=bank, email="ny@bank-a.example.com")
    html = admin_client.get("/admin/accounts/invitation/").content.decode()
    assert "Opprettet" in html and "Akseptert" in html
    assert "Created at" not in html and "Accepted at" not in html
    html = admin_client.get("/admin/accounts/invitation/add/").content.decode()
    assert "Invitert av" in html and "Invited by" not in html


def test_permission_names_follow_the_language(admin_client):
    call_command("migrate", "auth", verbosity=0)  # the permission rows (a flush removes them)
    html = admin_client.get("/admin/auth/group/add/").content.decode()
    assert "Kan legge til feilmelding" in html
    assert "Can add" not in html

    admin_client.cookies["django_language"] = "en"
    html = admin_client.get("/admin/auth/group/add/").content.decode()
    assert "Can add error report" in html


def test_editable_change_list_inputs_are_named_by_column_and_row(admin_client):
    SlaTarget.objects.get_or_create(process="incident", severity="critical", defaults={
        "first_response_minutes": 30, "resolution_minutes": 240})
    html = admin_client.get("/admin/casework/slatarget/").content.decode()
    inputs = re.findall(r'<input[^>]*name="form-\d+-first_response_minutes"[^>]*>', html)
    assert inputs
    assert all('aria-label="' in tag for tag in inputs), inputs
