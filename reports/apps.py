from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Home-page items that span processes, and the reports for Bits and Lånekassen. Reads the
    lookup log's roll-up through `balances.rollup` and cases through the case-type registry and
    the apps' selectors; writes nothing."""

    name = "reports"
    verbose_name = _("Rapporter")
