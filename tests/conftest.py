"""Personas and shared fixtures.

Personas: a bank member, a bank admin, a member of another bank, a Bits handler, a Lånekassen
caseworker and a Lånekassen admin (Bits and Lånekassen with TOTP set up), and anonymous.
"""

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.utils import translation

from accounts.models import Membership, Organisation
from tests.factories import OrganisationFactory, member_of

# The shared helpers in tests/support assert too: have pytest explain their failures as it does
# in test modules (this must come before anything imports them).
pytest.register_assert_rewrite("tests.support")

# Real servers (SMTP, Redis, a Celery worker) and the browser: see tests/support/fixtures.py.
pytest_plugins = ["tests.support.fixtures"]


@pytest.fixture(scope="session", autouse=True)
def _plain_http():
    """Production settings (DEBUG off, as on PostgreSQL) redirect to https; the test client and
    the live server speak plain http. Session-wide: the live server loads its middleware once."""
    from django.test import override_settings

    with override_settings(SECURE_SSL_REDIRECT=False):
        yield


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    # Rate limits and used TOTP codes live in the cache: each test starts with a clean one.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.CELERY_TASK_ALWAYS_EAGER = True
    # The real hasher costs ~0.3 s per user; tests that are about passwords set it back.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    cache.clear()
    # A request in another language (a cookie, the language switch) leaves that language active
    # in the thread: every test starts in the portal's own.
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    cache.clear()
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture
def bank(db):
    return OrganisationFactory(name="Testbank A", orgnr="910000004")


@pytest.fixture
def other_bank(db):
    return OrganisationFactory(name="Testbank B", orgnr="920000002")


@pytest.fixture
def bits_org(db):
    return OrganisationFactory(name="Bits AS", orgnr="916000006", kind=Organisation.Kind.BITS)


@pytest.fixture
def lanekassen_org(db):
    return OrganisationFactory(name="Lånekassen", orgnr="960885406",
                               kind=Organisation.Kind.LANEKASSEN)


@pytest.fixture
def bank_member(bank):
    return member_of(bank, email="member@bank-a.example.com")


@pytest.fixture
def bank_admin(bank):
    return member_of(bank, role=Membership.Role.ADMIN, email="admin@bank-a.example.com")


@pytest.fixture
def other_bank_member(other_bank):
    return member_of(other_bank, email="member@bank-b.example.com")


@pytest.fixture
def bits_user(bits_org):
    return member_of(bits_org, totp=True, email="handler@bits.example.com")


@pytest.fixture
def lk_user(lanekassen_org):
    return member_of(lanekassen_org, totp=True, email="saksbehandler@lanekassen.example.com")


@pytest.fixture
def lk_admin(lanekassen_org):
    return member_of(lanekassen_org, role=Membership.Role.ADMIN, totp=True, is_staff=True,
                     is_superuser=True, email="admin@lanekassen.example.com")


@pytest.fixture
def personas(bank_member, bank_admin, other_bank_member, bits_user, lk_user):
    return {"bank_member": bank_member, "bank_admin": bank_admin,
            "other_bank": other_bank_member, "bits": bits_user, "lanekassen": lk_user}


@pytest.fixture
def client_for(client):
    """A logged-in test client for a persona (MFA already set up where required)."""
    from django.test import Client

    def make(user):
        c = Client()
        if user is not None:
            c.force_login(user)
        return c

    return make


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """After the session, end stray sessions on the test database so it can be dropped.

    Code run under Playwright's sync API (browser tests) may open a database connection in a
    context that is never closed; PostgreSQL then refuses to drop the test database.
    """
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")
