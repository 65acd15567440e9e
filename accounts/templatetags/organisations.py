"""How an organisation is named to Bits and Lånekassen: `{{ org|org_label }}`.

Names are not unique (anyone may register "Demo Bank A" again under another orgnr), so the
orgnr goes beside the name, and a bank Bits has not verified yet is marked as such.
"""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def org_label(organisation):
    """"Name (orgnr)", followed by an "ikke verifisert" tag for an unverified organisation;
    "–" for none."""
    if organisation is None or organisation == "":
        return "–"
    label = format_html("{} ({})", organisation.name, organisation.orgnr)
    if organisation.is_verified:
        return label
    return format_html('{} <span class="ds-tag" data-color="warning" data-size="sm">{}</span>',
                       label, _("ikke verifisert"))
