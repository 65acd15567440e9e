"""/admin/ for someone logged in without admin rights: a page that says so, not a redirect
loop between the admin and the login."""

import pytest

FOR_ADMINS = "Denne siden er for Lånekassens administratorer."


def _follow(client, url, max_hops=3):
    response = client.get(url)
    hops = 0
    while response.status_code in (301, 302) and hops < max_hops:
        response = client.get(response["Location"])
        hops += 1
    return response


@pytest.mark.parametrize("persona", ["bank_member", "bank_admin", "bits", "lanekassen"])
def test_user_without_admin_rights_is_told_the_admin_is_for_lanekassens_administrators(
        client_for, personas, persona):
    response = _follow(client_for(personas[persona]), "/admin/")
    assert response.status_code == 403
    content = response.content.decode()
    assert FOR_ADMINS in content
    assert 'class="site-header"' in content
    assert 'href="/">' in content


def test_admin_denied_page_is_in_english_when_the_language_is_english(client_for, bank_member):
    client = client_for(bank_member)
    client.cookies["django_language"] = "en"
    response = _follow(client, "/admin/")
    assert response.status_code == 403
    assert "This page is for Lånekassen's administrators." in response.content.decode()


def test_lanekassen_admin_with_mfa_still_gets_the_admin_index(client_for, lk_admin):
    response = client_for(lk_admin).get("/admin/")
    assert response.status_code == 200
    assert "admin/index.html" in [t.name for t in response.templates]


def test_anonymous_is_still_sent_to_the_portal_login(client):
    response = client.get("/admin/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")

