"""API access and suspension in balances, their only owner: the selectors the process apps
read (suspension, usable keys, a bank's own key) and the rules that keep the access rows
saying one thing (a suspension covers access granted later; offboarding ends it)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from balances.models import ApiAccess, ApiKey
from balances.selectors import (
    api_key_get_for_user,
    api_key_usable_exists,
    api_suspension_for,
    api_suspensions,
)
from balances.services import (
    api_access_grant,
    api_access_offboard,
    api_access_suspend,
    api_access_unsuspend,
    api_key_issue,
    api_key_revoke,
)

pytestmark = pytest.mark.django_db


def test_suspension_is_read_from_the_access_rows_with_its_time_and_reason(bank, other_bank):
    api_access_grant(organisation=bank, environment="test", by=None)
    api_access_grant(organisation=other_bank, environment="test", by=None)
    assert api_suspension_for(organisation=bank) is None

    api_access_suspend(organisation=bank, by=None, reason="Lekket nøkkel")

    since, reason = api_suspension_for(organisation=bank)
    assert reason == "Lekket nøkkel"
    assert timezone.now() - since < timedelta(minutes=1)
    assert set(api_suspensions()) == {bank.pk}
    assert api_suspensions(organisations=[other_bank.pk]) == {}
    api_access_unsuspend(organisation=bank, by=None)
    assert api_suspension_for(organisation=bank) is None


def test_access_granted_to_a_suspended_bank_starts_suspended(bank):
    api_access_grant(organisation=bank, environment="test", by=None)
    api_access_suspend(organisation=bank, by=None, reason="Sikkerhetsbrudd")

    production = api_access_grant(organisation=bank, environment="production", by=None)

    production.refresh_from_db()
    assert not production.is_active
    assert production.suspended_reason == "Sikkerhetsbrudd"
    assert api_access_unsuspend(organisation=bank, by=None) == 2
    assert all(a.is_active for a in ApiAccess.objects.filter(organisation=bank))


def test_offboarding_ends_a_suspension_and_a_later_grant_starts_clean(bank):
    api_access_grant(organisation=bank, environment="test", by=None)
    api_access_suspend(organisation=bank, by=None, reason="Sikkerhetsbrudd")

    api_access_offboard(organisation=bank, by=None)

    access = ApiAccess.objects.get(organisation=bank)
    assert (access.offboarded_at is not None, access.suspended_at, access.suspended_reason) == (
        True, None, "")
    assert api_suspension_for(organisation=bank) is None
    assert api_access_suspend(organisation=bank, by=None, reason="Igjen") == 0  # nothing live
    access = api_access_grant(organisation=bank, environment="test", by=None)
    assert access.is_active


def test_usable_key_is_one_neither_revoked_nor_expired(bank):
    api_access_grant(organisation=bank, environment="test", by=None)
    assert not api_key_usable_exists(organisation=bank, environment="test")
    key, _plain = api_key_issue(organisation=bank, environment="test", by=None)
    assert api_key_usable_exists(organisation=bank, environment="test")
    assert not api_key_usable_exists(organisation=bank, environment="production")
    ApiKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert not api_key_usable_exists(organisation=bank, environment="test")
    ApiKey.objects.filter(pk=key.pk).update(expires_at=None)
    api_key_revoke(key=key, by=None)
    assert not api_key_usable_exists(organisation=bank, environment="test")


def test_a_key_is_found_only_for_a_user_of_its_own_bank(bank, bank_admin, other_bank_member,
                                                        bits_user):
    key, _plain = api_key_issue(organisation=bank, environment="test", by=None)
    assert api_key_get_for_user(user=bank_admin, pk=key.pk) == key
    assert api_key_get_for_user(user=other_bank_member, pk=key.pk) is None
    assert api_key_get_for_user(user=bits_user, pk=key.pk) is None
    assert api_key_get_for_user(user=bank_admin, pk=key.pk + 1000) is None
