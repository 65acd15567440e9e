from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from .models import Membership


class InvitationForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisasjon"), queryset=None)
    email = forms.EmailField(label=_("E-post"))
    name = forms.CharField(label=_("Navn"), max_length=200, required=False)
    role = forms.ChoiceField(label=_("Rolle"), choices=Membership.Role.choices)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        if organisations.count() == 1:
            self.fields["organisation"].initial = organisations.first()
            self.fields["organisation"].widget = forms.HiddenInput()


class AcceptInvitationForm(forms.Form):
    name = forms.CharField(label=_("Fullt navn"), max_length=200)
    password1 = forms.CharField(label=_("Passord"), widget=forms.PasswordInput,
                                help_text=_("Minst 12 tegn."))
    password2 = forms.CharField(label=_("Gjenta passordet"), widget=forms.PasswordInput)

    def __init__(self, *args, email, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("Passordene er ikke like."))
        elif p1:
            from .models import User

            try:
                validate_password(p1, User(email=self.email, name=data.get("name", "")))
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


def phone_clean(value):
    """A Norwegian or international phone number, returned as E.164 (+4722000000)."""
    import phonenumbers

    try:
        number = phonenumbers.parse((value or "").strip(), "NO")
    except phonenumbers.NumberParseException:
        raise forms.ValidationError(_("«%(v)s» er ikke et telefonnummer.") % {"v": value}) \
            from None
    if not phonenumbers.is_valid_number(number):
        raise forms.ValidationError(_("«%(v)s» er ikke et gyldig telefonnummer.") % {"v": value})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class ContactPointForm(forms.Form):
    name = forms.CharField(label=_("Navn"), max_length=200)
    email = forms.EmailField(label=_("E-post"))
    phone = forms.CharField(label=_("Telefon"), max_length=30)

    def clean_phone(self):
        return phone_clean(self.cleaned_data["phone"])


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Rolle"), choices=Membership.Role.choices)


class SigningAuthorityForm(forms.Form):
    can_sign = forms.BooleanField(label=_("Signeringsrett"), required=False)


class SecurityContactForm(forms.Form):
    is_security_contact = forms.BooleanField(label=_("Sikkerhetskontakt"), required=False)


class ProfileForm(forms.Form):
    """The profile page: name, language, and which kinds of event come by e-mail (`kinds`:
    (kind, label) pairs a person may turn off; they are always told in the portal)."""

    name = forms.CharField(label=_("Navn"), max_length=200, required=False)
    language = forms.ChoiceField(label=_("Språk"), help_text=_(
        "Portalen, varslene og e-postene til deg er på dette språket."))
    email_kinds = forms.MultipleChoiceField(
        label=_("Send meg e-post om"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Du får alltid varsel i portalen. Sikkerhetsbrudd og kritiske "
                    "driftsmeldinger kommer alltid på e-post."))

    def __init__(self, *args, kinds, **kwargs):
        from django.conf import settings

        super().__init__(*args, **kwargs)
        self.fields["language"].choices = settings.LANGUAGES
        self.fields["email_kinds"].choices = kinds
