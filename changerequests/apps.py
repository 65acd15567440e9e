from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChangeRequestsConfig(AppConfig):
    name = "changerequests"
    verbose_name = _("Endringsønsker")

    def ready(self):
        from casework.registry import CaseType, register

        from . import permissions, selectors, services
        from .actions import ACTIONS
        from .labels import VERB_LABELS, event_detail
        from .models import ChangeRequest
        from .views import detail_context, home_panel

        register(CaseType(
            key="changerequest", model=ChangeRequest, label=_("endringsønske"),
            label_plural=_("endringsønsker"),
            get_for_user=selectors.change_request_get_for_user,
            list_for_user=selectors.change_request_list_for_user,
            verb_labels=VERB_LABELS, actions=ACTIONS, action_url_name="changerequests:action",
            linkable_by_notices=True, home_panel=home_panel,
            search=selectors.change_request_search, comment=services.change_request_comment,
            message_visibilities=permissions.message_visibilities,
            detail_template="changerequests/detail.html", detail_context=detail_context,
            message_url_name="changerequests:message",
            attachment_url_name="changerequests:attachment", event_detail=event_detail,
        ))
