"""Finding 1: `/admin/login/?next=` must not send logged-in staff off the site."""

import pytest

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "//evil.example",
    "https://evil.example",
    "http://evil.example/admin/",
    "/\\evil.example",
    "\\\\evil.example",
    "///evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    " //evil.example",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_admin_login_next_never_leaves_the_site(client_for, lk_admin, payload):
    response = client_for(lk_admin).get("/admin/login/", {"next": payload})
    assert response.status_code == 302
    location = response["Location"]
    assert location == "/admin/", location


def test_admin_login_next_on_the_site_is_followed(client_for, lk_admin):
    response = client_for(lk_admin).get("/admin/login/", {"next": "/admin/accounts/user/"})
    assert response["Location"] == "/admin/accounts/user/"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_admin_login_for_the_anonymous_keeps_next_on_the_site(client, db, payload):
    response = client.get("/admin/login/", {"next": payload})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
    assert "javascript" not in response["Location"]
