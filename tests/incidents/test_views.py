"""Error report pages over the personas: who sees what, who may do what, and what a person is
told when something goes wrong. Later states are built by calling the services."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from casework.models import Attachment, AuditEvent, Message
from incidents import services
from incidents.models import ErrorReport, Status
from tests.factories import member_of

V = Message.Visibility
MFA_ACTIVATE = "/accounts/2fa/totp/activate/"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120

LABELS = {
    "take": "Ta saken",
    "request_info": "Be banken om mer informasjon",
    "escalate": "Eskaler til Lånekassen",
    "mark_fixed": "Marker som rettet",
    "resolve": "Løs saken",
    "confirm": "Bekreft at feilen er løst",
    "reopen": "Gjenåpne saken",
}


# --- helpers --------------------------------------------------------------------------------

def report_by(user, **overrides):
    data = {"environment": "test", "severity": "high",
            "occurred_at": timezone.now() - timedelta(hours=2), "request_ids": ["req-abc-1"],
            "summary": "401 på alle kall", "description": "Alle kall mot Saldo feiler."}
    data.update(overrides)
    return services.incident_report(by=user, **data)


def escalated(report, bits):
    services.incident_take(report=report, by=bits)
    return services.incident_escalate(report=report, by=bits, note="Se på tokenvalideringen.")


def in_status(status, *, reporter, bits, lk):
    """A report by `reporter` brought to `status` through the services."""
    report = report_by(reporter)
    if status == Status.NEW:
        return report
    if status == Status.IN_PROGRESS:
        return services.incident_take(report=report, by=bits)
    if status == Status.AWAITING_BANK:
        return services.incident_request_info(report=report, by=bits, message="Hvilken bank-ID?")
    report = escalated(report, bits)
    if status == Status.ESCALATED:
        return report
    report = services.incident_mark_fixed(report=report, by=lk, explanation="Nøkkel rullert.")
    if status == Status.FIXED:
        return report
    report = services.incident_resolve(report=report, by=bits, guidance="Prøv igjen nå.")
    if status == Status.RESOLVED:
        return report
    return services.incident_confirm(report=report, by=reporter)


def offered_actions(response):
    """The labels of the transition buttons on a case page."""
    html = response.content.decode()
    return set(re.findall(r'name="action" value="\w+">([^<]+)</button>', html))


def text_of(response):
    return response.content.decode()


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def report(bank_member):
    return report_by(bank_member)


@pytest.fixture
def bits_without_totp(bits_org):
    return member_of(bits_org, email="ny@bits.example.com")


@pytest.fixture
def lk_without_totp(lanekassen_org):
    return member_of(lanekassen_org, email="ny@lanekassen.example.com")


def persona(request, name):
    return None if name == "anonymous" else request.getfixturevalue(name)


# --- dashboard ------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["bank_member", "bank_admin", "other_bank_member", "bits_user",
                                 "lk_user"])
def test_dashboard_renders_for_every_persona(request, who, client_for, report):
    response = client_for(persona(request, who)).get("/")
    assert response.status_code == 200
    assert "Åpne feilmeldinger" in text_of(response)


def dashboard_count(response, card):
    """A count on the error reports' home panel (registered by the incidents app)."""
    [panel] = [p for p in response.context["panels"] if p.get("key") == "incident"]
    return next(c["count"] for c in panel["cards"] if c["key"] == card)


def test_dashboard_counts_only_what_the_viewer_may_see(client_for, report, bank_member,
                                                       other_bank_member, lk_user):
    assert dashboard_count(client_for(bank_member).get("/"), "open") == 1
    assert dashboard_count(client_for(other_bank_member).get("/"), "open") == 0
    lk = client_for(lk_user).get("/")
    assert dashboard_count(lk, "open") == 0
    assert report.reference not in text_of(lk)


def test_dashboard_shows_bits_the_new_reports(client_for, report, bits_user):
    response = client_for(bits_user).get("/")
    assert dashboard_count(response, "new") == 1
    assert report.reference in text_of(response)


def test_anonymous_is_sent_to_login_from_dashboard(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- anonymous and MFA -----------------------------------------------------------------------

def case_urls(report, attachment_pk=None):
    urls = ["/", "/feilmeldinger/", "/feilmeldinger/ny/", "/feilmeldinger/eksport.csv",
            f"/feilmeldinger/{report.reference}/", "/varsler/"]
    if attachment_pk:
        urls.append(f"/feilmeldinger/{report.reference}/vedlegg/{attachment_pk}/")
    return urls


def post_urls(report):
    return [f"/feilmeldinger/{report.reference}/handling/take/",
            f"/feilmeldinger/{report.reference}/alvorlighet/",
            f"/feilmeldinger/{report.reference}/melding/"]


def test_anonymous_is_redirected_to_login_from_every_case_page(client, bank_member):
    report = report_by(bank_member, files=[SimpleUploadedFile("logg.txt", b"feil\n")])
    attachment = Attachment.objects.get()
    for url in case_urls(report, attachment.pk):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next="), url
    for url in post_urls(report):
        response = client.post(url, {"text": "x", "body": "x", "severity": "low"})
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url
    assert ErrorReport.objects.get().status == Status.NEW


@pytest.mark.parametrize("who", ["bits_without_totp", "lk_without_totp"])
def test_staff_without_totp_are_sent_to_mfa_activation_from_every_case_page(
        request, who, client_for, bank_member, bits_user):
    report = escalated(report_by(bank_member,
                                 files=[SimpleUploadedFile("logg.txt", b"feil\n")]), bits_user)
    attachment = Attachment.objects.get()
    client = client_for(request.getfixturevalue(who))
    for url in case_urls(report, attachment.pk) + ["/konto/invitasjoner/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == MFA_ACTIVATE, url
    for url in post_urls(report):
        response = client.post(url, {"text": "x", "body": "x", "severity": "low"})
        assert response.status_code == 302, url
        assert response["Location"] == MFA_ACTIVATE, url
    assert not Message.objects.filter(body="x").exists()


@pytest.mark.parametrize("who", ["bits_user", "lk_user"])
def test_staff_with_totp_get_through_to_case_pages(request, who, client_for, bank_member,
                                                    bits_user):
    report = escalated(report_by(bank_member), bits_user)
    client = client_for(request.getfixturevalue(who))
    for url in ["/", "/feilmeldinger/", f"/feilmeldinger/{report.reference}/",
                "/feilmeldinger/eksport.csv", "/varsler/"]:
        assert client.get(url).status_code == 200, url


def test_mfa_activation_is_reachable_without_totp(client_for, bits_without_totp):
    # allauth asks for the password again before a second factor is added; no redirect loop.
    response = client_for(bits_without_totp).get(MFA_ACTIVATE, follow=True)
    assert response.status_code == 200
    assert all(url.startswith("/accounts/") for url, _ in response.redirect_chain)


# --- list: scope, filters, search, paging -----------------------------------------------------

def test_bank_member_sees_only_own_bank_reports_in_list(client_for, bank_member, bank_admin,
                                                        other_bank_member):
    own = report_by(bank_member, summary="Vår feil")
    theirs = report_by(other_bank_member, summary="Deres feil")
    for user in (bank_member, bank_admin):
        body = text_of(client_for(user).get("/feilmeldinger/"))
        assert own.reference in body
        assert theirs.reference not in body and "Deres feil" not in body


def test_other_bank_does_not_see_report_in_list(client_for, report, other_bank_member):
    response = client_for(other_bank_member).get("/feilmeldinger/")
    assert response.status_code == 200
    assert report.reference not in text_of(response)
    assert response.context["page"].paginator.count == 0


def test_lanekassen_sees_report_in_list_only_once_escalated(client_for, report, bits_user,
                                                             lk_user):
    assert report.reference not in text_of(client_for(lk_user).get("/feilmeldinger/"))
    escalated(report, bits_user)
    assert report.reference in text_of(client_for(lk_user).get("/feilmeldinger/"))


def test_bits_sees_every_bank_in_the_queue(client_for, bits_user, bank_member,
                                           other_bank_member):
    a = report_by(bank_member)
    b = report_by(other_bank_member)
    body = text_of(client_for(bits_user).get("/feilmeldinger/"))
    assert a.reference in body and b.reference in body
    assert "Kø: feilmeldinger" in body


def test_list_filters_by_status_severity_and_environment(client_for, bits_user, bank_member):
    critical = report_by(bank_member, severity="critical", environment="production")
    low = report_by(bank_member, severity="low", environment="test")
    services.incident_take(report=low, by=bits_user)
    client = client_for(bits_user)

    def refs(query):
        page = client.get("/feilmeldinger/", query).context["page"]
        return {r.reference for r in page.object_list}

    assert refs({"severity": "critical"}) == {critical.reference}
    assert refs({"environment": "test"}) == {low.reference}
    assert refs({"status": "in_progress"}) == {low.reference}
    assert refs({"status": "new"}) == {critical.reference}
    assert refs({"status": "open"}) == {critical.reference, low.reference}
    assert refs({"status": "closed"}) == set()


def test_bits_filters_by_organisation(client_for, bits_user, bank_member, other_bank_member,
                                      other_bank):
    report_by(bank_member)
    theirs = report_by(other_bank_member)
    page = client_for(bits_user).get("/feilmeldinger/",
                                     {"organisation": other_bank.pk}).context["page"]
    assert [r.reference for r in page.object_list] == [theirs.reference]


def test_bank_cannot_widen_its_list_with_an_organisation_filter(client_for, bank_member,
                                                                other_bank_member, other_bank):
    theirs = report_by(other_bank_member)
    response = client_for(bank_member).get("/feilmeldinger/", {"organisation": other_bank.pk})
    assert "organisation" not in response.context["form"].fields
    assert theirs.reference not in text_of(response)


@pytest.mark.parametrize("field", ["reference", "summary", "description"])
def test_list_search_finds_by_reference_summary_and_description(client_for, bank_member, field):
    wanted = report_by(bank_member, summary="Tidsavbrudd mot API",
                       description="Kallet henger i 30 sekunder med Zebra-feil.")
    report_by(bank_member, summary="Feil saldo", description="Beløpet stemmer ikke.")
    q = {"reference": wanted.reference, "summary": "tidsavbrudd", "description": "zebra"}[field]
    page = client_for(bank_member).get("/feilmeldinger/", {"q": q}).context["page"]
    assert [r.reference for r in page.object_list] == [wanted.reference]


def test_an_invalid_filter_value_does_not_drop_the_search(client_for, bits_user, bank_member):
    wanted = report_by(bank_member, summary="Tidsavbrudd mot API", severity="critical")
    report_by(bank_member, summary="Feil saldo")
    client = client_for(bits_user)
    response = client.get("/feilmeldinger/", {"q": "tidsavbrudd", "status": "tull"})
    assert response.status_code == 200
    assert [r.reference for r in response.context["page"].object_list] == [wanted.reference]
    rows = export_rows(client.get("/feilmeldinger/eksport.csv",
                                  {"severity": "critical", "organisation": "tull"}))
    assert [row[0] for row in rows[1:]] == [wanted.reference]


def test_list_pages_by_25_and_keeps_the_filter_in_page_links(client_for, bank_member):
    for i in range(27):
        report_by(bank_member, summary=f"Feil nummer {i}", severity="low")
    client = client_for(bank_member)
    first = client.get("/feilmeldinger/", {"severity": "low"})
    assert len(first.context["rows"]) == 25
    assert first.context["page"].paginator.num_pages == 2
    assert "?severity=low&amp;side=2" in text_of(first)
    second = client.get("/feilmeldinger/", {"severity": "low", "side": "2"})
    assert len(second.context["rows"]) == 2
    assert "Side 2 av 2" in text_of(second)


def test_list_with_a_page_out_of_range_shows_the_last_page(client_for, report, bank_member):
    response = client_for(bank_member).get("/feilmeldinger/", {"side": "99"})
    assert response.status_code == 200
    assert report.reference in text_of(response)


# --- export ---------------------------------------------------------------------------------

def export_rows(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_bits_exports_every_bank_to_csv(client_for, bits_user, bank_member, other_bank_member):
    a = report_by(bank_member)
    b = report_by(other_bank_member, summary="=HYPERLINK(\"x\")")
    response = client_for(bits_user).get("/feilmeldinger/eksport.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    rows = export_rows(response)
    assert rows[0][0] == "Referanse"
    by_ref = {row[0]: row for row in rows[1:]}
    assert set(by_ref) == {a.reference, b.reference}
    assert by_ref[b.reference][5].startswith("'=")  # a formula is exported as text


def test_export_follows_the_list_filter(client_for, bits_user, bank_member):
    report_by(bank_member, severity="low")
    critical = report_by(bank_member, severity="critical")
    rows = export_rows(client_for(bits_user).get("/feilmeldinger/eksport.csv",
                                                 {"severity": "critical"}))
    assert [row[0] for row in rows[1:]] == [critical.reference]


def test_lanekassen_exports_only_escalated_reports(client_for, bits_user, lk_user, bank_member):
    quiet = report_by(bank_member)
    sent = escalated(report_by(bank_member), bits_user)
    rows = export_rows(client_for(lk_user).get("/feilmeldinger/eksport.csv"))
    refs = [row[0] for row in rows[1:]]
    assert refs == [sent.reference]
    assert quiet.reference not in refs


@pytest.mark.parametrize("who", ["bank_member", "bank_admin", "other_bank_member"])
def test_bank_gets_404_on_export(request, who, client_for, report):
    response = client_for(request.getfixturevalue(who)).get("/feilmeldinger/eksport.csv")
    assert response.status_code == 404


def test_list_offers_export_only_to_bits_and_lanekassen(client_for, bank_member, bits_user,
                                                        lk_user):
    assert "Eksporter til CSV" not in text_of(client_for(bank_member).get("/feilmeldinger/"))
    assert "Eksporter til CSV" in text_of(client_for(bits_user).get("/feilmeldinger/"))
    assert "Eksporter til CSV" in text_of(client_for(lk_user).get("/feilmeldinger/"))


# --- create ---------------------------------------------------------------------------------

def valid_form(**overrides):
    data = {"environment": "production", "severity": "critical",
            "occurred_at": timezone.localtime(timezone.now() - timedelta(hours=1)).strftime(
                "%Y-%m-%dT%H:%M"),
            "request_ids": "req-1\nreq-2", "summary": "Saldo mangler renter",
            "description": "Renter vises ikke for kunden."}
    data.update(overrides)
    return data


@pytest.mark.parametrize("who", ["bank_member", "bank_admin"])
def test_bank_user_reports_an_error(request, who, client_for):
    user = request.getfixturevalue(who)
    client = client_for(user)
    assert client.get("/feilmeldinger/ny/").status_code == 200
    response = client.post("/feilmeldinger/ny/", valid_form(), follow=True)
    report = ErrorReport.objects.get()
    assert response.redirect_chain[-1][0] == f"/feilmeldinger/{report.reference}/"
    assert report.reported_by == user
    assert report.request_ids == ["req-1", "req-2"]
    assert report.severity == "critical" and report.environment == "production"
    assert re.fullmatch(r"FM-\d{4}-\d{4}", report.reference)
    assert f"Feilmeldingen er registrert som {report.reference}." in messages_of(response)


@pytest.mark.parametrize("who", ["bits_user", "lk_user"])
def test_bits_and_lanekassen_cannot_open_the_report_form(request, who, client_for):
    client = client_for(request.getfixturevalue(who))
    assert client.get("/feilmeldinger/ny/").status_code == 404
    assert client.post("/feilmeldinger/ny/", valid_form()).status_code == 404
    assert not ErrorReport.objects.exists()


@pytest.mark.parametrize(("change", "field", "error"), [
    ({"request_ids": ""}, "request_ids", "Feltet er påkrevet."),
    ({"request_ids": " \n , "}, "request_ids", "Oppgi minst én X-Request-Id."),
    ({"request_ids": "ok-1\nikke gyldig<script>"}, "request_ids", "Ugyldig X-Request-Id"),
    ({"occurred_at": "2999-01-01T10:00"}, "occurred_at",
     "Tidspunktet kan ikke være i fremtiden."),
    ({"occurred_at": "i går"}, "occurred_at", "Oppgi gyldig dato og tidspunkt"),
    ({"summary": ""}, "summary", "Feltet er påkrevet."),
    ({"environment": "staging"}, "environment", "Velg et gyldig valg."),
])
def test_invalid_report_form_keeps_input_and_says_what_is_wrong(client_for, bank_member, change,
                                                               field, error):
    data = valid_form(**change)
    response = client_for(bank_member).post("/feilmeldinger/ny/", data)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert any(error in e for e in form.errors[field])
    body = text_of(response)
    assert error in body
    assert "<script>" not in body
    # What the person typed is still there.
    if change.get("summary", None) != "":
        assert "Saldo mangler renter" in body
    assert "Renter vises ikke for kunden." in body
    assert not ErrorReport.objects.exists()
    assert not AuditEvent.objects.exists()


def test_invalid_report_form_shows_the_typed_request_ids_escaped(client_for, bank_member):
    response = client_for(bank_member).post(
        "/feilmeldinger/ny/", valid_form(request_ids="ok-1\nikke<script>", severity="low"))
    body = text_of(response)
    assert "ok-1\nikke&lt;script&gt;</textarea>" in body
    assert "Ugyldig X-Request-Id: ikke&lt;script&gt;" in body
    assert '<option value="low" selected>' in body


def test_report_with_attachments_stores_them_checked_by_content(client_for, bank_member):
    files = [SimpleUploadedFile("skjermbilde.txt", PNG, content_type="text/plain"),
             SimpleUploadedFile("server.log", b"2026-01-01 ERROR 401\n")]
    response = client_for(bank_member).post("/feilmeldinger/ny/",
                                            valid_form(attachments=files))
    assert response.status_code == 302
    by_name = {a.filename: a for a in Attachment.objects.all()}
    # Named by its content's type too (issue 14): a PNG called .txt gets .png.
    assert by_name["skjermbilde.txt.png"].mime_type == "image/png"
    assert by_name["server.log"].mime_type == "text/plain"


def test_report_with_an_executable_attachment_is_refused_and_nothing_saved(client_for,
                                                                           bank_member):
    files = [SimpleUploadedFile("bilde.png", ELF, content_type="image/png"),
             SimpleUploadedFile("ok.log", b"ok\n")]
    response = client_for(bank_member).post("/feilmeldinger/ny/",
                                            valid_form(attachments=files))
    assert response.status_code == 200
    assert "«bilde.png» har en filtype som ikke er tillatt" in text_of(response)
    assert "attachments" in response.context["form"].errors
    assert "Saldo mangler renter" in text_of(response)
    assert not ErrorReport.objects.exists()
    assert not Attachment.objects.exists()


def test_report_with_an_attachment_over_10_mb_is_refused(client_for, bank_member):
    big = SimpleUploadedFile("stor.log", b"a" * (10 * 1024 * 1024 + 1))
    response = client_for(bank_member).post("/feilmeldinger/ny/", valid_form(attachments=[big]))
    assert response.status_code == 200
    assert "«stor.log» er større enn 10 MB." in text_of(response)
    assert not ErrorReport.objects.exists()
    assert not Attachment.objects.exists()


# --- detail ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("who", "status"), [
    ("bank_member", 200), ("bank_admin", 200), ("other_bank_member", 404), ("bits_user", 200),
    ("lk_user", 404),
])
def test_detail_of_a_new_report_per_persona(request, who, status, client_for, report):
    response = client_for(request.getfixturevalue(who)).get(report.get_absolute_url())
    assert response.status_code == status
    if status == 200:
        assert report.summary in text_of(response)
        assert "req-abc-1" in text_of(response)


def test_other_bank_gets_404_on_incident_detail(client_for, report, other_bank_member):
    response = client_for(other_bank_member).get(report.get_absolute_url())
    assert response.status_code == 404
    assert report.summary not in text_of(response)


def test_lanekassen_gets_404_on_detail_until_escalated(client_for, report, bits_user, lk_user):
    client = client_for(lk_user)
    assert client.get(report.get_absolute_url()).status_code == 404
    report = services.incident_take(report=report, by=bits_user)
    assert client.get(report.get_absolute_url()).status_code == 404
    services.incident_escalate(report=report, by=bits_user, note="Se på dette")
    assert client.get(report.get_absolute_url()).status_code == 200


def test_unknown_reference_gets_404(client_for, bits_user):
    assert client_for(bits_user).get("/feilmeldinger/FM-2000-9999/").status_code == 404


@pytest.mark.parametrize(("status", "who", "offered"), [
    (Status.NEW, "bits_user", {"take", "request_info", "escalate", "resolve"}),
    (Status.NEW, "bank_member", set()),
    (Status.NEW, "bank_admin", set()),
    (Status.IN_PROGRESS, "bits_user", {"request_info", "escalate", "resolve"}),
    (Status.IN_PROGRESS, "bank_member", set()),
    (Status.AWAITING_BANK, "bits_user", set()),
    (Status.AWAITING_BANK, "bank_member", set()),
    (Status.ESCALATED, "bits_user", set()),
    (Status.ESCALATED, "lk_user", {"mark_fixed"}),
    (Status.ESCALATED, "bank_member", set()),
    (Status.FIXED, "bits_user", {"resolve"}),
    (Status.FIXED, "lk_user", set()),
    (Status.FIXED, "bank_member", set()),
    (Status.RESOLVED, "bank_member", {"confirm", "reopen"}),
    (Status.RESOLVED, "bank_admin", {"confirm", "reopen"}),
    (Status.RESOLVED, "bits_user", set()),
    (Status.RESOLVED, "lk_user", set()),
    (Status.CLOSED, "bank_member", set()),
    (Status.CLOSED, "bits_user", set()),
])
def test_detail_offers_only_the_transitions_the_viewer_may_perform(
        request, status, who, offered, client_for, bank_member, bits_user, lk_user):
    report = in_status(status, reporter=bank_member, bits=bits_user, lk=lk_user)
    assert report.status == status
    response = client_for(request.getfixturevalue(who)).get(report.get_absolute_url())
    assert response.status_code == 200
    assert offered_actions(response) == {LABELS[name] for name in offered}
    if not offered:
        assert "Handlinger" not in text_of(response)


def test_bank_waiting_for_is_told_to_answer(client_for, bank_member, bits_user, lk_user):
    report = in_status(Status.AWAITING_BANK, reporter=bank_member, bits=bits_user, lk=lk_user)
    body = text_of(client_for(bank_member).get(report.get_absolute_url()))
    assert "Bits venter på svar fra dere" in body
    assert "Send svar" in body


def test_reclassify_form_is_shown_to_bits_only(client_for, report, bank_member, bits_user,
                                               lk_user):
    escalated(report, bits_user)
    assert "Lagre alvorlighet" in text_of(client_for(bits_user).get(report.get_absolute_url()))
    for user in (bank_member, lk_user):
        assert "Lagre alvorlighet" not in text_of(client_for(user).get(report.get_absolute_url()))


def test_timeline_hides_internal_notes_from_the_bank(client_for, report, bank_member, bits_user,
                                                     lk_user):
    report = escalated(report, bits_user)
    services.incident_comment(report=report, by=bits_user, body="Svar til banken",
                              visibility=V.PUBLIC)
    services.incident_comment(report=report, by=bits_user, body="Bare for Bits",
                              visibility=V.BITS)
    services.incident_comment(report=report, by=lk_user, body="Bare for Lånekassen",
                              visibility=V.LANEKASSEN)
    services.incident_comment(report=report, by=lk_user, body="Mellom Bits og Lånekassen",
                              visibility=V.INTERNAL)
    seen = {}
    for name, user in {"bank": bank_member, "bits": bits_user, "lk": lk_user}.items():
        body = text_of(client_for(user).get(report.get_absolute_url()))
        seen[name] = {t for t in ("Svar til banken", "Bare for Bits", "Bare for Lånekassen",
                                  "Mellom Bits og Lånekassen", "Se på tokenvalideringen.")
                      if t in body}
    assert seen["bank"] == {"Svar til banken"}
    assert seen["bits"] == {"Svar til banken", "Bare for Bits", "Mellom Bits og Lånekassen",
                            "Se på tokenvalideringen."}
    assert seen["lk"] == {"Svar til banken", "Bare for Lånekassen",
                          "Mellom Bits og Lånekassen", "Se på tokenvalideringen."}


def test_timeline_shows_status_changes_with_who(client_for, report, bank_member, bits_user):
    services.incident_take(report=report, by=bits_user)
    body = text_of(client_for(bank_member).get(report.get_absolute_url()))
    assert str(bits_user) in body
    assert "Under behandling hos Bits" in body


# --- actions --------------------------------------------------------------------------------

def action_url(report, action):
    return f"/feilmeldinger/{report.reference}/handling/{action}/"


def test_bits_takes_a_report(client_for, report, bits_user):
    response = client_for(bits_user).post(action_url(report, "take"), follow=True)
    report.refresh_from_db()
    assert report.status == Status.IN_PROGRESS
    assert report.assignee == bits_user
    assert "Utført: Ta saken." in messages_of(response)
    assert AuditEvent.objects.filter(verb="taken", actor=bits_user).exists()


def test_action_that_needs_text_without_text_says_so_and_changes_nothing(client_for, report,
                                                                         bits_user):
    response = client_for(bits_user).post(action_url(report, "escalate"), {"text": "  "},
                                          follow=True)
    assert response.status_code == 200
    assert "Fyll ut teksten før du velger «Eskaler til Lånekassen»." in messages_of(response)
    report.refresh_from_db()
    assert report.status == Status.NEW


def test_full_process_through_the_action_views(client_for, report, bank_member, bits_user,
                                               lk_user):
    bits, lk, bank = client_for(bits_user), client_for(lk_user), client_for(bank_member)
    assert bits.post(action_url(report, "take")).status_code == 302
    bits.post(action_url(report, "escalate"), {"text": "Sjekk nøkkelen"})
    lk.post(action_url(report, "mark_fixed"), {"text": "Nøkkelen er rullert"})
    bits.post(action_url(report, "resolve"), {"text": "Prøv igjen"})
    report.refresh_from_db()
    assert report.status == Status.RESOLVED
    bank.post(action_url(report, "confirm"))
    report.refresh_from_db()
    assert report.status == Status.CLOSED
    verbs = list(AuditEvent.objects.order_by("pk").values_list("verb", flat=True))
    assert verbs == ["reported", "taken", "escalated", "fixed", "resolved", "confirmed"]


def test_bank_reopens_with_a_reason(client_for, bank_member, bits_user, lk_user):
    report = in_status(Status.RESOLVED, reporter=bank_member, bits=bits_user, lk=lk_user)
    client_for(bank_member).post(action_url(report, "reopen"), {"text": "Feiler fortsatt"})
    report.refresh_from_db()
    assert report.status == Status.IN_PROGRESS
    assert Message.objects.filter(body="Feiler fortsatt", visibility=V.PUBLIC).exists()


def test_transition_no_longer_allowed_gives_a_message_and_changes_nothing(
        client_for, report, bits_user, bits_org):
    colleague = member_of(bits_org, totp=True, email="kollega@bits.example.com")
    page = client_for(bits_user).get(report.get_absolute_url())
    assert LABELS["take"] in offered_actions(page)
    escalated(report, colleague)  # the colleague was quicker
    events_before = AuditEvent.objects.count()
    response = client_for(bits_user).post(action_url(report, "take"), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == report.get_absolute_url()
    assert any("Saken har endret status i mellomtiden (nå: Hos Lånekassen)" in m
               for m in messages_of(response))
    report.refresh_from_db()
    assert report.status == Status.ESCALATED
    assert report.assignee == colleague
    assert AuditEvent.objects.count() == events_before


def test_bank_cannot_perform_a_bits_transition(client_for, report, bank_member):
    response = client_for(bank_member).post(action_url(report, "resolve"), {"text": "Løst!"},
                                            follow=True)
    assert response.status_code == 200
    assert "Du har ikke lov til å gjøre dette på denne saken." in messages_of(response)
    report.refresh_from_db()
    assert report.status == Status.NEW


def test_unknown_action_gets_404(client_for, report, bits_user):
    assert client_for(bits_user).post(action_url(report, "delete")).status_code == 404


def test_action_needs_post(client_for, report, bits_user):
    assert client_for(bits_user).get(action_url(report, "take")).status_code == 405
    report.refresh_from_db()
    assert report.status == Status.NEW


def test_other_bank_gets_404_on_action(client_for, bank_member, other_bank_member, bits_user,
                                       lk_user):
    report = in_status(Status.RESOLVED, reporter=bank_member, bits=bits_user, lk=lk_user)
    response = client_for(other_bank_member).post(action_url(report, "reopen"),
                                                  {"text": "Ikke løst"})
    assert response.status_code == 404
    report.refresh_from_db()
    assert report.status == Status.RESOLVED


def test_lanekassen_gets_404_on_action_until_escalated(client_for, report, bits_user, lk_user):
    services.incident_take(report=report, by=bits_user)
    response = client_for(lk_user).post(action_url(report, "mark_fixed"), {"text": "Rettet"})
    assert response.status_code == 404
    report.refresh_from_db()
    assert report.status == Status.IN_PROGRESS


# --- reclassify -----------------------------------------------------------------------------

def reclassify_url(report):
    return f"/feilmeldinger/{report.reference}/alvorlighet/"


def test_bits_reclassifies_severity(client_for, report, bits_user):
    response = client_for(bits_user).post(reclassify_url(report),
                                          {"severity": "critical", "reason": "Prod nede"},
                                          follow=True)
    report.refresh_from_db()
    assert report.severity == "critical"
    assert "Alvorlighetsgraden er oppdatert." in messages_of(response)
    event = AuditEvent.objects.get(verb="reclassified")
    assert event.data == {"from": "high", "to": "critical", "reason": "Prod nede"}


def test_reclassify_with_unknown_severity_says_so(client_for, report, bits_user):
    response = client_for(bits_user).post(reclassify_url(report), {"severity": "apocalyptic"},
                                          follow=True)
    assert "Velg en gyldig alvorlighetsgrad." in messages_of(response)
    report.refresh_from_db()
    assert report.severity == "high"


@pytest.mark.parametrize("who", ["bank_member", "lk_user"])
def test_only_bits_may_reclassify(request, who, client_for, report, bits_user):
    escalated(report, bits_user)
    response = client_for(request.getfixturevalue(who)).post(
        reclassify_url(report), {"severity": "low"}, follow=True)
    assert response.status_code == 200
    assert "Du har ikke lov til å endre alvorlighetsgraden." in messages_of(response)
    report.refresh_from_db()
    assert report.severity == "high"


def test_other_bank_gets_404_on_reclassify(client_for, report, other_bank_member):
    response = client_for(other_bank_member).post(reclassify_url(report), {"severity": "low"})
    assert response.status_code == 404


# --- messages -------------------------------------------------------------------------------

def message_url(report):
    return f"/feilmeldinger/{report.reference}/melding/"


def test_bank_posts_a_reply_without_htmx_and_is_redirected(client_for, report, bank_member):
    response = client_for(bank_member).post(message_url(report),
                                            {"body": "Mer info her", "visibility": "public"},
                                            follow=True)
    assert response.redirect_chain[-1][0] == report.get_absolute_url()
    assert "Meldingen er sendt." in messages_of(response)
    assert "Mer info her" in text_of(response)
    assert Message.objects.get().author == bank_member


def test_message_with_htmx_returns_the_conversation_partial(client_for, report, bits_user):
    response = client_for(bits_user).post(
        message_url(report), {"body": "Notat for Bits", "visibility": "bits"},
        headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = text_of(response)
    assert body.startswith('<div id="conversation">')
    assert "<html" not in body and "<header" not in body
    assert "Notat for Bits" in body
    assert Message.objects.get().visibility == V.BITS


def test_empty_message_with_htmx_shows_the_error_in_the_partial(client_for, report, bank_member):
    response = client_for(bank_member).post(message_url(report),
                                            {"body": "", "visibility": "public"},
                                            headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in text_of(response)
    assert "Feltet er påkrevet." in text_of(response)
    assert not Message.objects.exists()


def test_empty_message_without_htmx_rerenders_the_case_page(client_for, report, bank_member):
    response = client_for(bank_member).post(message_url(report), {"body": "   "})
    assert response.status_code == 400  # the page again, with what was wrong
    assert "<html" in text_of(response)
    assert "Feltet er påkrevet." in text_of(response)
    assert not Message.objects.exists()


def test_bank_reply_while_awaiting_hands_the_case_back_to_bits(client_for, bank_member,
                                                               bits_user, lk_user):
    report = in_status(Status.AWAITING_BANK, reporter=bank_member, bits=bits_user, lk=lk_user)
    client_for(bank_member).post(message_url(report), {"body": "BankID: 123",
                                                      "visibility": "public"})
    report.refresh_from_db()
    assert report.status == Status.IN_PROGRESS
    assert AuditEvent.objects.filter(verb="bank_replied").exists()


def test_bank_reply_with_htmx_updates_the_status_outside_the_conversation(
        client_for, bank_member, bits_user, lk_user):
    report = in_status(Status.AWAITING_BANK, reporter=bank_member, bits=bits_user, lk=lk_user)
    response = client_for(bank_member).post(
        message_url(report), {"body": "BankID: 123", "visibility": "public"},
        headers={"HX-Request": "true"})
    body = text_of(response)
    assert re.search(r'id="status" hx-swap-oob="true">Under behandling hos Bits<', body)
    assert '<div id="awaiting-me" hx-swap-oob="true"></div>' in body
    assert "Send melding" in body and "Send svar" not in body


def test_bank_cannot_post_an_internal_note(client_for, report, bank_member):
    response = client_for(bank_member).post(message_url(report),
                                            {"body": "Hemmelig", "visibility": "internal"})
    assert response.status_code == 400  # the page again, with what was wrong
    assert "visibility" in response.context["message_form"].errors
    assert "Velg et gyldig valg." in text_of(response)
    assert not Message.objects.exists()


def test_lanekassen_cannot_write_a_bits_only_note(client_for, report, bits_user, lk_user):
    escalated(report, bits_user)
    response = client_for(lk_user).post(message_url(report), {"body": "Hei", "visibility": "bits"})
    assert response.status_code == 400  # the page again, with what was wrong
    assert not Message.objects.filter(body="Hei").exists()


def test_no_messages_on_a_closed_case(client_for, bank_member, bits_user, lk_user):
    report = in_status(Status.CLOSED, reporter=bank_member, bits=bits_user, lk=lk_user)
    page = client_for(bank_member).get(report.get_absolute_url())
    assert "Send melding" not in text_of(page)
    before = Message.objects.count()
    response = client_for(bank_member).post(message_url(report), {"body": "Hallo",
                                                                  "visibility": "public"})
    assert response.status_code == 400  # the page again, with what was wrong
    assert "Du kan ikke skrive i denne saken." in text_of(response)
    assert Message.objects.count() == before


def test_other_bank_gets_404_on_message(client_for, report, other_bank_member):
    response = client_for(other_bank_member).post(message_url(report),
                                                  {"body": "Hei", "visibility": "public"},
                                                  headers={"HX-Request": "true"})
    assert response.status_code == 404
    assert not Message.objects.exists()


def test_lanekassen_gets_404_on_message_until_escalated(client_for, report, lk_user):
    response = client_for(lk_user).post(message_url(report),
                                        {"body": "Hei", "visibility": "internal"})
    assert response.status_code == 404
    assert not Message.objects.exists()


# --- attachments ----------------------------------------------------------------------------

def attachment_url(report, attachment):
    return f"/feilmeldinger/{report.reference}/vedlegg/{attachment.pk}/"


def download(response):
    return b"".join(response.streaming_content)


@pytest.fixture
def report_with_file(bank_member):
    return report_by(bank_member, files=[
        SimpleUploadedFile("skjermbilde.txt", PNG, content_type="text/plain")])


@pytest.mark.parametrize("who", ["bank_member", "bank_admin", "bits_user"])
def test_attachment_downloads_with_the_right_bytes(request, who, client_for, report_with_file):
    attachment = Attachment.objects.get()
    response = client_for(request.getfixturevalue(who)).get(
        attachment_url(report_with_file, attachment))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="skjermbilde.txt.png"'
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert download(response) == PNG


def test_case_page_links_the_attachment_through_the_checked_view(client_for, report_with_file,
                                                                 bank_member):
    attachment = Attachment.objects.get()
    body = text_of(client_for(bank_member).get(report_with_file.get_absolute_url()))
    assert attachment_url(report_with_file, attachment) in body
    assert attachment.file.name not in body


def test_other_bank_gets_404_on_attachment(client_for, report_with_file, other_bank_member):
    attachment = Attachment.objects.get()
    response = client_for(other_bank_member).get(attachment_url(report_with_file, attachment))
    assert response.status_code == 404


def test_other_bank_gets_404_guessing_an_attachment_under_its_own_report(
        client_for, report_with_file, other_bank_member):
    theirs = report_by(other_bank_member)
    attachment = Attachment.objects.get()  # belongs to the first bank's report
    response = client_for(other_bank_member).get(attachment_url(theirs, attachment))
    assert response.status_code == 404


def test_lanekassen_gets_404_on_attachment_until_escalated(client_for, report_with_file,
                                                           bits_user, lk_user):
    attachment = Attachment.objects.get()
    url = attachment_url(report_with_file, attachment)
    assert client_for(lk_user).get(url).status_code == 404
    escalated(report_with_file, bits_user)
    response = client_for(lk_user).get(url)
    assert response.status_code == 200
    assert download(response) == PNG


def test_attachment_on_an_internal_note_is_hidden_from_the_bank(client_for, report, bank_member,
                                                                bits_user, lk_user):
    escalated(report, bits_user)
    services.incident_comment(report=report, by=bits_user, body="Logg fra Bits",
                              visibility=V.BITS,
                              files=[SimpleUploadedFile("bits.log", b"intern\n")])
    attachment = Attachment.objects.get()
    url = attachment_url(report, attachment)
    assert client_for(bits_user).get(url).status_code == 200
    assert client_for(bank_member).get(url).status_code == 404
    assert client_for(lk_user).get(url).status_code == 404
    assert "bits.log" not in text_of(client_for(bank_member).get(report.get_absolute_url()))


def test_reply_with_attachment_through_the_message_view(client_for, report, bank_member):
    client_for(bank_member).post(message_url(report), {
        "body": "Her er loggen", "visibility": "public",
        "attachments": [SimpleUploadedFile("api.log", b"GET /saldo 401\n")]})
    attachment = Attachment.objects.get()
    assert attachment.message.body == "Her er loggen"
    response = client_for(bank_member).get(attachment_url(report, attachment))
    assert download(response) == b"GET /saldo 401\n"


def test_reply_with_a_refused_attachment_says_why_and_saves_nothing(client_for, report,
                                                                    bank_member):
    response = client_for(bank_member).post(message_url(report), {
        "body": "Her er programmet", "visibility": "public",
        "attachments": [SimpleUploadedFile("verktoy.png", b"MZ" + b"\x90\x00" * 64)]},
        headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "«verktoy.png» har en filtype som ikke er tillatt" in text_of(response)
    assert "Her er programmet" in text_of(response)
    assert not Message.objects.exists()
    assert not Attachment.objects.exists()


# --- Django admin ---------------------------------------------------------------------------

CHANGELIST = "/admin/incidents/errorreport/"


def test_lanekassen_admin_opens_the_error_report_changelist(client_for, lk_admin, report):
    response = client_for(lk_admin).get(CHANGELIST)
    assert response.status_code == 200
    assert report.reference in text_of(response)


def test_lanekassen_admin_marks_fixed_through_the_admin_action(client_for, lk_admin, report,
                                                               bits_user):
    escalated(report, bits_user)
    client = client_for(lk_admin)
    intermediate = client.post(CHANGELIST, {"action": "action_mark_fixed",
                                            ACTION_CHECKBOX_NAME: [report.pk]})
    assert intermediate.status_code == 200
    assert 'name="text"' in text_of(intermediate)
    report.refresh_from_db()
    assert report.status == Status.ESCALATED  # nothing happens before the text is given

    response = client.post(CHANGELIST, {"action": "action_mark_fixed",
                                        ACTION_CHECKBOX_NAME: [report.pk],
                                        "text": "Rettet i admin"}, follow=True)
    assert response.status_code == 200
    report.refresh_from_db()
    assert report.status == Status.FIXED
    event = AuditEvent.objects.get(verb="fixed")
    assert event.actor == lk_admin
    assert (event.from_state, event.to_state) == (Status.ESCALATED, Status.FIXED)
    assert Message.objects.filter(body="Rettet i admin", visibility=V.INTERNAL).exists()
    assert "Marker som rettet: 1 sak(er)." in messages_of(response)


def test_admin_action_on_a_report_in_the_wrong_status_says_so(client_for, lk_admin, report):
    response = client_for(lk_admin).post(
        CHANGELIST, {"action": "action_mark_fixed", ACTION_CHECKBOX_NAME: [report.pk],
                     "text": "Rettet"}, follow=True)
    assert response.status_code == 200
    assert any("Saken har endret status" in m for m in messages_of(response))
    report.refresh_from_db()
    assert report.status == Status.NEW


def test_status_is_read_only_in_the_admin_change_form(client_for, lk_admin, report):
    client = client_for(lk_admin)
    url = f"{CHANGELIST}{report.pk}/change/"
    response = client.get(url)
    assert response.status_code == 200
    assert 'name="status"' not in text_of(response)
    client.post(url, {"status": Status.CLOSED, "summary": "Endret"})
    report.refresh_from_db()
    assert report.status == Status.NEW
    assert report.summary == "401 på alle kall"


def test_bank_member_cannot_open_the_admin(client_for, bank_member):
    response = client_for(bank_member).get(CHANGELIST)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
