"""Checks on uploaded files: size, type by content (never by name), and a safe file name."""

import filetype
from django.conf import settings
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from .errors import DomainError

ALLOWED_MIME_TYPES = {
    "image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf",
    "application/zip", "application/gzip", "text/plain",
}


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        return exc.start >= len(head) - 3
    return True


def detect_mime_type(upload) -> str:
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime
    if head and _looks_like_text(head):
        return "text/plain"
    return "application/octet-stream"


def sanitize_filename(name: str) -> str:
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    try:
        cleaned = get_valid_filename(name)
    except Exception:  # Django raises SuspiciousFileOperation for names like ".."
        cleaned = ""
    cleaned = cleaned.lstrip(".")[-150:]
    return cleaned or "vedlegg"


# The extensions a file of each allowed type may keep; the first is added when its name has
# another (a text file named "x.html" or "x.svg" must not open as a page: it becomes
# "x.html.txt"). A name without an extension is left alone.
EXTENSIONS = {
    "text/plain": ("txt", "log", "csv", "tsv", "json", "har", "md", "yaml", "yml", "ini",
                   "cfg", "conf", "out", "err", "trace", "pem", "crt", "cer"),
    "image/png": ("png",),
    "image/jpeg": ("jpg", "jpeg"),
    "image/gif": ("gif",),
    "image/webp": ("webp",),
    "application/pdf": ("pdf",),
    "application/zip": ("zip",),
    "application/gzip": ("gz", "tgz"),
}


def attachment_filename(name: str, mime: str) -> str:
    """The name a file is stored and served under: `sanitize_filename`'s, with an extension
    that matches its detected type `mime`. Idempotent (the download applies it again to names
    stored before it existed)."""
    cleaned = sanitize_filename(name)
    stem, dot, extension = cleaned.rpartition(".")
    allowed = EXTENSIONS.get(mime, ("bin",))
    if not dot or not stem or extension.lower() in allowed:
        return cleaned
    return f"{cleaned}.{allowed[0]}"


def validate_upload(upload) -> str:
    """Return the detected MIME type, or raise DomainError (on the form's `attachments` field)
    with a message for the person."""
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise DomainError(
            _("«%(name)s» er større enn 10 MB.") % {"name": sanitize_filename(upload.name)},
            field="attachments",
        )
    mime = detect_mime_type(upload)
    if mime not in ALLOWED_MIME_TYPES:
        raise DomainError(
            _("«%(name)s» har en filtype som ikke er tillatt. Tillatt er bilder (PNG, JPEG, "
              "GIF, WebP), PDF, tekst- og loggfiler og ZIP/GZIP.")
            % {"name": sanitize_filename(upload.name)}, field="attachments"
        )
    return mime
