"""The Saldo-API page shows bank users the sandbox, not a developer's command."""

import pytest
from django.urls import reverse

from balances.services import api_access_grant


@pytest.fixture(autouse=True)
def test_issuer_on(settings):
    settings.SALDO_API_ENVIRONMENTS = ["test", "production"]
    settings.SALDO_TEST_ISSUER_ENABLED = True


def test_bank_user_is_shown_the_sandbox_not_manage_py(client_for, bank_member, bank, lk_admin):
    api_access_grant(organisation=bank, environment="test", by=lk_admin)
    content = client_for(bank_member).get(reverse("balances:index")).content.decode()
    assert "manage.py" not in content
    assert reverse("balances:sandbox") in content


def test_bank_user_without_test_access_sees_no_manage_py(client_for, bank_member):
    content = client_for(bank_member).get(reverse("balances:index")).content.decode()
    assert "manage.py" not in content


@pytest.mark.parametrize("persona", ["bits", "lanekassen"])
def test_bits_and_lanekassen_keep_the_command_line_example(client_for, personas, persona):
    content = client_for(personas[persona]).get(reverse("balances:index")).content.decode()
    assert "manage.py saldo_demo_headers" in content
