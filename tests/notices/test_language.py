"""A notice reaches each user in the portal in the language of their profile, whatever language
the Lånekassen caseworker who published it was using."""

import pytest
from django.utils import translation

from notices import services
from notifications.models import Notification
from tests.factories import member_of

pytestmark = pytest.mark.django_db


def test_a_published_notice_is_announced_to_each_user_in_their_own_language(
        make_notice, lk_user, receiving_banks, bits_user, django_capture_on_commit_callbacks):
    english = member_of(receiving_banks[1], email="english@nordbank.example.com", language="en")
    norwegian = member_of(receiving_banks[1], email="norsk@nordbank.example.com")
    notice = make_notice()

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.notice_publish(notice=notice, by=lk_user)

    english_title = Notification.objects.get(recipient=english).title
    norwegian_title = Notification.objects.get(recipient=norwegian).title
    assert english_title == f"{notice.reference} Service disruption: Saldo-API-et svarer 500"
    assert norwegian_title == f"{notice.reference} Driftsavvik: Saldo-API-et svarer 500"
