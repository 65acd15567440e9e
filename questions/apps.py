from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class QuestionsConfig(AppConfig):
    name = "questions"
    verbose_name = _("Spørsmål og faglig veiledning")

    def ready(self):
        from casework.permissions import message_visibilities
        from casework.registry import CaseType, register
        from casework.sla import sla_facts
        from casework.slacase import sla_handlers

        from . import selectors, services, views
        from .actions import ACTIONS
        from .models import Question

        register(CaseType(
            key="question", model=Question,
            label=_("spørsmål"), label_plural=pgettext_lazy("flertall", "spørsmål"),
            get_for_user=selectors.question_get_for_user,
            list_for_user=lambda user: selectors.question_list_for_user(user=user),
            verb_labels=VERB_LABELS, actions=ACTIONS, action_url_name="questions:action",
            home_panel=views.home_panel, sla_process=Question.sla_process,
            search=lambda user, text: selectors.question_search(user=user, text=text),
            comment=services.question_comment,
            message_visibilities=lambda case, user: message_visibilities(user),
            detail_template="questions/detail.html", detail_context=views.detail_context,
            message_url_name="questions:message", attachment_url_name="questions:attachment",
            sla_facts=sla_facts,
            take=lambda case, by: services.question_take(question=case, by=by),
            assign=lambda case, by, to: services.question_assign(question=case, by=by, to=to),
            handlers=sla_handlers, list_url_name="questions:list",
        ))


# What the timeline says each audit event of a question (and an FAQ entry) did.
VERB_LABELS = {
    "asked": _("stilte spørsmålet"),
    "taken": _("tok spørsmålet"),
    "assigned": _("tildelte spørsmålet til en annen saksbehandler"),
    "info_requested": _("ba banken om mer informasjon"),
    "bank_replied": _("svarte"),
    "forwarded": _("sendte spørsmålet til Lånekassen for faglig veiledning"),
    "guidance_given": _("ga faglig veiledning til Bits"),
    "answered": _("svarte banken"),
    "relayed": _("ga banken svaret fra Lånekassen"),
    "accepted": _("godtok svaret"),
    "followed_up": _("stilte et oppfølgingsspørsmål"),
    "auto_closed": _("lukket spørsmålet automatisk etter fem virkedager uten svar"),
    "faq_created": _("skrev et FAQ-utkast"),
    "faq_edited": _("endret FAQ-svaret"),
    "faq_published": _("publiserte FAQ-svaret"),
    "faq_archived": _("arkiverte FAQ-svaret"),
    "faq_reviewed": _("gjennomgikk FAQ-svaret"),
}
