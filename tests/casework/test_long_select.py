"""LongSelect writes the same options as the portal's select template, escaped, with the chosen
one selected, whatever the number of options."""

import re

from django import forms

from casework.forms import LongSelect


def _options(html):
    return re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', html)


def test_long_select_writes_the_options_of_the_template_select_escaped():
    choices = [("", "Alle"), ("1", "Bank <A> & Co"), ("2", 'Bank "B"')]

    class Form(forms.Form):
        fast = forms.ChoiceField(choices=choices, required=False, widget=LongSelect)
        template = forms.ChoiceField(choices=choices, required=False)

    form = Form({"fast": "1", "template": "1"})
    fast, template = str(form["fast"]), str(form["template"])

    assert _options(fast) == _options(template) == [
        ("", "", "Alle"), ("1", " selected", "Bank &lt;A&gt; &amp; Co"),
        ("2", "", "Bank &quot;B&quot;")]
    assert fast.startswith('<select class="ds-input" name="fast" id="id_fast">')


def test_long_select_keeps_option_groups():
    widget = LongSelect(choices=[("Banker", [("1", "A"), ("2", "B")]), ("3", "C")])
    html = widget.render("org", "2")

    assert '<optgroup label="Banker"><option value="1">A</option>' in html
    assert '<option value="2" selected>B</option></optgroup>' in html
    assert '<option value="3">C</option>' in html
