"""Cross-tenant crawl: bank A's people create one object of every kind, crawl every page they
can reach, and bank B's admin (who is also B's security contact and signatory, so a refusal is
about the organisation, never a role) requests each URL.

Which URLs are bank A's own is decided by ownership, not by a list of paths: every case of
every registered case type (casework.registry) whose organisation is bank A owns the URLs under
its get_absolute_url(); other objects named by a `pk` in the URL are looked up in OWNED_BY
below, and a `pk` URL that is in neither fails the test until it is declared. So a new case
type is covered the day it is registered.

Bank B must get 404 for every GET of an A-owned URL, 403/404 (or the login page) for every
POST to one, and nothing in the database may change. Shared pages (lists, FAQ, notices for
all banks, the home page) must answer bank B without a 5xx and without any of A's references.
"""

import pytest
from django.apps import apps
from django.test import Client
from django.urls import Resolver404, resolve

from casework.registry import case_types
from tests.attack.crawl import crawl
from tests.attack.world import build_world

pytestmark = pytest.mark.django_db

# URL name → the model whose `pk` is in the URL. Shared ones map to None.
OWNED_BY = {
    "notifications:open": "notifications.Notification",
    "notifications:webhook_detail": "notifications.WebhookEndpoint",
    "notifications:webhook_deactivate": "notifications.WebhookEndpoint",
    "onboarding:key_rotate": "balances.ApiKey",
    "onboarding:key_revoke": "balances.ApiKey",
    "accounts:member_role": "accounts.Membership",
    "accounts:member_signing": "accounts.Membership",
    "accounts:member_security_contact": "accounts.Membership",
    "accounts:member_remove": "accounts.Membership",
    "incidents:filter_delete": "casework.SavedFilter",
    "questions:filter_delete": "casework.SavedFilter",
    # Shared: published terms and the FAQ.
    "onboarding:terms_sign": None,
    "onboarding:terms_pdf": None,
    "questions:faq_detail": None,
    "questions:faq_edit": None,
    "questions:faq_vote": None,
    "questions:faq_action": None,
}
UNCHANGED_EXCEPT = {"sessions.session"}


def _owner(obj):
    for path in ("organisation_id", "recipient.membership.organisation_id",
                 "user.membership.organisation_id"):
        value = obj
        try:
            for attribute in path.split("."):
                value = getattr(value, attribute)
        except Exception:
            continue
        return value
    return None


def private_case_prefixes(bank):
    prefixes = set()
    for ct in case_types():
        if not any(f.name == "organisation" for f in ct.model._meta.get_fields()):
            continue
        for case in ct.model.objects.filter(organisation=bank):
            prefixes.add(case.get_absolute_url())
    return prefixes


def classify(url, bank, prefixes):
    """True if `url` shows or acts on an object of `bank`'s; False if shared."""
    path = url.split("?")[0]
    if any(path.startswith(prefix) for prefix in prefixes):
        return True
    try:
        match = resolve(path)
    except Resolver404:
        return False
    if "pk" not in match.kwargs:
        return False
    name = f"{match.namespace}:{match.url_name}"
    assert name in OWNED_BY, (f"{url} ({name}) names an object by pk: declare its model in "
                              "OWNED_BY, or None if it is shared")
    if OWNED_BY[name] is None:
        return False
    obj = apps.get_model(OWNED_BY[name]).objects.filter(pk=match.kwargs["pk"]).first()
    return obj is not None and _owner(obj) == bank.pk


def snapshot():
    state = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in UNCHANGED_EXCEPT:
            continue
        rows = model._base_manager.all()
        state[label] = (rows.count(), rows.order_by("-pk").values_list("pk", flat=True).first())
    return state


def _as(user):
    client = Client(enforce_csrf_checks=False)
    client.force_login(user)
    return client


def _refused(response):
    if response.status_code in (403, 404):
        return True
    return response.status_code == 302 and "/accounts/login/" in response.get("Location", "")


def test_other_bank_reaches_none_of_bank_as_objects_and_changes_nothing(settings):
    world = build_world()
    bank_a = world.bank_a
    found = None
    for persona in ("bank_admin", "security_contact", "bank_member"):
        found = crawl(_as(world.users[persona]), limit=150, into=found)
    prefixes = private_case_prefixes(bank_a)
    # The crawl reached every kind of bank A's cases it created (and so their actions).
    for prefix in prefixes:
        assert any(url.startswith(prefix) for url in found.gets), f"never reached {prefix}"
    private_gets = sorted(u for u in found.gets if classify(u, bank_a, prefixes))
    private_posts = sorted(u for u in found.posts if classify(u, bank_a, prefixes))
    shared_gets = sorted(u for u in found.gets if u not in private_gets)
    assert len(private_gets) >= len(prefixes) and private_posts

    b = _as(world.users["other_bank"])
    references = {p.rstrip("/").rsplit("/", 1)[-1] for p in prefixes}
    leaks = []
    for url in shared_gets:
        response = b.get(url)
        assert response.status_code < 500, f"{url}: {response.status_code}"
        body = response.content.decode("utf-8", "replace")
        leaks += [(url, ref) for ref in references if ref in body]
    assert not leaks, f"bank A's references shown to bank B: {leaks}"

    before = snapshot()
    got_through = [(url, status) for url in private_gets
                   if (status := b.get(url).status_code) != 404]
    got_through += [(f"POST {url}", response.status_code) for url in private_posts
                    if not _refused(response := b.post(url, {"body": "x", "message": "x"}))]
    assert not got_through, got_through
    assert snapshot() == before
    print(f"\ncross-tenant: {len(private_gets)} private GETs, {len(private_posts)} private "
          f"POSTs, {len(shared_gets)} shared pages checked")
