"""What a person can do to a question, declared once: the case page's buttons, the action view
and the Django admin's actions are all built from `ACTIONS`."""

from django.utils.translation import gettext_lazy as _

from casework.actions import CaseAction
from casework.slacase import request_info_action

from . import services

ACTIONS = (
    CaseAction(name="take", label=_("Ta spørsmålet"),
               service=lambda q, u, t: services.question_take(question=q, by=u)),
    CaseAction(name="answer", label=_("Svar banken"),
               prompt=_("Svaret til banken (synlig for banken)"),
               service=lambda q, u, t: services.question_answer(question=q, by=u, answer=t)),
    CaseAction(name="relay", label=_("Gi banken svaret"),
               prompt=_("Lånekassens veiledning med Bits' egne ord (synlig for banken)"),
               service=lambda q, u, t: services.question_relay(question=q, by=u, answer=t)),
    request_info_action(lambda q, u, t: services.question_request_info(question=q, by=u,
                                                                       message=t)),
    CaseAction(name="forward", label=_("Send til Lånekassen for faglig veiledning"),
               prompt=_("Hva skal Lånekassen svare på? (internt, ikke for banken)"),
               service=lambda q, u, t: services.question_forward(question=q, by=u, note=t)),
    CaseAction(name="give_guidance", label=_("Gi faglig veiledning til Bits"),
               prompt=_("Veiledningen (til Bits, ikke for banken)"),
               service=lambda q, u, t: services.question_give_guidance(question=q, by=u,
                                                                       guidance=t)),
    CaseAction(name="accept", label=_("Godta svaret"),
               service=lambda q, u, t: services.question_accept(question=q, by=u)),
    CaseAction(name="follow_up", label=_("Still et oppfølgingsspørsmål"),
               prompt=_("Hva lurer dere fortsatt på?"),
               service=lambda q, u, t: services.question_follow_up(question=q, by=u,
                                                                   message=t)),
)
