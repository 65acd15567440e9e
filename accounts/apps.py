from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Brukere og organisasjoner")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .middleware import reader_language_on_login

        user_logged_in.connect(reader_language_on_login, dispatch_uid="reader_language_on_login")
