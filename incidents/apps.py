from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Feilmeldinger")

    def ready(self):
        from casework.registry import CaseType, register

        from . import permissions as perms
        from . import selectors, services, views
        from .actions import ACTIONS
        from .models import ErrorReport

        register(CaseType(
            key="incident", model=ErrorReport,
            label=_("feilmelding"), label_plural=_("feilmeldinger"),
            get_for_user=selectors.incident_get_for_user,
            list_for_user=lambda user: selectors.incident_list_for_user(user=user),
            verb_labels=VERB_LABELS, actions=ACTIONS, action_url_name="incidents:action",
            linkable_by_notices=True, home_panel=views.home_panel, sla_process="incident",
            comment=lambda *, case, **reply: services.incident_comment(report=case, **reply),
            message_visibilities=lambda case, user: perms.visible_message_kinds(user),
            detail_template="incidents/detail.html", detail_context=views.detail_context,
            message_url_name="incidents:message", attachment_url_name="incidents:attachment",
            event_detail=views.event_detail,
        ))


# What the timeline says each audit event of an error report did.
VERB_LABELS = {
    "reported": _("meldte feilen"),
    "taken": _("tok saken"),
    "info_requested": _("ba banken om mer informasjon"),
    "bank_replied": _("svarte"),
    "escalated": _("eskalerte til Lånekassen"),
    "fixed": _("markerte feilen som rettet"),
    "resolved": _("løste saken"),
    "confirmed": _("bekreftet løsningen"),
    "reopened": _("gjenåpnet saken"),
    "auto_closed": _("lukket saken automatisk etter fem virkedager uten svar"),
    "reclassified": _("endret alvorlighet"),
}
