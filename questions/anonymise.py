"""Taking the asking bank out of a question and answer before it becomes an FAQ draft.

Removes what points at the bank or a person: the organisation's name (with and without its
legal suffix) and organisation number, the names of its people and contact points, e-mail
addresses, 11-digit numbers (fødselsnummer), 9-digit numbers (organisasjonsnummer), Norwegian
phone numbers, UUIDs and X-Request-Id values. What it takes out is replaced by a marker in
brackets, so the Bits handler sees where something was and edits the draft before publishing.
It is a first pass, not a guarantee: a person reads the draft before it is published.
"""

import re

from django.utils.translation import gettext as _

EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
UUID_RE = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                     r"[0-9a-fA-F]{12}\b")
# The value after an X-Request-Id header name ("X-Request-Id: abc-123", JSON, key=value).
REQUEST_ID_RE = re.compile(r"""(X-Request-Id["']?\s*[:=]\s*["']?)[A-Za-z0-9._:\-]+""",
                           re.IGNORECASE)
# Not part of a longer number, a decimal amount (12 684,79) or a date (15.01.2026).
_ALONE_BEFORE = r"(?<![\d-])(?<!\d[.,])"
_ALONE_AFTER = r"(?![\d-])(?![.,]\d)"
FNR_RE = re.compile(_ALONE_BEFORE + r"\d{6}\s?\d{5}" + _ALONE_AFTER)
ORGNR_RE = re.compile(_ALONE_BEFORE + r"\d{3}\s?\d{3}\s?\d{3}" + _ALONE_AFTER)
# Eight digits, optionally after +47/0047 and grouped by single spaces (22 00 00 01,
# 220 00 001, +4722000001). Dates (15.01.2024, 2024-01-15) and amounts with a comma stay.
PHONE_RE = re.compile(r"(?<![\w+-])(?<!\d[.,])(?:(?:\+|00)47\s?)?\d{2}(?:\s?\d){6}"
                      r"(?![\w-]|\s\d)(?![.,]\d)")
LEGAL_SUFFIX_RE = re.compile(r"\s+(ASA|AS|BA|SA|ANS|DA|NUF)\.?$", re.IGNORECASE)


def _names_re(names):
    names = sorted({n.strip() for n in names if n and len(n.strip()) >= 3}, key=len,
                   reverse=True)
    if not names:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)",
                      re.IGNORECASE)


def anonymise(text, *, organisation_names=(), orgnrs=(), person_names=()):
    """`text` without the identifying details listed in the module docstring."""
    if not text:
        return ""
    text = EMAIL_RE.sub(_("[e-post]"), text)
    text = REQUEST_ID_RE.sub(lambda m: m.group(1) + _("[request-id]"), text)
    text = UUID_RE.sub(_("[request-id]"), text)
    for orgnr in orgnrs:
        if orgnr:
            spaced = r"\s?".join(re.escape(d) for d in orgnr)
            text = re.sub(rf"(?<!\d){spaced}(?!\d)", _("[orgnr]"), text)
    text = FNR_RE.sub(_("[fødselsnummer]"), text)
    text = ORGNR_RE.sub(_("[orgnr]"), text)
    text = PHONE_RE.sub(_("[telefon]"), text)
    variants = set()
    for name in organisation_names:
        if name:
            variants.add(name)
            variants.add(LEGAL_SUFFIX_RE.sub("", name.strip()))
    pattern = _names_re(variants)
    if pattern is not None:
        text = pattern.sub(_("[banken]"), text)
    pattern = _names_re(person_names)
    if pattern is not None:
        text = pattern.sub(_("[navn]"), text)
    return text


def anonymiser_for(organisation):
    """`anonymise` bound to what identifies `organisation`: its name, its organisation
    number, and the names of its people and contact points (two queries)."""
    from accounts.models import ContactPoint, Membership

    people = list(Membership.objects.filter(organisation=organisation)
                  .values_list("user__name", flat=True))
    people += list(ContactPoint.objects.filter(organisation=organisation)
                   .values_list("name", flat=True))

    def run(text):
        return anonymise(text, organisation_names=[organisation.name],
                         orgnrs=[organisation.orgnr], person_names=people)

    return run
