"""An upload's name cannot make it a web page (issue 14, item 11).

The type of an attachment is decided by its content; a file named "x.html" or "x.svg" whose
content is text is stored and served as text: a name ending in an extension of that type
(".txt"), Content-Type text/plain, as a download, and with nosniff so no browser second-guesses
it. Opened from the download folder, it is a text file, not a page that runs its script.
"""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from casework.models import Attachment
from incidents import services

pytestmark = pytest.mark.django_db

SCRIPT = b"<html><body><script>alert(document.cookie)</script></body></html>\n"
SVG = (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script>'
       b'<rect width="10" height="10"/></svg>\n')


@pytest.fixture
def report(bank_member):
    return services.incident_report(
        by=bank_member, environment="test", severity="normal",
        occurred_at=timezone.now() - timedelta(hours=1), request_ids=["req-1"],
        summary="Vedleggstest", description="Se vedlegg.")


def download(client, report, attachment):
    return client.get(f"/feilmeldinger/{report.reference}/vedlegg/{attachment.pk}/")


@pytest.mark.parametrize(("name", "content"), [
    ("x.html", SCRIPT), ("side.HTM", SCRIPT), ("bilde.svg", SVG), ("x.xhtml", SCRIPT),
    ("x.js", b"alert(1)\n"), ("x.pdf", SCRIPT), ("x.png", SCRIPT),
])
def test_a_text_file_named_as_a_page_is_stored_and_served_as_text(
        client_for, report, bank_member, bits_user, name, content):
    services.incident_comment(report=report, by=bank_member, body="Se vedlegg",
                              files=[SimpleUploadedFile(name, content, content_type="text/html")])
    attachment = Attachment.objects.get()
    assert attachment.mime_type == "text/plain"
    assert attachment.filename.endswith(".txt")

    for user in (bank_member, bits_user):
        response = download(client_for(user), report, attachment)
        assert response.status_code == 200
        assert response["Content-Type"].split(";")[0] == "text/plain"
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert disposition.endswith('.txt"')
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == content


def test_a_file_stored_before_the_fix_under_an_html_name_is_served_as_text(
        client_for, report, bank_member):
    services.incident_comment(report=report, by=bank_member, body="Logg",
                              files=[SimpleUploadedFile("gammel.log", SCRIPT)])
    Attachment.objects.update(filename="gammel.html")  # what was stored before
    response = download(client_for(bank_member), report, Attachment.objects.get())
    assert response["Content-Type"].split(";")[0] == "text/plain"
    assert response["Content-Disposition"] == 'attachment; filename="gammel.html.txt"'


@pytest.mark.parametrize(("name", "stored"), [
    ("server.log", "server.log"), ("notat.txt", "notat.txt"), ("data.csv", "data.csv"),
    ("svar.json", "svar.json"), ("logg", "logg"),
])
def test_text_files_with_a_text_name_keep_it(report, bank_member, name, stored):
    services.incident_comment(report=report, by=bank_member, body="Logg",
                              files=[SimpleUploadedFile(name, b"linje\n")])
    assert Attachment.objects.get().filename == stored
