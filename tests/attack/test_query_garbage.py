"""Nonsense in the query string is bad input, never a server error: every page that takes no
path arguments, for a bank admin, Bits and Lånekassen, with every parameter name the portal's
forms know (and those the views read directly) set at once to each of a few bad values. Found
this way: a NUL in the header search was a 500 (PostgreSQL refuses it). All at once, a form's
first bad field can hide a later one (the report's `?bank=abc` 500 hid behind `fra=abc`); the
narrower cases are in each app's tests."""

import importlib
import pkgutil

import pytest
from django import forms
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db

APPS = ("accounts", "balances", "casework", "changerequests", "config", "incidents", "notices",
        "notifications", "onboarding", "questions", "reports")
# Read from request.GET by views rather than through a form.
READ_DIRECTLY = {"side", "sortering", "mine", "alle", "fase", "hendelse", "kategori", "q",
                 "format", "table", "exclude", "title", "text", "faq_q", "next"}
BAD_VALUES = ["abc", "-1", "99999999999999999999", "2026-13-45", "1.5", "\x00", "x" * 5000]


def _parameter_names():
    for app in APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, app + "."):
            if ".migrations" not in module.name:
                importlib.import_module(module.name)
    names, pending = set(READ_DIRECTLY), [forms.BaseForm]
    while pending:
        for cls in pending.pop().__subclasses__():
            if cls.__module__.split(".")[0] in APPS:
                names.update(getattr(cls, "base_fields", {}))
            pending.append(cls)
    return sorted(names)


def _pages(resolver=None, namespace=""):
    """Every named URL that takes no arguments, outside the Django admin."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _pages(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            try:
                url = reverse(namespace + pattern.name)
            except NoReverseMatch:
                continue
            if not url.startswith("/admin/"):
                yield url


def test_nonsense_in_the_query_string_is_never_a_server_error(client_for, personas):
    names = _parameter_names()
    pages = sorted(set(_pages()))
    assert len(names) > 50 and len(pages) > 40  # the harvest found the portal's forms and pages
    errors = []
    for persona in ("bank_admin", "bits", "lanekassen"):
        client = client_for(personas[persona])
        client.raise_request_exception = False
        for url in pages:
            for value in BAD_VALUES:
                status = client.get(url, {name: value for name in names}).status_code
                if status >= 500:
                    errors.append(f"{persona} {url} {value[:20]!r}: {status}")
    assert not errors, "\n".join(errors)
