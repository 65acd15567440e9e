"""The privilege matrix: for every URL name in the URLConf (instantiated with the objects of a
seeded world, tests/attack/world.py), what each persona gets, declared once in
tests/attack/privilege_table.py and checked for every persona. A URL name missing from the
table fails the test: a new page or action must be declared.

Status classes are explained in the table's module. Action URLs (ACTIONS) are POSTed with an
empty form, pages are fetched with GET.

Run with ATTACK_MATRIX_RECORD=1 to print the observed rows (to review, never to paste blind).
"""

import os

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import get_resolver, reverse
from django.urls.resolvers import URLResolver

from casework.models import Attachment
from casework.registry import case_type_for
from tests.attack.privilege_table import ACTIONS, PERSONAS, TABLE
from tests.attack.world import build_world

pytestmark = pytest.mark.django_db

# Not pages of ours: allauth's account pages and the Django admin have their own tests.
SKIPPED_NAMESPACES = {"admin"}


def url_names():
    names = []

    def walk(resolver, prefix):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name in SKIPPED_NAMESPACES or str(pattern.pattern) == "accounts/":
                    continue
                walk(pattern, prefix + (f"{pattern.namespace}:" if pattern.namespace else ""))
            elif pattern.name:
                names.append(prefix + pattern.name)

    walk(get_resolver(), "")
    return names


def _case_for(name, o):
    namespace, _, short = name.partition(":")
    if namespace == "incidents":
        return o["breach"] if short.startswith("breach_") else o["incident"]
    return {"questions": o["question"], "changerequests": o["change_request"],
            "onboarding": o["onboarding"], "notices": o["notice"]}.get(namespace)


def instantiate(name, world):
    """The URL for `name` with the world's objects (bank A's where there is a choice)."""
    o = world.objects
    kwargs = {}
    params = _params(name)
    case = _case_for(name, o)
    if "reference" in params:
        kwargs["reference"] = case.reference
    if "action" in params:
        if name == "questions:faq_action":
            kwargs["action"] = "archive"
        else:
            ct = case_type_for(case)
            kwargs["action"] = ct.actions[0].name
    if "pk" in params:
        kwargs["pk"] = _pk(name, o, world, case)
    for param, value in {"token": "ukjent-token", "uidb64": "MQ", "environment": "test",
                         "step": "forum", "slug": "sla"}.items():
        if param in params:
            kwargs[param] = value
    return reverse(name, kwargs=kwargs)


def _pk(name, o, world, case):
    short = name.split(":")[1]
    if short.endswith("attachment"):
        return Attachment.objects.filter(content_type=ContentType.objects.get_for_model(case),
                                         object_id=case.pk).values_list("pk", flat=True)[0]
    if short.startswith("faq"):
        return o["faq"].pk
    if short.startswith("terms"):
        return o["terms"].pk
    if short.startswith("key"):
        return o["api_key"].pk
    if short.startswith("webhook"):
        return o["webhook"].pk
    if short.startswith("member"):
        return world.users["bank_member"].membership.pk
    if name == "notifications:open":
        return world.users["bank_member"].notifications.values_list("pk", flat=True).first() \
            or 999_999
    if short == "filter_delete":  # a saved filter is its owner's: someone else's is 404
        return 999_999
    if name == "balances:borrower":
        return o["borrower"].pk
    raise AssertionError(f"no object for {name}")


def _params(name):
    from django.urls import get_resolver as resolver

    possibilities = resolver().reverse_dict.getlist(name.split(":")[-1])
    if ":" in name:
        namespaces = name.split(":")[:-1]
        sub = resolver()
        for ns in namespaces:
            sub = sub.namespace_dict[ns][1]
        possibilities = sub.reverse_dict.getlist(name.split(":")[-1])
    return set(possibilities[0][0][0][1]) if possibilities else set()


def status_class(response):
    code = response.status_code
    if 200 <= code < 300:
        return "2"
    if code in (301, 302, 303):
        location = response.get("Location", "")
        if "/accounts/login/" in location:
            return "L"
        if "/accounts/2fa/" in location or "/konto/" in location and "2fa" in location:
            return "M"
        return "R"
    return {400: "0", 403: "3", 404: "4", 405: "5"}.get(code, str(code))


def client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_every_url_name_is_declared():
    missing = sorted(set(url_names()) - set(TABLE))
    assert not missing, f"declare these pages in tests/attack/privilege_table.py: {missing}"
    stale = sorted(set(TABLE) - set(url_names()))
    assert not stale, f"no longer in the URLConf: {stale}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_persona_reaches_exactly_what_the_table_declares(persona, settings):
    # The embedded default's local token issuer (its keys are public, as in the sandbox).
    settings.SALDO_TEST_ISSUER_ENABLED = True
    world = build_world()
    client = client_for(world.users[persona])
    column = PERSONAS.index(persona)
    wrong, observed = [], {}
    for name in sorted(TABLE):
        url = instantiate(name, world)
        response = client.post(url) if name in ACTIONS else client.get(url)
        got = status_class(response)
        observed[name] = got
        expected = TABLE[name].split()[column]
        if got not in expected.split("/"):
            wrong.append(f"{name} {url}: expected {expected}, got {got}")
    if os.environ.get("ATTACK_MATRIX_RECORD"):
        print(f"\nRECORD {persona} " + " ".join(f"{n}={s}" for n, s in observed.items()))
    assert not wrong, "\n".join(wrong)


def test_unverified_registrant_reaches_its_own_onboarding_case():
    world = build_world()
    client = client_for(world.users["registrant"])
    case = world.objects["registration"]
    assert client.get(case.get_absolute_url()).status_code == 200
    assert client.get("/").status_code == 302
