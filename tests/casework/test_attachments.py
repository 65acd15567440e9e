"""Attachments: 10 MB each, types allowed by content (never by name), safe names, stored under a
random name and served only through the access-checked view."""

import gzip
import io
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from casework.attachments import detect_mime_type, sanitize_filename, validate_upload
from casework.errors import DomainError
from casework.models import Attachment, Message
from incidents import services

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 32
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
MB = 1024 * 1024


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def zip_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("logg.txt", "feil\n")
    return buffer.getvalue()


# --- type by content --------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "content", "mime"), [
    ("skjermbilde.txt", PNG, "image/png"),  # a PNG with the wrong name is still a PNG
    ("bilde", JPEG, "image/jpeg"),
    ("rapport.bin", PDF, "application/pdf"),
    ("logger.dat", zip_bytes(), "application/zip"),
    ("logg.gz", gzip.compress(b"feil\n"), "application/gzip"),
    ("server.log", b"2026-03-02 10:00:00 ERROR 401 Unauthorized\n", "text/plain"),
    ("notat.txt", "Bærum – én feil på æøå\n".encode(), "text/plain"),
])
def test_allowed_types_are_recognised_by_content(name, content, mime):
    assert validate_upload(upload(name, content, "text/plain")) == mime


@pytest.mark.parametrize(("name", "content"), [
    ("bilde.png", ELF),
    ("skjermbilde.png", EXE),
    ("logg.txt", EXE),
    ("data.txt", bytes(range(256)) * 4),
])
def test_executables_and_binaries_are_refused_whatever_their_name(name, content):
    with pytest.raises(DomainError) as exc:
        validate_upload(upload(name, content, "image/png"))
    assert f"«{name}» har en filtype som ikke er tillatt" in exc.value.message


def test_text_cut_in_the_middle_of_a_character_is_still_text():
    content = ("æ" * 4095).encode() + b"x" + "ø".encode()  # 'ø' straddles the 8192-byte sample
    assert detect_mime_type(upload("lang.log", content)) == "text/plain"


def test_empty_file_is_refused():
    with pytest.raises(DomainError):
        validate_upload(upload("tom.txt", b""))


def test_detection_leaves_the_file_at_its_start():
    f = upload("a.png", PNG)
    detect_mime_type(f)
    assert f.read() == PNG


# --- size -------------------------------------------------------------------------------------

def test_file_of_exactly_10_mb_is_accepted():
    assert validate_upload(upload("stor.log", b"a" * (10 * MB))) == "text/plain"


def test_file_over_10_mb_is_refused():
    with pytest.raises(DomainError) as exc:
        validate_upload(upload("for-stor.log", b"a" * (10 * MB + 1)))
    assert exc.value.message == "«for-stor.log» er større enn 10 MB."


# --- names ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "clean"), [
    ("../../etc/passwd", "passwd"),
    ("..\\..\\windows\\system32\\cmd.exe", "cmd.exe"),
    ("/etc/shadow", "shadow"),
    ("..", "vedlegg"),
    ("", "vedlegg"),
    (".htaccess", "htaccess"),
    ('rapport "endelig".pdf', "rapport_endelig.pdf"),
    ("logg\r\nX-Evil: 1.txt", "loggX-Evil_1.txt"),
    ("logg\r\nContent-Type: text/html.txt", "html.txt"),
    ("skjerm bilde (1).png", "skjerm_bilde_1.png"),
    ("Bærum æøå.log", "Bærum_æøå.log"),
])
def test_names_are_sanitised(raw, clean):
    assert sanitize_filename(raw) == clean


def test_very_long_names_keep_their_extension():
    name = sanitize_filename("a" * 500 + ".log")
    assert len(name) <= 150
    assert name.endswith(".log")


def test_unsafe_characters_never_survive_sanitising():
    name = sanitize_filename('a/b\\c"d\'e\nf\rg;h<i>j|k?l*m:n.txt')
    assert not set(name) & set('/\\"\'\n\r;<>|?*:')


# --- stored and served ------------------------------------------------------------------------

@pytest.fixture
def report(bank_member):
    return services.incident_report(
        by=bank_member, environment="test", severity="normal",
        occurred_at=timezone.now() - timedelta(hours=1), request_ids=["req-1"],
        summary="Vedleggstest", description="Se vedlegg.")


def test_attachment_is_stored_under_a_random_name_not_the_uploaded_one(report, bank_member):
    services.incident_comment(report=report, by=bank_member, body="Logg",
                              files=[upload("../../etc/passwd", b"root:x:0:0\n")])
    attachment = Attachment.objects.get()
    assert attachment.filename == "passwd"
    assert "passwd" not in attachment.file.name
    assert ".." not in attachment.file.name
    assert attachment.file.name.startswith("attachments/")
    with attachment.file.open("rb") as f:
        assert f.read() == b"root:x:0:0\n"


def test_download_header_carries_only_the_sanitised_name(client_for, report, bank_member):
    services.incident_comment(report=report, by=bank_member, body="Logg", files=[
        upload('svar "fra"\r\nSet-Cookie: x=1.log', b"linje\n")])
    attachment = Attachment.objects.get()
    response = client_for(bank_member).get(
        f"/feilmeldinger/{report.reference}/vedlegg/{attachment.pk}/")
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition == 'attachment; filename="svar_fraSet-Cookie_x1.log"'
    assert "\n" not in disposition and "\r" not in disposition
    assert not response.has_header("Set-Cookie") or "x=1" not in response["Set-Cookie"]
    assert b"".join(response.streaming_content) == b"linje\n"


def test_download_of_a_non_ascii_name_is_encoded(client_for, report, bank_member):
    services.incident_comment(report=report, by=bank_member, body="Logg",
                              files=[upload("Bærum.log", b"linje\n")])
    attachment = Attachment.objects.get()
    response = client_for(bank_member).get(
        f"/feilmeldinger/{report.reference}/vedlegg/{attachment.pk}/")
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''B%C3%A6rum.log"


def test_a_refused_file_saves_nothing_of_the_message(report, bank_member):
    with pytest.raises(DomainError):
        services.incident_comment(report=report, by=bank_member, body="To filer", files=[
            upload("ok.log", b"ok\n"), upload("virus.png", ELF)])
    assert not Attachment.objects.exists()
    assert not Message.objects.exists()


def test_files_are_not_reachable_by_a_media_url(client_for, report, bank_member):
    services.incident_comment(report=report, by=bank_member, body="Logg",
                              files=[upload("a.log", b"hemmelig\n")])
    attachment = Attachment.objects.get()
    client = client_for(bank_member)
    for url in (f"/media/{attachment.file.name}", f"/{attachment.file.name}",
                f"/static/{attachment.file.name}"):
        assert client.get(url).status_code == 404, url


def test_download_requires_login(client, report, bank_member):
    services.incident_comment(report=report, by=bank_member, body="Logg",
                              files=[upload("a.log", b"hemmelig\n")])
    attachment = Attachment.objects.get()
    response = client.get(f"/feilmeldinger/{report.reference}/vedlegg/{attachment.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
