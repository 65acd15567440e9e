from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Feilmeldinger")

    def ready(self):
        from casework.permissions import message_visibilities
        from casework.registry import CaseType, register
        from casework.sla import sla_facts
        from casework.slacase import sla_handlers

        from . import selectors, services, views
        from .actions import ACTIONS
        from .models import ErrorReport

        register(CaseType(
            key="incident", model=ErrorReport,
            label=_("feilmelding"), label_plural=_("feilmeldinger"),
            get_for_user=selectors.incident_get_for_user,
            list_for_user=lambda user: selectors.incident_list_for_user(user=user),
            verb_labels=VERB_LABELS, actions=ACTIONS, action_url_name="incidents:action",
            linkable_by_notices=True, home_panel=views.home_panel,
            sla_process=ErrorReport.sla_process,
            comment=lambda *, case, **reply: services.incident_comment(report=case, **reply),
            message_visibilities=lambda case, user: message_visibilities(user),
            detail_template="incidents/detail.html", detail_context=views.detail_context,
            message_url_name="incidents:message", attachment_url_name="incidents:attachment",
            event_detail=views.event_detail, sla_facts=sla_facts,
            search=lambda user, text: selectors.incident_search(user=user, text=text),
            take=lambda case, by: services.incident_take(report=case, by=by),
            assign=lambda case, by, to: services.incident_assign(report=case, by=by, to=to),
            handlers=sla_handlers, list_url_name="incidents:list",
        ))
        self._register_breaches()

    def _register_breaches(self):
        """The second case type: security breaches (C.2, C.3), in `incidents.breaches`."""
        from casework.registry import CaseType, register
        from notifications.registry import AcknowledgementReminder, reminder_register

        from .breaches import permissions as breach_perms
        from .breaches import reminders as breach_reminders
        from .breaches import selectors as breach_selectors
        from .breaches import services as breach_services
        from .breaches import views as breach_views
        from .breaches.actions import ACTIONS as BREACH_ACTIONS
        from .breaches.models import Breach

        register(CaseType(
            key="breach", model=Breach,
            label=_("sikkerhetsbrudd"), label_plural=_("sikkerhetsbrudd"),
            get_for_user=breach_selectors.breach_get_for_user,
            list_for_user=lambda user: breach_selectors.breach_list_for_user(user=user),
            verb_labels=BREACH_VERB_LABELS, actions=BREACH_ACTIONS,
            action_url_name="incidents:breach_action", home_panel=breach_views.home_panel,
            comment=lambda *, case, **reply: breach_services.breach_comment(breach=case,
                                                                            **reply),
            message_visibilities=lambda case, user: breach_perms.visible_message_kinds(user),
            detail_template="incidents/breaches/detail.html",
            detail_context=breach_views.detail_context,
            message_url_name="incidents:breach_message",
            attachment_url_name="incidents:breach_attachment",
            event_detail=breach_views.event_detail,
            search=lambda user, text: breach_selectors.breach_search(user=user, text=text),
        ))
        reminder_register(AcknowledgementReminder(
            model=Breach, remind=breach_reminders.breach_acknowledgement_remind))


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
    "assigned": _("tildelte saken til en annen saksbehandler"),
}


# What the timeline says each audit event of a security breach did.
BREACH_VERB_LABELS = {
    "reported": _("meldte sikkerhetsbruddet"),
    "registered": _("registrerte bruddet hos Lånekassen"),
    "receipt_confirmed": _("bekreftet mottak"),
    "receipt_reminded": _("påminnelse om å bekrefte mottak"),
    "intermediate_reported": _("leverte mellomrapport"),
    "final_reported": _("leverte sluttrapport"),
    "authority_notified": _("registrerte melding til Datatilsynet"),
    "authority_not_notified": _("registrerte beslutning om ikke å melde til Datatilsynet"),
    "dora_classified": _("klassifiserte som alvorlig IKT-hendelse (DORA)"),
    "more_requested": _("ba om mer informasjon"),
    "api_suspended": _("suspenderte bankens API-tilgang"),
    "api_unsuspended": _("opphevet suspensjonen av API-tilgangen"),
    "lookup_figure_recorded": _("registrerte antall personer fra API-loggen:"),
    "acknowledged": _("bekreftet at banken har lest"),
    "acknowledgement_reminded": _("påminnelse til banker som ikke har bekreftet"),
    "closed": _("lukket saken"),
}
