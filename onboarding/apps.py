from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnboardingConfig(AppConfig):
    name = "onboarding"
    verbose_name = _("Onboarding av datakonsumenter")

    def ready(self):
        from casework.registry import CaseType, register

        from . import casetype, selectors, services, views
        from .actions import ACTIONS
        from .models import OnboardingCase

        register(CaseType(
            key="onboarding", model=OnboardingCase,
            label=_("onboardingsak"), label_plural=_("onboardingsaker"),
            get_for_user=lambda user, reference: selectors.case_get_for_user(
                user=user, reference=reference),
            list_for_user=lambda user: selectors.case_list_for_user(user=user),
            verb_labels=casetype.VERB_LABELS, actions=ACTIONS,
            action_url_name="onboarding:action", linkable_by_notices=False,
            home_panel=casetype.home_panel,
            comment=services.onboarding_comment,
            message_visibilities=casetype.message_visibilities, message_attachments=True,
            detail_template="onboarding/detail.html", detail_context=views.detail_context,
            message_url_name="onboarding:message", attachment_url_name="onboarding:attachment",
            event_detail=casetype.event_detail,
            search=lambda user, text: selectors.case_search(user=user, text=text),
        ))
