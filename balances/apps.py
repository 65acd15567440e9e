from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BalancesConfig(AppConfig):
    name = "balances"
    verbose_name = _("Saldo-API")
