"""Onboarding pages: who sees what (404 for other banks), the pipeline, the case page's steps
and working days, and the actions through the views."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from casework.calendar import BusinessCalendar
from onboarding.models import OnboardingCase, Status
from onboarding.selectors import case_steps, case_suspension, working_days
from tests.onboarding.builders import (
    at_awaiting_readiness,
    at_awaiting_routines,
    at_completed,
    at_returned,
    at_submitted,
    at_testing,
)

OSLO = ZoneInfo("Europe/Oslo")


@pytest.fixture
def p(ob, terms, bank_contact_points):
    return ob


def test_other_bank_gets_404_on_the_case_and_its_actions(p, client_for):
    case = at_submitted(p)
    client = client_for(p["other_bank"])
    assert client.get(case.get_absolute_url()).status_code == 404
    assert client.post(f"{case.get_absolute_url()}handling/verify/").status_code == 404
    assert client.post(f"{case.get_absolute_url()}melding/", {"body": "Hei"}).status_code == 404
    assert client.get("/onboarding/").status_code == 200  # their own (empty) page
    assert case.reference not in client.get("/onboarding/").content.decode()


def test_anonymous_is_sent_to_log_in(p, client_for):
    case = at_submitted(p)
    response = client_for(None).get(case.get_absolute_url())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_bank_user_is_taken_to_their_own_case(p, client_for):
    case = at_submitted(p)
    response = client_for(p["bank_member"]).get("/onboarding/")
    assert response["Location"] == case.get_absolute_url()
    page = client_for(p["bank_member"]).get(case.get_absolute_url()).content.decode()
    assert "technical@bank-a.example.com" in page
    assert "Godkjenn registreringen" not in page


def test_pipeline_groups_cases_by_step_with_whose_turn_and_waiting_days(p, client_for,
                                                                        other_bank):
    case = at_submitted(p)
    late = OnboardingCase.objects.create(
        reference="OB-2026-0099", organisation=other_bank,
        registrant_verified_at=datetime(2026, 1, 5, 9, 0, tzinfo=OSLO),
        status_changed_at=datetime(2026, 1, 5, 9, 0, tzinfo=OSLO))
    response = client_for(p["bits"]).get("/onboarding/")
    assert response.status_code == 200
    board = response.context["board"]
    a1 = board["columns"][0]
    assert a1["code"] == "A.1"
    rows = {r["case"].reference: r for r in a1["rows"]}
    assert rows[case.reference]["turn_label"] == "Bits"
    assert rows[case.reference]["waiting"] == 0
    assert rows[late.reference]["waiting"] > 5
    assert board["my_turn"] == 2
    page = response.content.decode()
    assert case.reference in page and "A.4 Tilkobling til produksjon" in page


def test_pipeline_is_not_for_banks(p, client_for):
    at_submitted(p)
    response = client_for(p["bank_admin"]).get("/onboarding/")
    assert response.status_code == 302  # to their own case, not the board


def test_case_page_shows_steps_done_current_and_to_come(p, client_for):
    case = at_testing(p)
    steps = client_for(p["bits"]).get(case.get_absolute_url()).context["steps"]
    assert [s["state"] for s in steps] == ["done", "done", "current", "todo"]
    assert steps[2]["turn"] == "Banken"
    assert all(s["days"] is not None for s in steps[:3])
    assert steps[3]["days"] is None


def test_rejected_case_shows_the_registration_step_as_stopped(p):
    from onboarding import services

    case = services.onboarding_reject(case=at_submitted(p), by=p["bits"], reason="Nei.")
    steps = case_steps(case, BusinessCalendar())
    assert [s["state"] for s in steps] == ["stopped", "todo", "todo", "todo"]


def test_working_days_skip_weekends_and_public_holidays():
    calendar = BusinessCalendar()
    # Wednesday 1 April 2026 → Tuesday 7 April: Maundy Thursday, Good Friday, the weekend and
    # Easter Monday are closed; only Tuesday counts.
    start = datetime(2026, 4, 1, 10, 0, tzinfo=OSLO)
    assert working_days(calendar, start, datetime(2026, 4, 7, 9, 0, tzinfo=OSLO)) == 1
    assert working_days(calendar, start, start) == 0
    assert working_days(calendar, datetime(2026, 3, 6, 15, tzinfo=OSLO),
                        datetime(2026, 3, 9, 8, tzinfo=OSLO)) == 1  # Friday → Monday


def test_bits_verifies_through_the_action_view(p, client_for):
    case = at_submitted(p)
    response = client_for(p["bits"]).post(f"{case.get_absolute_url()}handling/verify/",
                                          follow=True)
    assert "Utført: Godkjenn registreringen." in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.AWAITING_SIGNATURE


def test_bank_posting_a_bits_action_gets_a_message_and_nothing_changes(p, client_for):
    case = at_submitted(p)
    response = client_for(p["bank_admin"]).post(f"{case.get_absolute_url()}handling/verify/",
                                                follow=True)
    assert "Du har ikke lov" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED


def test_action_that_needs_a_text_refuses_a_blank_one(p, client_for):
    case = at_submitted(p)
    response = client_for(p["bits"]).post(f"{case.get_absolute_url()}handling/reject/",
                                          {"text": " "}, follow=True)
    assert "Fyll ut teksten" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED


def test_bank_admin_edits_and_resubmits_a_returned_registration(p, client_for):
    case = at_returned(p)
    client = client_for(p["bank_admin"])
    assert client_for(p["bank_member"]).get(f"{case.get_absolute_url()}endre/").status_code == 404
    bad = client.post(f"{case.get_absolute_url()}endre/", {
        "name": "Testbank A", "test_endpoints": "10.0.0.0/40"})
    assert bad.status_code == 200 and bad.context["form"].errors["test_endpoints"]
    response = client.post(f"{case.get_absolute_url()}endre/", {
        "name": "Testbank A", "test_endpoints": "api.test.bank-a.no\n10.1.0.0/16",
        "comment": "IP-området er lagt til."})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED
    assert case.test_endpoints == ["api.test.bank-a.no", "10.1.0.0/16"]


def test_readiness_form_with_a_bad_range_is_an_error_on_the_field(p, client_for):
    case = at_awaiting_readiness(p)
    response = client_for(p["bank_admin"]).post(f"{case.get_absolute_url()}klar/", {
        "production_endpoints": "api.bank-a.no\n999.0.0.0/8", "ready": "on"})
    assert response.status_code == 400
    assert "999.0.0.0/8" in response.context["readiness_form"].errors[
        "production_endpoints"][0]
    case.refresh_from_db()
    assert case.status == Status.AWAITING_READINESS


def test_readiness_and_routines_through_the_page(p, client_for):
    case = at_awaiting_readiness(p)
    client = client_for(p["bank_admin"])
    client.post(f"{case.get_absolute_url()}klar/", {
        "production_endpoints": "api.bank-a.no", "ready": "on"})
    case.refresh_from_db()
    assert case.status == Status.PRODUCTION_REQUESTED
    case = at_awaiting_routines_from(case, p)
    response = client.post(f"{case.get_absolute_url()}rutiner/", {"adopted": "on"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.COMPLETED


def at_awaiting_routines_from(case, p):
    from onboarding import services

    return services.onboarding_grant_production(case=case, by=p["lanekassen"])


def test_suspend_and_lift_are_offered_to_lanekassen_only(p, client_for):
    case = at_completed(p)
    names = {a.name for a in client_for(p["lanekassen"]).get(
        case.get_absolute_url()).context["actions"]}
    assert {"suspend", "offboard"} <= names and "unsuspend" not in names
    assert not client_for(p["bits"]).get(case.get_absolute_url()).context["actions"]
    client_for(p["lanekassen"]).post(f"{case.get_absolute_url()}handling/suspend/",
                                     {"text": "Sikkerhetsbrudd."})
    assert case_suspension(case).reason == "Sikkerhetsbrudd."
    page = client_for(p["bank_admin"]).get(case.get_absolute_url()).content.decode()
    assert "API-tilgangen er suspendert" in page and "Sikkerhetsbrudd." in page


def test_internal_note_is_hidden_from_the_bank(p, client_for):
    case = at_submitted(p)
    client_for(p["bits"]).post(f"{case.get_absolute_url()}melding/", {
        "body": "Sjekk Brreg.", "visibility": "internal"})
    assert "Sjekk Brreg." in client_for(p["lanekassen"]).get(
        case.get_absolute_url()).content.decode()
    assert "Sjekk Brreg." not in client_for(p["bank_admin"]).get(
        case.get_absolute_url()).content.decode()


def test_awaiting_routines_page_offers_the_bank_admin_the_form(p, client_for):
    case = at_awaiting_routines(p)
    page = client_for(p["bank_admin"]).get(case.get_absolute_url()).content.decode()
    assert "Bekreft forvaltningsrutinene" in page
    member_page = client_for(p["bank_member"]).get(case.get_absolute_url()).content.decode()
    assert "Bekreft forvaltningsrutinene" not in member_page


def test_pipeline_queries_do_not_grow_with_the_number_of_cases(p, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Organisation

    at_submitted(p)
    client = client_for(p["bits"])
    with CaptureQueriesContext(connection) as one:
        client.get("/onboarding/")
    for n in range(5):
        organisation = Organisation.objects.create(name=f"Bank {n}", orgnr=f"30000001{n}")
        OnboardingCase.objects.create(reference=f"OB-2026-01{n:02d}", organisation=organisation)
    with CaptureQueriesContext(connection) as six:
        client.get("/onboarding/")
    assert len(six) == len(one)


def test_a_message_carries_attachments_that_only_those_who_see_the_case_download(
        p, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from casework.models import Attachment

    case = at_submitted(p)
    response = client_for(p["bank_admin"]).post(f"{case.get_absolute_url()}melding/", {
        "body": "Vedlagt er IP-listen.", "visibility": "public",
        "attachments": [SimpleUploadedFile("ip-liste.txt", b"192.0.2.0/24\n")]})
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.filename, attachment.message.body) == ("ip-liste.txt",
                                                              "Vedlagt er IP-listen.")
    url = f"{case.get_absolute_url()}vedlegg/{attachment.pk}/"
    assert url in client_for(p["bits"]).get(case.get_absolute_url()).content.decode()
    download = client_for(p["bits"]).get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"192.0.2.0/24\n"
    assert client_for(p["other_bank"]).get(url).status_code == 404


def test_a_message_on_a_closed_case_is_refused_on_the_locked_row(p):
    from casework.errors import DomainError
    from onboarding import services

    case = services.onboarding_reject(case=at_submitted(p), by=p["bits"], reason="Nei.")
    stale = OnboardingCase.objects.get(pk=case.pk)
    OnboardingCase.objects.filter(pk=case.pk).update(status=Status.SUBMITTED)
    stale.refresh_from_db()
    OnboardingCase.objects.filter(pk=case.pk).update(status=Status.REJECTED)
    # The copy in hand says "submitted"; the row says "rejected": the row decides.
    with pytest.raises(DomainError, match="kan ikke skrive"):
        services.onboarding_comment(case=stale, by=p["bank_admin"], body="Hei?")


def test_the_admin_actions_run_the_same_services_as_the_case_page(p, client_for, lk_admin):
    from tests.onboarding.builders import at_test_ordered

    case = at_test_ordered(p)
    response = client_for(lk_admin).post("/admin/onboarding/onboardingcase/", {
        "action": "action_grant_test", "_selected_action": [case.pk]}, follow=True)
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.status == Status.TESTING
    assert case.organisation.api_access.get().environment == "test"


def test_home_panel_shows_the_steps_waiting_for_each_side(p, client_for, lk_admin, rf):
    from casework.registry import case_type
    from tests.onboarding.builders import at_test_ordered

    panel_for = case_type("onboarding").home_panel

    def panel(user):
        request = rf.get("/")
        request.user = user
        return panel_for(request)

    case = at_submitted(p)
    bits = panel(p["bits"])
    assert (bits["count"], bits["url"]) == (1, "/onboarding/")
    assert bits["items"][0]["url"] == case.get_absolute_url()
    assert panel(p["lanekassen"])["count"] == 0
    assert panel(p["bank_admin"])["count"] == 0  # Bits' move
    assert panel(p["bank_member"]) is None
    OnboardingCase.objects.all().delete()
    case = at_test_ordered(p)
    assert panel(p["lanekassen"])["count"] == 1
    assert panel(p["bits"])["count"] == 0
    assert panel(lk_admin)["items"][0]["url"] == case.get_absolute_url()


def test_a_message_posted_with_htmx_swaps_in_the_conversation(p, client_for):
    case = at_submitted(p)
    response = client_for(p["bits"]).post(f"{case.get_absolute_url()}melding/", {
        "body": "Vi ser på registreringen i dag.", "visibility": "public"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="conversation"' in html and "<html" not in html  # the part, not the page
    assert "Vi ser på registreringen i dag." in html and "Meldingen er sendt." in html
