from django import forms
from django.utils.translation import gettext_lazy as _


class WebhookForm(forms.Form):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https",
                         help_text=_("Vi sender hver hendelse som JSON med POST, signert etter "
                                     "Standard Webhooks."))
    description = forms.CharField(label=_("Beskrivelse"), required=False, max_length=200)
