"""What Lånekassen does to a notice from its page, declared once: the page's buttons, the
action view (`casework.views.case_action`) and the Django admin's actions are built from it.

Writing, editing and updating a notice have their own forms (notices/views.py).
"""

from django.utils.translation import gettext_lazy as _

from casework.actions import CaseAction

from . import services

NOTE = _("Melding til mottakerne (valgfri)")

ACTIONS = (
    CaseAction("publish", _("Publiser nå"),
               lambda notice, user, text: services.notice_publish(notice=notice, by=user)),
    CaseAction("unschedule", _("Stopp planlagt publisering"),
               lambda notice, user, text: services.notice_unschedule(notice=notice, by=user)),
    CaseAction("start", _("Start vedlikeholdet nå"), prompt=NOTE, required=False,
               service=lambda notice, user, text: services.notice_start(
                   notice=notice, by=user, note=text)),
    CaseAction("complete", _("Marker som fullført"), prompt=NOTE, required=False,
               service=lambda notice, user, text: services.notice_complete(
                   notice=notice, by=user, note=text)),
    CaseAction("resolve", _("Marker som løst"), prompt=NOTE, required=False,
               service=lambda notice, user, text: services.notice_resolve(
                   notice=notice, by=user, note=text)),
    CaseAction("cancel", _("Avlys"), prompt=NOTE, required=False, danger=True,
               service=lambda notice, user, text: services.notice_cancel(
                   notice=notice, by=user, note=text)),
)
