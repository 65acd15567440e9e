from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BalancesConfig(AppConfig):
    name = "balances"
    verbose_name = _("Saldo-API")

    def ready(self):
        _runserver_keeps_psu_id()


def _runserver_keeps_psu_id():
    """Django's development server drops every header with an underscore, and the published
    contract's ``PSU_ID`` has one. Keep that one header (and only it) so that ``make run`` can be
    called with the contract's headers. Production runs under gunicorn (see ``balances.api``)."""
    from django.core.servers import basehttp

    handler = basehttp.WSGIRequestHandler
    if getattr(handler.get_environ, "keeps_psu_id", False):
        return
    original = handler.get_environ

    def get_environ(self):
        psu_id = self.headers.get("PSU_ID")
        environ = original(self)
        if psu_id is not None and "HTTP_PSU_ID" not in environ:
            environ["HTTP_PSU_ID"] = psu_id
        return environ

    get_environ.keeps_psu_id = True
    handler.get_environ = get_environ
