"""E.2: Lånekassen proposes its own change and asks the banks for their impact; each bank
answers with a level and a comment; Lånekassen sees the answers per bank and who has not
answered."""

import pytest
from django.urls import reverse

from casework.errors import DomainError
from changerequests import services
from changerequests.models import ChangeRequest, ImpactAnswer
from notifications.models import OutboxMessage
from tests.changerequests import builders as b
from tests.factories import OrganisationFactory, member_of

pytestmark = pytest.mark.django_db


def test_lanekassen_proposes_on_the_page_and_bank_admins_are_asked(p, client_for):
    response = client_for(p["lanekassen"]).post(reverse("changerequests:create"), {
        **b.FIELDS, "impact_requested": "on", "intent": "submit"}, follow=True)
    assert "synlig for alle banker" in response.content.decode()
    request = ChangeRequest.objects.get()
    assert request.impact_requested and request.organisation is None
    # One person per bank is asked (its admins), not every bank user.
    assert set(OutboxMessage.objects.values_list("to", flat=True)) == {p["bank_admin"].email}


def test_banks_answer_and_lanekassen_sees_answers_per_bank_and_who_has_not(p, client_for):
    request = b.lanekassen_own(p)
    silent = OrganisationFactory(name="Testbank C", orgnr="930000000")
    client_for(p["bank_member"]).post(
        reverse("changerequests:impact", args=[request.reference]),
        {"impact-level": "major", "impact-comment": "Vi må endre kjernesystemet."})
    services.impact_answer(request=request, by=p["other_bank"], level="none")
    # A second answer from the same bank replaces its first.
    services.impact_answer(request=request, by=p["bank_admin"], level="some",
                           comment="Litt arbeid likevel.")

    answers = {a.organisation.name: (a.level, a.comment)
               for a in ImpactAnswer.objects.select_related("organisation")}
    assert answers == {"Testbank A": ("some", "Litt arbeid likevel."), "Testbank B": ("none", "")}
    html = client_for(p["lanekassen"]).get(request.get_absolute_url()).content.decode()
    table = html[html.index('id="impact-answers"'):html.index('id="impact-missing"')]
    assert "Testbank A" in table and "Noe" in table and "Testbank B" in table
    missing = html[html.index('id="impact-missing"'):]
    assert silent.name in missing[:300]
    # The comments are in the public thread too, with the bank.
    assert "Konsekvens for Testbank A: Stor." in html


def test_other_banks_do_not_see_the_answers_table(p, client_for):
    request = b.lanekassen_own(p)
    services.impact_answer(request=request, by=p["bank_member"], level="none")
    html = client_for(p["other_bank"]).get(request.get_absolute_url()).content.decode()
    assert 'id="impact-answers"' not in html
    assert "Send konsekvensvurdering" in html


def test_impact_answer_needs_a_comment_unless_none(p, client_for):
    request = b.lanekassen_own(p)
    with pytest.raises(DomainError) as exc:
        services.impact_answer(request=request, by=p["bank_member"], level="major")
    assert exc.value.field == "comment"
    response = client_for(p["bank_member"]).post(
        reverse("changerequests:impact", args=[request.reference]),
        {"impact-level": "some", "impact-comment": ""})
    assert response.status_code == 400
    assert 'id="id_impact-comment_error"' in response.content.decode()
    assert not ImpactAnswer.objects.exists()


def test_impact_cannot_be_answered_when_not_asked_or_by_staff(p):
    request = b.lanekassen_own(p, impact_requested=False)
    with pytest.raises(DomainError):
        services.impact_answer(request=request, by=p["bank_member"], level="none")
    services.impact_request(request=request, by=p["lanekassen"])
    with pytest.raises(DomainError):
        services.impact_answer(request=request, by=p["bits"], level="none")
    services.impact_answer(request=request, by=p["bank_member"], level="none")


def test_lanekassen_asks_banks_for_impact_on_a_banks_request(p, client_for):
    request = b.opened(p)
    admin_c = member_of(OrganisationFactory(name="Testbank C", orgnr="930000000"),
                        role="admin", email="admin@bank-c.example.com")
    OutboxMessage.objects.all().delete()
    response = client_for(p["lanekassen"]).post(
        reverse("changerequests:action", args=[request.reference, "request_impact"]),
        follow=True)
    assert "Utført: Be bankene om konsekvensvurdering." in response.content.decode()
    request.refresh_from_db()
    assert request.impact_requested
    assert set(OutboxMessage.objects.values_list("to", flat=True)) == {
        p["bank_admin"].email, admin_c.email}
    with pytest.raises(DomainError):
        services.impact_request(request=request, by=p["lanekassen"])  # asked once
