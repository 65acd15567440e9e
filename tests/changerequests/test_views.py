"""The pages: who sees what (drafts and returned requests stay between the bank, Bits and
Lånekassen; open requests are for every bank user), proposing with similar requests shown
while typing, editing and resubmitting, the list's filters and orderings, the roadmap."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from casework.models import Attachment
from changerequests import services
from changerequests.models import ChangeRequest, Status
from notifications.models import OutboxMessage
from tests.changerequests import builders as b
from tests.factories import OrganisationFactory, member_of

pytestmark = pytest.mark.django_db
CREATE_URL = reverse("changerequests:create")


@pytest.mark.parametrize("build", [b.draft, b.submitted, b.returned], ids=[
    "draft", "submitted", "returned"])
def test_other_bank_gets_404_on_a_request_not_opened_to_all(p, client_for, build):
    request = build(p)
    client = client_for(p["other_bank"])
    assert client.get(request.get_absolute_url()).status_code == 404
    for name in ("support", "follow", "message", "impact"):
        assert client.post(reverse(f"changerequests:{name}", args=[request.reference]),
                           {"body": "Hei"}).status_code == 404
    assert request.reference not in client.get(reverse("changerequests:list")).content.decode()


@pytest.mark.parametrize("build", [b.draft, b.returned], ids=["draft", "returned"])
@pytest.mark.parametrize("who", ["bank_member", "bank_admin", "bits", "lanekassen"])
def test_proposing_bank_bits_and_lanekassen_see_drafts_and_returned_requests(
        p, client_for, build, who):
    request = build(p)
    assert client_for(p[who]).get(request.get_absolute_url()).status_code == 200


def test_open_request_is_seen_by_every_bank_user(p, client_for):
    request = b.opened(p)
    stranger = member_of(OrganisationFactory(name="Testbank C", orgnr="930000000"))
    for user in (p["other_bank"], stranger):
        assert client_for(user).get(request.get_absolute_url()).status_code == 200


def test_anonymous_is_sent_to_log_in(p, client):
    request = b.opened(p)
    response = client.get(request.get_absolute_url())
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_bank_proposes_with_an_attachment_and_bits_is_told(p, client_for):
    upload = SimpleUploadedFile("behov.txt", b"Felt som mangler: NextInstallmentDate\n")
    response = client_for(p["bank_member"]).post(CREATE_URL, {
        **b.FIELDS, "attachments": upload, "intent": "submit"}, follow=True)
    request = ChangeRequest.objects.get()
    assert request.reference.startswith("EO-") and request.reference.endswith("-0001")
    assert (request.status, request.organisation.name, request.proposed_by) == (
        Status.SUBMITTED, "Testbank A", p["bank_member"])
    assert f"registrert som {request.reference}" in response.content.decode()
    assert Attachment.objects.get().filename == "behov.txt"
    assert set(OutboxMessage.objects.values_list("to", flat=True)) == {p["bits"].email}


def test_bank_saves_a_draft_and_nobody_is_told(p, client_for):
    client_for(p["bank_member"]).post(CREATE_URL, {**b.FIELDS, "intent": "draft"})
    assert ChangeRequest.objects.get().status == Status.DRAFT
    assert not OutboxMessage.objects.exists()


def test_missing_benefit_is_shown_on_its_field_and_nothing_is_saved(p, client_for):
    response = client_for(p["bank_member"]).post(CREATE_URL, {**b.FIELDS, "benefit": " "})
    assert response.status_code == 400
    assert 'id="id_benefit_error"' in response.content.decode()
    assert not ChangeRequest.objects.exists()


def test_bits_may_not_propose(p, client_for):
    assert client_for(p["bits"]).get(CREATE_URL).status_code == 404


def test_similar_requests_are_shown_while_typing_the_title(p, client_for):
    existing = b.opened(p, title="Neste terminforfall i saldo-responsen")
    b.draft(p, title="Terminforfall utkast")  # a draft is nobody's duplicate
    html = client_for(p["other_bank"]).get(reverse("changerequests:similar"),
                                           {"title": "terminforfall"}).content.decode()
    assert existing.reference in html
    assert "utkast" not in html
    assert client_for(p["other_bank"]).get(reverse("changerequests:similar"),
                                           {"title": "xy"}).content.decode().strip() == ""


def test_create_form_fetches_similar_requests_debounced(p, client_for):
    html = client_for(p["bank_member"]).get(CREATE_URL).content.decode()
    assert f'hx-get="{reverse("changerequests:similar")}"' in html
    assert 'hx-trigger="input changed delay:400ms, load"' in html
    assert 'id="similar"' in html


def test_returned_request_is_edited_and_resubmitted_by_the_bank(p, client_for):
    request = b.returned(p)
    client = client_for(p["bank_admin"])
    html = client.get(request.get_absolute_url()).content.decode()
    assert "Beskriv nytten for kundene." in html  # Bits' question in the thread
    response = client.post(reverse("changerequests:edit", args=[request.reference]), {
        **b.FIELDS, "benefit": "Kundene slipper å ringe.", "intent": "submit"}, follow=True)
    assert response.status_code == 200
    request.refresh_from_db()
    assert (request.status, request.benefit) == (Status.SUBMITTED, "Kundene slipper å ringe.")


def test_other_bank_and_opened_requests_cannot_be_edited(p, client_for):
    returned = b.returned(p)
    assert client_for(p["other_bank"]).get(
        reverse("changerequests:edit", args=[returned.reference])).status_code == 404
    opened = b.opened(p)
    assert client_for(p["bank_member"]).get(
        reverse("changerequests:edit", args=[opened.reference])).status_code == 404


def test_list_filters_and_orderings(p, client_for):
    few = b.opened(p, title="Få støtter", part="consent", urgency="low")
    many = b.opened(p, title="Mange støtter", part="api", urgency="high")
    services.vote_cast(request=many, by=p["other_bank"])
    client = client_for(p["other_bank"])
    url = reverse("changerequests:list")

    html = client.get(url).content.decode()
    assert html.index("Mange støtter") < html.index("Få støtter")  # most supported first
    html = client.get(url, {"ordering": "newest"}).content.decode()
    assert html.index("Mange støtter") < html.index("Få støtter")
    services.change_request_comment(case=few, by=p["other_bank"], body="Ny aktivitet")
    html = client.get(url, {"ordering": "active"}).content.decode()
    assert html.index("Få støtter") < html.index("Mange støtter")
    html = client.get(url, {"part": "consent"}).content.decode()
    assert "Få støtter" in html and "Mange støtter" not in html
    html = client.get(url, {"urgency": "high", "status": "open"}).content.decode()
    assert "Mange støtter" in html and "Få støtter" not in html
    html = client.get(url, {"status": "nonsense", "urgency": "low"}).content.decode()
    assert "Få støtter" in html  # a bad value drops only its own filter
    assert "dere støtter" in client.get(url).content.decode()


def test_roadmap_shows_planned_in_development_and_delivered_by_release(p, client_for):
    planned = b.accepted(p)
    developing = b.in_development(p)
    delivered = b.in_test(p)
    b.opened(p, title="Ikke besluttet")
    html = client_for(p["other_bank"]).get(reverse("changerequests:roadmap")).content.decode()
    assert "Release 2026.2" in html
    for request, status in ((planned, "Planlagt"), (developing, "Under utvikling"),
                            (delivered, "Levert i test")):
        assert request.reference in html and status in html
    assert "Ikke besluttet" not in html


def test_bits_actions_on_a_submitted_request(p, client_for):
    request = b.submitted(p)
    html = client_for(p["bits"]).get(request.get_absolute_url()).content.decode()
    for label in ("Åpne for alle banker", "Returner til banken",
                  "Slå sammen med et annet endringsønske", "Avvis som utenfor omfang"):
        assert label in html
    assert "Åpne for alle banker" not in client_for(p["bank_member"]).get(
        request.get_absolute_url()).content.decode()


def test_message_without_text_keeps_the_page(p, client_for):
    request = b.opened(p)
    response = client_for(p["other_bank"]).post(
        reverse("changerequests:message", args=[request.reference]), {"body": ""})
    assert response.status_code == 400


def test_home_panel_for_bits_counts_requests_to_check(p, rf):
    from changerequests.views import home_panel

    b.submitted(p)
    request = rf.get("/")
    request.user = p["bits"]
    panel = home_panel(request)
    assert panel["cards"][0]["count"] == 1
    request.user = p["bank_member"]
    assert any(c.get("button") for c in home_panel(request)["cards"])


def test_dashboard_shows_the_change_request_panel(p, client_for):
    b.submitted(p)
    html = client_for(p["bits"]).get(reverse("dashboard")).content.decode()
    assert "Endringsønsker til kontroll" in html
    html = client_for(p["bank_member"]).get(reverse("dashboard")).content.decode()
    assert "Foreslå en endring" in html


def test_admin_lists_requests_and_runs_an_action_through_the_service(p, client_for, lk_admin):
    request = b.accepted(p)
    client = client_for(lk_admin)
    url = reverse("admin:changerequests_changerequest_changelist")
    assert client.get(url).status_code == 200
    response = client.post(url, {"action": "action_start_development",
                                 "_selected_action": [request.pk]}, follow=True)
    assert response.status_code == 200
    request.refresh_from_db()
    assert request.status == Status.IN_DEVELOPMENT
    assert client.get(reverse("admin:changerequests_changerequest_change",
                              args=[request.pk])).status_code == 200
