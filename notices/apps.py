from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = _("Varsling fra Lånekassen")

    def ready(self):
        from casework.registry import CaseType, register
        from notifications.registry import (
            AcknowledgementReminder,
            batch_hook_register,
            reminder_register,
        )

        from . import selectors, services, views
        from .actions import ACTIONS
        from .models import Notice

        # Notices run on the case kernel (its runner, action view and action table) but are
        # not linkable; the dashboard shows them itself, the home panel adds only what waits.
        register(CaseType(
            key="notice", model=Notice, label=_("driftsmelding"),
            label_plural=_("driftsmeldinger"), get_for_user=selectors.notice_get_for_user,
            list_for_user=selectors.notice_list_for_user, actions=ACTIONS,
            action_url_name="notices:action", home_panel=views.home_panel,
            search=selectors.notice_search))
        reminder_register(AcknowledgementReminder(model=Notice, remind=services.notice_remind))
        batch_hook_register(services.RECIPIENTS_HOOK, services.recipients_record)
