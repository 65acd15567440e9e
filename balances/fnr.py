"""Fødselsnummer: validation of PSU_ID and the keyed hash under which it is logged."""

import hashlib
import hmac
import re

from django.conf import settings
from stdnum.no import fodselsnummer

_ELEVEN_DIGITS = re.compile(r"^[0-9]{11}$")
_MAX_HASHED_LENGTH = 64


def fnr_is_valid(value: str) -> bool:
    """Eleven digits with both mod-11 check digits right (the synthetic test persons pass)."""
    return bool(value) and bool(_ELEVEN_DIGITS.match(value)) and fodselsnummer.is_valid(value)


def fnr_hash(value: str) -> str:
    """HMAC-SHA256 of what was sent as PSU_ID: searchable, but not reversible without the key.

    Also applied to malformed values (a typo is still personal data); empty stays empty.
    """
    if not value:
        return ""
    key = settings.SALDO_FNR_HASH_KEY.encode()
    return hmac.new(key, value[:_MAX_HASHED_LENGTH].encode("utf-8", "replace"),
                    hashlib.sha256).hexdigest()
