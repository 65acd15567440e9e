"""Checks of input that more than one service makes."""

from django.utils.translation import gettext as _

from casework.errors import DomainError


def scale_1_to_5(value, field):
    """An assessment on the scale 1–5, or None when not given."""
    if value in (None, ""):
        return None
    try:
        value = int(value)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 5:
        raise DomainError(_("Velg en verdi fra 1 til 5."), field=field)
    return value


def required_date(value, message, field):
    if not value:
        raise DomainError(message, field=field)
    return value
