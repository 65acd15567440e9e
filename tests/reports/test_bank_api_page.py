"""A bank's own API page: calls per day and error share per environment, and the latest
failing calls each one click from an error report with their X-Request-Id filled in."""

import pytest
from django.urls import reverse

from balances.models import LookupLog
from balances.rollup import lookup_rollup_tick

pytestmark = pytest.mark.django_db


def _log(org, status, request_id, env="production"):
    return LookupLog.objects.create(organisation=org, environment=env, request_id=request_id,
                                    status=status, latency_ms=15, error="" if status == 200
                                    else "Ugyldig token")


def test_bank_sees_its_failing_calls_with_a_link_to_report_them(client_for, bank_member, bank,
                                                               other_bank):
    _log(bank, 200, "ok-1")
    _log(bank, 401, "bad-1")
    _log(bank, 500, "bad-2", env="test")
    _log(other_bank, 500, "theirs-1")
    lookup_rollup_tick()
    _log(bank, 503, "bad-3")  # not folded yet: still counted and listed
    response = client_for(bank_member).get(reverse("balances:usage"))
    body = response.content.decode()
    assert [c.request_id for c in response.context["failed"]] == ["bad-3", "bad-2", "bad-1"]
    totals = {t["env"].value: (t["calls"], t["errors"]) for t in response.context["totals"]}
    assert totals == {"test": (1, 1), "production": (3, 2)}
    assert "theirs-1" not in body and "Testbank B" not in body
    link = response.context["failed"][2].report_url
    assert link.startswith(reverse("incidents:create") + "?request_id=bad-1&environment=production")
    page = client_for(bank_member).get(link)
    assert page.context["form"].initial["request_ids"] == "bad-1"
    assert page.context["form"].initial["environment"] == "production"
    assert "bad-1</textarea>" in page.content.decode()


def test_the_page_is_the_banks_own(client_for, bits_user, lk_user):
    for user in (bits_user, lk_user, None):
        response = client_for(user).get(reverse("balances:usage"))
        assert response.status_code in (302, 404)
