"""Checks on what a bank types in: organisation numbers, phone numbers, domains and IP ranges.

Each function returns the normalised value or raises ValidationError with a message for the
person, so forms put it on the field.
"""

import ipaddress
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.no import orgnr as stdnum_orgnr

from accounts.forms import phone_clean  # noqa: F401  (one rule for phone numbers)

# Brønnøysundregistrene's real organisation numbers start with 8 or 9. Synthetic test
# organisations (Tenor test data, and the test environments of Maskinporten and Altinn) use
# numbers starting with 2 or 3, a range the real register never hands out. Not every synthetic
# source computes a mod-11 check digit, so a number in that range is accepted on its format
# alone: it can never collide with a real bank. Every other number must pass mod-11.
SYNTHETIC_ORGNR_FIRST_DIGITS = ("2", "3")

DOMAIN_RE = re.compile(
    r"^(\*\.)?(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"
)
IP_LIKE_RE = re.compile(r"^[0-9a-fA-F:.]+(/\d{1,3})?$")
MAX_ENDPOINTS = 50


def orgnr_clean(value: str) -> str:
    compact = re.sub(r"[\s.-]", "", value or "")
    if not re.fullmatch(r"\d{9}", compact):
        raise ValidationError(_("Organisasjonsnummeret må være 9 siffer."))
    if compact.startswith(SYNTHETIC_ORGNR_FIRST_DIGITS):
        return compact
    if not stdnum_orgnr.is_valid(compact):
        raise ValidationError(_("Organisasjonsnummeret %(orgnr)s er ikke gyldig (kontrollsifferet "
                                "stemmer ikke).") % {"orgnr": compact})
    return compact


def endpoint_clean(entry: str) -> str:
    """One domain name (optionally *.example.no) or IP address / CIDR range."""
    entry = entry.strip().lower().rstrip(".")
    if IP_LIKE_RE.match(entry) and not DOMAIN_RE.match(entry):
        try:
            return str(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValidationError(
                _("«%(v)s» er ikke en gyldig IP-adresse eller et gyldig IP-område (CIDR).")
                % {"v": entry}) from None
    if DOMAIN_RE.match(entry):
        return entry
    raise ValidationError(_("«%(v)s» er verken et domenenavn eller et IP-område.") % {"v": entry})


def endpoints_clean(text: str, *, required=True) -> list[str]:
    """One entry per line (or separated by commas or spaces); errors name every bad entry."""
    entries = [e for e in re.split(r"[\s,;]+", text or "") if e.strip()]
    if not entries:
        if required:
            raise ValidationError(_("Oppgi minst ett domene eller IP-område."))
        return []
    if len(entries) > MAX_ENDPOINTS:
        raise ValidationError(_("Oppgi høyst %(n)s domener eller IP-områder.") % {
            "n": MAX_ENDPOINTS})
    cleaned, errors = [], []
    for entry in entries:
        try:
            cleaned.append(endpoint_clean(entry))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return list(dict.fromkeys(cleaned))
