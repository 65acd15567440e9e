from django import template

from ..models import Severity, Status

register = template.Library()


@register.filter
def status_label(value):
    try:
        return Status(value).label
    except ValueError:
        return value


@register.filter
def severity_label(value):
    try:
        return Severity(value).label
    except ValueError:
        return value
