"""Bits merges a duplicate into the request it repeats: the duplicate points to the original,
its supporting banks and followers carry over, no bank counts twice, and they are told.
Merging into itself or into a request merged elsewhere is refused."""

import pytest
from django.urls import reverse

from casework.errors import DomainError
from changerequests import services
from changerequests.models import ChangeRequest, Follower, Status, Vote
from notifications.models import OutboxMessage
from tests.changerequests import builders as b
from tests.factories import OrganisationFactory, member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def third_bank_member(db):
    return member_of(OrganisationFactory(name="Testbank C", orgnr="930000000"),
                     email="member@bank-c.example.com")


def test_merge_keeps_each_banks_support_once_and_moves_followers(p, third_bank_member):
    original = b.opened(p)  # Testbank A supports
    services.vote_cast(request=original, by=p["other_bank"])  # Testbank B supports
    duplicate = b.opened(p, title="Terminforfall")  # Testbank A again
    services.vote_cast(request=duplicate, by=p["other_bank"])  # Testbank B again
    services.vote_cast(request=duplicate, by=third_bank_member)  # Testbank C: only here
    services.follower_add(request=duplicate, by=p["lanekassen"])
    OutboxMessage.objects.all().delete()

    services.change_request_merge(request=duplicate, by=p["bits"], original=original.reference)

    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into) == (Status.MERGED, original)
    assert sorted(Vote.objects.filter(request=original)
                  .values_list("organisation__name", flat=True)) == [
        "Testbank A", "Testbank B", "Testbank C"]
    assert (Vote.objects.get(request=original, organisation__name="Testbank C").cast_by
            == third_bank_member)
    assert set(Follower.objects.filter(request=original).values_list("user__email", flat=True)
               ) >= {p["bank_member"].email, p["other_bank"].email, third_bank_member.email,
                     p["lanekassen"].email}
    # The duplicate's followers and supporters are told, each once.
    told = list(OutboxMessage.objects.values_list("to", flat=True))
    assert sorted(told) == sorted({p["bank_member"].email, p["other_bank"].email,
                                   third_bank_member.email, p["lanekassen"].email})
    assert all(original.reference in m.subject
               for m in OutboxMessage.objects.all())


def test_merge_into_itself_is_refused(p):
    request = b.opened(p)
    with pytest.raises(DomainError, match="seg selv") as exc:
        services.change_request_merge(request=request, by=p["bits"], original=request.reference)
    assert exc.value.field == "original"
    assert ChangeRequest.objects.get(pk=request.pk).status == Status.OPEN


def test_merge_into_a_request_merged_elsewhere_is_refused(p):
    first = b.opened(p)
    second = b.opened(p, title="Andre")
    services.change_request_merge(request=second, by=p["bits"], original=first)
    third = b.submitted(p, title="Tredje")
    votes = Vote.objects.count()

    with pytest.raises(DomainError, match="selv slått sammen"):
        services.change_request_merge(request=third, by=p["bits"], original=second.reference)

    third.refresh_from_db()
    assert (third.status, third.merged_into) == (Status.SUBMITTED, None)
    assert Vote.objects.count() == votes


def test_merge_into_an_unknown_reference_is_refused_on_the_field(p):
    with pytest.raises(DomainError) as exc:
        services.change_request_merge(request=b.submitted(p), by=p["bits"],
                                      original="EO-1999-0001")
    assert exc.value.field == "original"


def test_merge_action_on_the_page_takes_the_reference_and_a_comment(p, client_for):
    original, duplicate = b.duplicate_of_opened(p)
    response = client_for(p["bits"]).post(
        reverse("changerequests:action", args=[duplicate.reference, "merge"]),
        {"text": f"{original.reference.lower()} – samme ønske."}, follow=True)
    assert response.status_code == 200
    duplicate.refresh_from_db()
    assert duplicate.merged_into == original
    html = client_for(p["other_bank"]).get(duplicate.get_absolute_url()).content.decode()
    assert "samme ønske." in html
    assert original.reference in html


def test_merge_into_itself_on_the_page_shows_a_message(p, client_for):
    request = b.opened(p)
    response = client_for(p["bits"]).post(
        reverse("changerequests:action", args=[request.reference, "merge"]),
        {"text": request.reference}, follow=True)
    assert "kan ikke slås sammen med seg selv" in response.content.decode()
