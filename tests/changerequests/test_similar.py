"""Similar requests while a title is typed: on PostgreSQL, full-text search in Norwegian (word
forms) and simple (codes as written) with trigram similarity (typos); on SQLite, any word."""

import pytest
from django.db import connection

from changerequests.selectors import change_request_similar
from tests.changerequests import builders as b

pytestmark = pytest.mark.django_db


@pytest.fixture
def existing(p):
    return b.opened(p, title="Forfallsdato for neste termin",
                    problem="Feltet NextInstallmentDate mangler i Accounts-responsen.")


def _found(user, text):
    return [r.title for r in change_request_similar(user=user, text=text)]


def test_a_shared_word_finds_the_request_on_any_database(p, existing):
    assert _found(p["other_bank"], "termin for studielån") == [existing.title]
    assert _found(p["other_bank"], "helt annet tema") == []


def test_requests_the_user_may_not_see_are_not_suggested(p, existing):
    b.submitted(p, title="Forfallsdato i utkastfasen")  # not opened: Testbank A's only
    assert _found(p["other_bank"], "forfallsdato") == [existing.title]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search and pg_trgm")
def test_postgresql_finds_other_word_forms_codes_and_typos(p, existing):
    assert _found(p["other_bank"], "terminen") == [existing.title]  # norwegian stemming
    assert _found(p["other_bank"], "NextInstallmentDate") == [existing.title]  # simple
    assert _found(p["other_bank"], "Forfalsdato for neste termn") == [existing.title]  # trigram
