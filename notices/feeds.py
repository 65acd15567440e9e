"""The per-user Atom feed of notices and iCalendar feed of maintenance windows (RFC 4287 and
RFC 5545), written with the standard library. Both show exactly what the user may see in the
portal (`notice_list_for_user`)."""

from datetime import UTC
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from django.db.models import Max, Prefetch
from django.urls import reverse
from django.utils import timezone

from .markdown import render_markdown
from .models import Kind, NoticeEvent, Status
from .selectors import notice_list_for_user

ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_SIZE = 50


def _host(request):
    return urlsplit(request.build_absolute_uri("/")).hostname or "localhost"


def _iso(moment):
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _feed_notices(user, **filters):
    events = NoticeEvent.objects.exclude(kind=NoticeEvent.Kind.REMINDER).order_by("created_at",
                                                                                 "pk")
    return (notice_list_for_user(user=user).filter(published_at__isnull=False, **filters)
            .annotate(last_event_at=Max("events__created_at"))
            .prefetch_related(Prefetch("events", queryset=events, to_attr="feed_events")))


def atom_feed(*, user, request):
    """An Atom document with the user's latest notices, each with its updates."""
    host = _host(request)
    notices = list(_feed_notices(user).order_by("-published_at")[:FEED_SIZE])
    ET.register_namespace("", ATOM_NS)

    def sub(parent, tag, text=None, **attrs):
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    sub(feed, "id", f"tag:{host},2026:notices")
    sub(feed, "title", "Driftsmeldinger – Saldo på studielån")
    sub(feed, "subtitle", "Driftsavvik, planlagt vedlikehold og endringer fra Lånekassen")
    updated = max((n.last_event_at or n.published_at for n in notices), default=timezone.now())
    sub(feed, "updated", _iso(updated))
    sub(feed, "link", rel="alternate", type="text/html",
        href=request.build_absolute_uri(reverse("notices:list")))
    author = sub(feed, "author")
    sub(author, "name", "Lånekassen")
    for notice in notices:
        entry = sub(feed, "entry")
        sub(entry, "id", f"tag:{host},2026:notice:{notice.reference}")
        sub(entry, "title", f"[{notice.get_severity_display()}] {notice.get_kind_display()}: "
                            f"{notice.title} ({notice.get_status_display()})")
        sub(entry, "published", _iso(notice.published_at))
        sub(entry, "updated", _iso(notice.last_event_at or notice.published_at))
        sub(entry, "link", rel="alternate", type="text/html",
            href=request.build_absolute_uri(notice.get_absolute_url()))
        sub(entry, "category", term=notice.kind, label=str(notice.get_kind_display()))
        parts = [str(render_markdown(notice.body))]
        for event in reversed(notice.feed_events):
            if event.kind == NoticeEvent.Kind.PUBLISHED:
                continue
            parts.append(f"<h3>{event.get_kind_display()} "
                         f"{timezone.localtime(event.created_at):%d.%m.%Y %H:%M}</h3>"
                         f"{render_markdown(event.body)}")
        sub(entry, "content", "".join(parts), type="html")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8",
                                                                     xml_declaration=False)


# --- iCalendar ------------------------------------------------------------------------------

def _ical_escape(text):
    return (str(text).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def _fold(line):
    """Lines longer than 75 octets are folded (RFC 5545 3.1), never inside a character."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    pieces, current, limit = [], b"", 75
    for char in line:
        b = char.encode()
        if len(current) + len(b) > limit:
            pieces.append(current.decode())
            current, limit = b"", 74  # continuation lines start with a space
        current += b
    pieces.append(current.decode())
    return "\r\n ".join(pieces)


def _ical_time(moment):
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def maintenance_calendar(*, user, request):
    """An iCalendar document with one event per maintenance window the user may see.

    A cancelled maintenance stays in the calendar with STATUS:CANCELLED, so subscribed
    calendars remove it; SEQUENCE grows with every update sent."""
    host = _host(request)
    notices = _feed_notices(user, kind=Kind.MAINTENANCE, window_start__isnull=False,
                            window_end__isnull=False).order_by("window_start")[:200]
    now = _ical_time(timezone.now())
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Lånekassen//Saldo forvaltning//NB",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             "X-WR-CALNAME:Vedlikehold – Saldo på studielån"]
    for notice in notices:
        description = [notice.body.strip()]
        for event in notice.feed_events:
            if event.body and event.kind != NoticeEvent.Kind.PUBLISHED:
                description.append(f"{event.get_kind_display()}: {event.body.strip()}")
        description.append(request.build_absolute_uri(notice.get_absolute_url()))
        status = "CANCELLED" if notice.status == Status.CANCELLED else "CONFIRMED"
        lines += [
            "BEGIN:VEVENT",
            f"UID:{notice.reference}@{host}",
            f"DTSTAMP:{now}",
            f"DTSTART:{_ical_time(notice.window_start)}",
            f"DTEND:{_ical_time(notice.window_end)}",
            f"SUMMARY:{_ical_escape(notice.reference + ' ' + notice.title)}",
            f"DESCRIPTION:{_ical_escape(chr(10).join(description))}",
            f"CATEGORIES:{_ical_escape(notice.get_environments_display())}",
            f"URL:{request.build_absolute_uri(notice.get_absolute_url())}",
            f"STATUS:{status}",
            f"SEQUENCE:{max(len(notice.feed_events) - 1, 0)}",
            f"LAST-MODIFIED:{_ical_time(notice.last_event_at or notice.published_at)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
