"""All banks take part (E.1): one vote per bank, withdrawing, following, a public thread that
shows each commenter's bank, and refusals with a message instead of an error page."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from casework.errors import DomainError
from casework.models import AuditEvent
from changerequests import services
from changerequests.models import ChangeRequest, Follower, Status, Vote
from notifications.models import Notification, OutboxMessage
from tests.changerequests import builders as b
from tests.factories import OrganisationFactory, member_of

pytestmark = pytest.mark.django_db


def _events(request, verb):
    return AuditEvent.objects.filter(content_type=ContentType.objects.get_for_model(request),
                                     object_id=request.pk, verb=verb)


def test_proposing_bank_supports_and_follows_its_own_request_from_the_start(p):
    request = b.submitted(p)
    assert list(Vote.objects.filter(request=request).values_list("organisation__name",
                                                                 flat=True)) == ["Testbank A"]
    assert Follower.objects.filter(request=request, user=p["bank_member"]).exists()


def test_other_bank_supports_once_and_a_second_click_changes_nothing(p):
    request = b.opened(p)
    vote, created = services.vote_cast(request=request, by=p["other_bank"])
    again, created_again = services.vote_cast(request=request, by=p["other_bank"])

    assert (created, created_again) == (True, False)
    assert again.pk == vote.pk
    assert vote.cast_by == p["other_bank"]
    assert Vote.objects.filter(request=request).count() == 2
    assert _events(request, "supported").count() == 1
    assert Follower.objects.filter(request=request, user=p["other_bank"]).exists()


def test_a_colleague_in_the_same_bank_finds_the_bank_already_supports(p, other_bank):
    request = b.opened(p)
    colleague = member_of(other_bank, email="kollega@bank-b.example.com")
    services.vote_cast(request=request, by=p["other_bank"])
    vote, created = services.vote_cast(request=request, by=colleague)

    assert not created
    assert vote.cast_by == p["other_bank"]  # who cast it is kept
    assert Vote.objects.filter(request=request, organisation=other_bank).count() == 1


def test_bank_withdraws_its_support(p):
    request = b.opened(p)
    services.vote_cast(request=request, by=p["other_bank"])
    assert services.vote_withdraw(request=request, by=p["other_bank"]) is True
    assert services.vote_withdraw(request=request, by=p["other_bank"]) is False
    assert not Vote.objects.filter(request=request, organisation__name="Testbank B").exists()
    assert _events(request, "support_withdrawn").count() == 1


@pytest.mark.parametrize("build", [
    pytest.param(lambda p: services.change_request_reject(
        request=b.with_lanekassen(p), by=p["lanekassen"], rationale="Nei."), id="rejected"),
    pytest.param(lambda p: services.change_request_merge(
        request=b.opened(p, title="Duplikat"), by=p["bits"],
        original=b.opened(p)), id="merged"),
    pytest.param(b.accepted, id="decided"),
    pytest.param(lambda p: services.change_request_reference_group_decide(
        request=b.recommended(p), by=p["bits"], decided_on=b.date(2026, 1, 5), forward=False,
        rationale="Nei."), id="not_forwarded"),
])
def test_supporting_a_closed_merged_or_rejected_request_is_refused_with_a_message(p, build):
    request = build(p)
    votes = Vote.objects.count()
    with pytest.raises(DomainError, match="kan ikke støttes nå"):
        services.vote_cast(request=request, by=p["other_bank"])
    assert Vote.objects.count() == votes


def test_bits_and_lanekassen_do_not_vote(p):
    request = b.opened(p)
    for who in ("bits", "lanekassen"):
        with pytest.raises(DomainError):
            services.vote_cast(request=request, by=p[who])


def test_supporting_twice_through_the_page_shows_no_error(p, client_for):
    request = b.opened(p)
    client = client_for(p["other_bank"])
    url = reverse("changerequests:support", args=[request.reference])
    first = client.post(url, {"intent": "support"}, follow=True)
    second = client.post(url, {"intent": "support"}, follow=True)

    assert first.status_code == second.status_code == 200
    assert "Banken støtter" in first.content.decode()
    assert "Banken støttet allerede" in second.content.decode()
    assert Vote.objects.filter(request=request).count() == 2


def test_supporting_a_decided_request_through_the_page_says_why_not(p, client_for):
    request = b.accepted(p)
    response = client_for(p["other_bank"]).post(
        reverse("changerequests:support", args=[request.reference]), follow=True)
    assert response.status_code == 200
    assert "kan ikke støttes nå" in response.content.decode()


def test_every_bank_sees_which_banks_support(p, client_for, other_bank):
    request = b.opened(p)
    services.vote_cast(request=request, by=p["other_bank"])
    third = member_of(OrganisationFactory(name="Testbank C", orgnr="930000000"))
    html = client_for(third).get(request.get_absolute_url()).content.decode()
    assert "Støttes av 2 banker" in html
    assert "<li>Testbank A</li>" in html and "<li>Testbank B</li>" in html


def test_public_comment_shows_the_commenters_bank_and_tells_followers(p, client_for):
    request = b.opened(p)
    client = client_for(p["other_bank"])
    response = client.post(reverse("changerequests:message", args=[request.reference]),
                           {"body": "Vi trenger dette også.", "visibility": "public"},
                           follow=True)
    assert response.status_code == 200
    html = client_for(p["bank_admin"]).get(request.get_absolute_url()).content.decode()
    assert "Vi trenger dette også." in html
    assert f"{p['other_bank']} (Testbank B)" in html
    # The proposer follows: told once, by e-mail and in the portal; the commenter now follows.
    assert set(OutboxMessage.objects.filter(subject__contains="Ny kommentar")
               .values_list("to", flat=True)) == {p["bank_member"].email}
    assert Notification.objects.filter(recipient=p["bank_member"],
                                       title__contains="Ny kommentar").count() == 1
    assert Follower.objects.filter(request=request, user=p["other_bank"]).exists()


def test_internal_note_is_not_told_to_bank_followers(p):
    request = b.opened(p)
    services.follower_add(request=request, by=p["lanekassen"])
    services.change_request_comment(case=request, by=p["bits"], body="Ligner EO-2025-0003.",
                                    visibility="internal")
    assert set(OutboxMessage.objects.filter(subject__contains="Ny kommentar")
               .values_list("to", flat=True)) == {p["lanekassen"].email}


def test_bank_may_not_write_an_internal_note(p):
    request = b.opened(p)
    with pytest.raises(DomainError) as exc:
        services.change_request_comment(case=request, by=p["other_bank"], body="Hei",
                                        visibility="internal")
    assert exc.value.field == "visibility"


def test_follow_and_unfollow(p, client_for):
    request = b.opened(p)
    client = client_for(p["other_bank"])
    url = reverse("changerequests:follow", args=[request.reference])
    client.post(url, {"intent": "follow"})
    client.post(url, {"intent": "follow"})
    assert Follower.objects.filter(request=request, user=p["other_bank"]).count() == 1
    client.post(url, {"intent": "unfollow"})
    assert not Follower.objects.filter(request=request, user=p["other_bank"]).exists()


def test_followers_are_told_of_status_changes(p):
    request = b.opened(p)
    services.follower_add(request=request, by=p["other_bank"])
    OutboxMessage.objects.all().delete()
    services.change_request_forum_recommend(request=request, by=p["bits"],
                                            decided_on=b.date(2026, 3, 10), recommended=True,
                                            rationale="God idé.")
    assert set(OutboxMessage.objects.values_list("to", flat=True)) == {
        p["bank_member"].email, p["other_bank"].email}


def test_merged_request_is_listed_nowhere_by_default(p, client_for):
    original, duplicate = b.duplicate_of_opened(p)
    services.change_request_merge(request=duplicate, by=p["bits"], original=original)
    html = client_for(p["bits"]).get(reverse("changerequests:list")).content.decode()
    assert original.reference in html and duplicate.reference not in html
    html = client_for(p["bits"]).get(reverse("changerequests:list"),
                                      {"status": Status.MERGED}).content.decode()
    assert duplicate.reference in html
    assert ChangeRequest.objects.get(pk=duplicate.pk).merged_into == original


def test_a_vote_that_loses_the_race_to_the_database_finds_the_winner(p, monkeypatch):
    """What the row lock normally prevents: another session inserted the bank's vote between
    our look and our insert. The unique constraint says so, and the bank's vote is the one
    there is — no error for the person."""
    from django.db import IntegrityError

    request = b.opened(p)
    colleague = member_of(p["other_bank"].membership.organisation,
                          email="kollega@bank-b.example.com")
    Vote.objects.create(request=request, organisation=colleague.membership.organisation,
                        cast_by=colleague)  # committed by the other session

    def insert_fails(**kwargs):
        raise IntegrityError("UNIQUE constraint failed: unique_change_request_vote")

    monkeypatch.setattr(Vote.objects, "get_or_create", insert_fails)
    vote, created = services.vote_cast(request=request, by=p["other_bank"])
    assert not created
    assert vote.cast_by == colleague
    assert Vote.objects.filter(request=request, organisation__name="Testbank B").count() == 1
