"""The notice pages: who sees what, the writing form's messages, acknowledgement, the delivery
report, feeds with secret tokens, webhook registration and links from error reports."""

import re
from datetime import UTC, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from notices import services
from notices.models import FeedToken, Notice, NoticeLink, Status
from notifications import services as channels
from notifications.models import OutboxMessage, WebhookEndpoint

from .conftest import deliveries_of

pytestmark = pytest.mark.django_db


def form_data(comps, **overrides):
    data = {"kind": "fault", "environments": ["production"],
            "components": [c.pk for c in comps[:1]], "severity": "critical",
            "title": "Feil i produksjon", "body": "Vi ser **feil**.", "action": "draft"}
    data.update(overrides)
    return data


# --- who sees what ------------------------------------------------------------------------------

def test_other_bank_gets_404_on_notice_detail(published, client_for, other_bank_member):
    notice = published()
    response = client_for(other_bank_member).get(notice.get_absolute_url())
    assert response.status_code == 404


def test_bank_sees_only_notices_sent_to_it_in_the_archive(published, make_notice, lk_user,
                                                          client_for, bank_member, other_bank,
                                                          django_capture_on_commit_callbacks):
    from .conftest import grant

    ours = published()
    grant(other_bank, "test")
    theirs = make_notice(environments=["test"], title="Bare i test")
    services.notice_publish(notice=theirs, by=lk_user)
    draft = make_notice(title="Utkast som ingen bank ser")

    page = client_for(bank_member).get(reverse("notices:list")).content.decode()
    assert ours.reference in page
    assert theirs.reference not in page and draft.reference not in page
    assert client_for(bank_member).get(theirs.get_absolute_url()).status_code == 404
    assert client_for(bank_member).get(draft.get_absolute_url()).status_code == 404


def test_anonymous_is_sent_to_login(published, client_for):
    notice = published()
    response = client_for(None).get(notice.get_absolute_url())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_bits_sees_published_notices_but_not_drafts(published, make_notice, client_for,
                                                    bits_user):
    notice = published()
    draft = make_notice(title="Utkast")
    assert client_for(bits_user).get(notice.get_absolute_url()).status_code == 200
    assert client_for(bits_user).get(draft.get_absolute_url()).status_code == 404


def test_archive_filters_by_kind_and_status(published, client_for, bank_member):
    fault = published()
    maintenance = published(kind="maintenance")
    page = client_for(bank_member).get(reverse("notices:list"), {"kind": "maintenance"})
    html = page.content.decode()
    assert maintenance.reference in html and fault.reference not in html
    html = client_for(bank_member).get(reverse("notices:list"),
                                       {"status": "current"}).content.decode()
    assert maintenance.reference in html and fault.reference in html


# --- writing --------------------------------------------------------------------------------------

@pytest.mark.parametrize("overrides, message", [
    ({"environments": []}, "Velg minst ett miljø."),
    ({"components": []}, "Velg minst én berørt komponent."),
    ({"kind": "maintenance", "window_start": "2030-01-02T10:00", "window_end": "2030-01-02T08:00"},
     "Vedlikeholdet må slutte etter at det starter."),
    ({"publish_at": "2020-01-01T10:00", "action": "schedule"},
     "Tidspunktet for publisering har allerede vært."),
])
def test_form_shows_clear_messages_and_saves_nothing(client_for, lk_user, components, overrides,
                                                     message):
    response = client_for(lk_user).post(reverse("notices:create"),
                                        form_data(components, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Notice.objects.exists()


def test_bank_and_bits_cannot_open_the_writing_form(client_for, bank_admin, bits_user):
    for user in (bank_admin, bits_user):
        assert client_for(user).get(reverse("notices:create")).status_code == 404


def test_preview_shows_sanitised_markdown_and_saves_nothing(client_for, lk_user, components):
    response = client_for(lk_user).post(reverse("notices:create"), form_data(
        components, body="**Viktig** <script>alert(1)</script>", action="preview"))
    html = response.content.decode()
    assert "<strong>Viktig</strong>" in html
    assert "<script>alert(1)" not in html
    assert not Notice.objects.exists()


def test_lanekassen_publishes_from_the_form_and_the_fanout_is_queued(
        client_for, lk_user, components, receiving_banks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(lk_user).post(reverse("notices:create"),
                                            form_data(components, action="publish"))
    notice = Notice.objects.get()
    assert response.status_code == 302 and response["Location"] == notice.get_absolute_url()
    assert notice.status == Status.PUBLISHED
    assert OutboxMessage.objects.filter(to__endswith="@nordbank.example.com").count() == 2


def test_lanekassen_schedules_from_the_form(client_for, lk_user, components):
    at = timezone.localtime() + timedelta(days=1)
    client_for(lk_user).post(reverse("notices:create"), form_data(
        components, action="schedule", publish_at=at.strftime("%Y-%m-%dT%H:%M")))
    notice = Notice.objects.get()
    assert notice.status == Status.SCHEDULED
    assert notice.publish_at is not None


def test_update_and_resolve_from_the_notice_page(published, client_for, lk_user):
    notice = published()
    c = client_for(lk_user)
    c.post(reverse("notices:update", args=[notice.reference]), {"body": "Feilen er funnet."})
    c.post(reverse("notices:action", args=[notice.reference, "resolve"]), {"text": "Rettet."})
    notice.refresh_from_db()
    assert notice.status == Status.RESOLVED
    html = c.get(notice.get_absolute_url()).content.decode()
    assert "Feilen er funnet." in html and "Rettet." in html


def test_notice_page_shows_lanekassen_the_actions_it_may_take_now_and_the_bank_none(
        published, make_notice, client_for, lk_user, bank_member):
    notice = published()

    def action(n, name):
        return reverse("notices:action", args=[n.reference, name])

    html = client_for(lk_user).get(notice.get_absolute_url()).content.decode()
    assert action(notice, "resolve") in html
    assert action(notice, "start") not in html  # a fault never starts
    assert action(notice, "publish") not in html and action(notice, "cancel") not in html
    assert 'name="text"' in html  # a note to the recipients

    draft = make_notice(title="Utkast")
    html = client_for(lk_user).get(draft.get_absolute_url()).content.decode()
    assert action(draft, "publish") in html and action(draft, "cancel") in html
    assert 'name="text"' not in html  # nobody to write to before it is sent

    bank_html = client_for(bank_member).get(notice.get_absolute_url()).content.decode()
    assert "/handling/" not in bank_html
    response = client_for(bank_member).post(action(notice, "resolve"), {"text": "Nei"})
    notice.refresh_from_db()
    assert response.status_code == 302 and notice.status == Status.PUBLISHED


# --- acknowledgement ------------------------------------------------------------------------------

def test_bank_acknowledges_from_the_dashboard_banner_and_lanekassen_sees_it(
        published, client_for, bank_member, lk_user, bits_user):
    notice = published()
    bank = client_for(bank_member)
    dashboard = bank.get(reverse("dashboard")).content.decode()
    assert "Kritisk driftsavvik" in dashboard and "Bekreft at vi har lest" in dashboard

    response = bank.post(reverse("notices:acknowledge", args=[notice.reference]),
                         {"next": reverse("dashboard")})
    assert response["Location"] == reverse("dashboard")
    assert "Bekreft at vi har lest" not in bank.get(reverse("dashboard")).content.decode()

    for viewer in (lk_user, bits_user):
        html = client_for(viewer).get(notice.get_absolute_url()).content.decode()
        table = html[html.index('id="acknowledgements"'):]
        assert re.search(r"Testbank A</td><td>\d\d\.\d\d\.\d{4}", table)
        assert bank_member.name in table
        assert "1 har bekreftet, 2 mangler." in html


# --- delivery report ----------------------------------------------------------------------------

def test_delivery_report_is_for_lanekassen_only(published, client_for, bank_admin, bits_user):
    notice = published()
    url = reverse("notices:deliveries", args=[notice.reference])
    assert client_for(bank_admin).get(url).status_code == 404
    assert client_for(bits_user).get(url).status_code == 404


def test_delivery_report_shows_each_recipient_and_channel_and_resends_failed(
        published, client_for, lk_user):
    notice = published()
    failed = deliveries_of(notice).filter(channel="email").first()
    OutboxMessage.objects.filter(pk=failed.outbox_id).update(
        status="failed", last_error="SMTPRecipientsRefused: 550 ukjent mottaker")
    c = client_for(lk_user)
    html = c.get(reverse("notices:deliveries", args=[notice.reference])).content.decode()
    assert "550 ukjent mottaker" in html
    assert failed.address in html
    assert "Send 1 feilet leveranse på nytt" in html
    failed_only = c.get(reverse("notices:deliveries", args=[notice.reference]),
                        {"status": "failed"}).content.decode()
    assert failed_only.count("delivery-failed") == 1

    c.post(reverse("notices:resend", args=[notice.reference]))
    failed.refresh_from_db()
    assert failed.outbox.status == "pending"


# --- feeds ---------------------------------------------------------------------------------

def _feed_urls(client):
    html = client.post(reverse("notices:subscriptions")).content.decode()
    atom = re.search(r'id="atom-url" readonly value="([^"]+)"', html).group(1)
    ical = re.search(r'id="ical-url" readonly value="([^"]+)"', html).group(1)
    return atom, ical


def test_feed_token_is_shown_once_and_only_its_hash_is_kept(client_for, bank_member):
    c = client_for(bank_member)
    atom, _ical = _feed_urls(c)
    token = atom.split("/feed/")[1].split("/")[0]
    assert not FeedToken.objects.filter(token_hash=token).exists()
    assert token not in c.get(reverse("notices:subscriptions")).content.decode()


def test_atom_feed_shows_only_the_users_notices_without_login(published, make_notice, lk_user,
                                                              client_for, bank_member,
                                                              other_bank_member):
    notice = published()
    atom, _ = _feed_urls(client_for(bank_member))
    anonymous = client_for(None)
    response = anonymous.get(atom)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    body = response.content.decode()
    assert notice.reference in body and "<feed" in body
    # The other bank's feed does not have it.
    other_atom, _ = _feed_urls(client_for(other_bank_member))
    assert notice.reference not in anonymous.get(other_atom).content.decode()


def test_wrong_or_regenerated_token_gets_404(client_for, bank_member):
    c = client_for(bank_member)
    atom, ical = _feed_urls(c)
    anonymous = client_for(None)
    assert anonymous.get(atom).status_code == 200
    assert anonymous.get(atom.replace("/feed/", "/feed/x")).status_code == 404
    new_atom, new_ical = _feed_urls(c)
    assert anonymous.get(atom).status_code == 404
    assert anonymous.get(ical).status_code == 404
    assert anonymous.get(new_atom).status_code == 200
    assert anonymous.get(new_ical).status_code == 200


def test_feed_token_of_a_deactivated_user_stops_working(client_for, bank_member):
    atom, _ = _feed_urls(client_for(bank_member))
    bank_member.is_active = False
    bank_member.save()
    assert client_for(None).get(atom).status_code == 404


def test_calendar_feed_has_each_maintenance_window(published, client_for, bank_member, lk_user,
                                                   django_capture_on_commit_callbacks):
    maintenance = published(kind="maintenance", title="Oppgradering, database; natt")
    cancelled = published(kind="maintenance", title="Avlyst vedlikehold")
    services.notice_cancel(notice=cancelled, by=lk_user)
    published()  # a fault: not in the calendar
    _, ical = _feed_urls(client_for(bank_member))
    response = client_for(None).get(ical)
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert body.count("BEGIN:VEVENT") == 2
    start = maintenance.window_start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    assert f"DTSTART:{start}" in body
    assert "SUMMARY:" + maintenance.reference + r" Oppgradering\, database\; natt" in body
    assert "STATUS:CANCELLED" in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


# --- webhooks -----------------------------------------------------------------------------------

def test_bank_admin_registers_a_webhook_and_sees_the_secret_once(client_for, bank_admin):
    c = client_for(bank_admin)
    response = c.post(reverse("notifications:webhooks"),
                      {"url": "http://127.0.0.1:9/hook", "description": "Overvåking"})
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0")
    assert endpoint.secret.startswith("whsec_")
    assert endpoint.secret not in c.get(reverse("notifications:webhooks")).content.decode()
    assert endpoint.secret not in c.get(
        reverse("notifications:webhook_detail", args=[endpoint.pk])).content.decode()


def test_bank_member_and_other_bank_cannot_see_webhooks(client_for, bank_admin, bank_member,
                                                        other_bank):
    from tests.factories import member_of

    endpoint, _ = channels.webhook_register(by=bank_admin, url="http://127.0.0.1:9/hook")
    other_admin = member_of(other_bank, role="admin", email="admin@bank-b.example.com")
    assert client_for(bank_member).get(reverse("notifications:webhooks")).status_code == 404
    assert client_for(other_admin).get(
        reverse("notifications:webhook_detail", args=[endpoint.pk])).status_code == 404
    assert client_for(other_admin).post(
        reverse("notifications:webhook_deactivate", args=[endpoint.pk])).status_code == 404
    endpoint.refresh_from_db()
    assert endpoint.is_active


@pytest.mark.parametrize("url, allow_loopback, message", [
    ("http://hooks.bank.example/x", True, "Webhooken må bruke https."),
    ("http://hooks.bank.example/x", False, "Webhooken må bruke https."),
    ("http://127.0.0.1:8080/x", False, "Webhooken må bruke https."),
    ("https://127.0.0.1/x", False, "Webhooken må ligge på en offentlig adresse."),
    ("https://10.1.2.3/x", False, "Webhooken må ligge på en offentlig adresse."),
    ("https://user:pw@hooks.bank.example/x", False, "brukernavn eller passord"),
])
def test_webhook_url_rules(client_for, bank_admin, settings, url, allow_loopback, message):
    settings.NOTIFICATIONS_WEBHOOK_ALLOW_HTTP_LOOPBACK = allow_loopback
    response = client_for(bank_admin).post(reverse("notifications:webhooks"), {"url": url})
    assert message in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_https_webhook_is_accepted_in_production(client_for, bank_admin, settings):
    settings.NOTIFICATIONS_WEBHOOK_ALLOW_HTTP_LOOPBACK = False
    client_for(bank_admin).post(reverse("notifications:webhooks"),
                                {"url": "https://hooks.bank.example/saldo"})
    assert WebhookEndpoint.objects.get().url == "https://hooks.bank.example/saldo"


# --- links from error reports -------------------------------------------------------------------

@pytest.fixture
def error_report(bank_member):
    from incidents.services import incident_report

    return incident_report(by=bank_member, environment="production", severity="high",
                           occurred_at=timezone.now(), request_ids=["req-1"],
                           summary="500 fra API-et", description="Alle kall feiler.")


def link(client, report, notice):
    return client.post(reverse("notices:link_add"), {
        "target": f"incident:{report.reference}", "notice": notice.reference,
        "next": report.get_absolute_url()})


def test_bits_links_a_notice_to_an_error_report_and_the_bank_sees_it_there(
        published, client_for, bits_user, bank_member, error_report):
    notice = published()
    other = published(title="Et annet avvik")
    response = link(client_for(bits_user), error_report, notice)
    assert response["Location"] == error_report.get_absolute_url()

    # On the error report's own page, as each of them sees it.
    html = client_for(bank_member).get(error_report.get_absolute_url()).content.decode()
    assert notice.reference in html and notice.get_absolute_url() in html
    assert "Lenk til en driftsmelding" not in html  # the bank cannot link
    for_bits = client_for(bits_user).get(error_report.get_absolute_url()).content.decode()
    assert "Lenk til en driftsmelding" in for_bits
    assert f'value="incident:{error_report.reference}"' in for_bits
    assert f'<option value="{other.reference}">' in for_bits
    assert f'<option value="{notice.reference}">' not in for_bits  # already linked


def test_lanekassen_linking_to_an_error_report_it_may_not_see_gets_404_and_links_nothing(
        published, client_for, lk_user, bits_user, bank_member, error_report):
    """An error report reaches Lånekassen only when Bits escalates it; before that, a link
    from Lånekassen would show the notice to the report's bank through a case Lånekassen has
    no business with."""
    from incidents.services import incident_escalate, incident_take

    notice = published(environments=["test"])  # no bank has test access: Bits only
    assert client_for(bank_member).get(notice.get_absolute_url()).status_code == 404

    assert link(client_for(lk_user), error_report, notice).status_code == 404
    assert not NoticeLink.objects.exists()
    assert not notice.recipients.filter(reason="linked").exists()
    assert client_for(bank_member).get(notice.get_absolute_url()).status_code == 404

    report = incident_take(report=error_report, by=bits_user)
    report = incident_escalate(report=report, by=bits_user, note="Feil i API-et.")
    assert link(client_for(lk_user), report, notice).status_code == 302
    assert NoticeLink.objects.get().target == report
    assert notice.recipients.get(reason="linked").organisation == report.organisation
    assert client_for(bank_member).get(notice.get_absolute_url()).status_code == 200


def test_bank_cannot_link_and_unknown_case_types_are_refused(published, client_for, bank_member,
                                                             bits_user, error_report):
    notice = published()
    assert link(client_for(bank_member), error_report, notice).status_code == 404
    for target in ("notice:" + notice.reference, "onboarding:OB-2026-0001", "nokka:FM-1",
                   "incident:FM-2099-9999", "incident:", "12:34"):
        response = client_for(bits_user).post(reverse("notices:link_add"), {
            "target": target, "notice": notice.reference})
        assert response.status_code == 404, target
    assert not NoticeLink.objects.exists()
