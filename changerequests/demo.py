"""Demo change requests (embedded default only), made through the services as people would:
one on its way through the forums to Lånekassen, one waiting for Bits, one of Lånekassen's own
with the banks' impact answers, and a draft. Idempotent: a request whose title exists is left
alone."""

from datetime import timedelta

from django.utils import timezone

from . import services
from .models import ChangeRequest

NEXT_INSTALLMENT = {
    "title": "Forfallsdato for neste termin i saldo-responsen",
    "problem": "Kundene spør i nettbanken når neste termin forfaller. Saldo-API-et gir bare "
               "saldoen, så vi må henvise dem til Lånekassen.",
    "proposal": "Legg til feltet NextInstallmentDate (dato) og NextInstallmentAmount per lån.",
    "benefit": "Færre henvendelser til kundesentrene og bedre oversikt for kundene.",
    "urgency": "high", "part": "api",
}
ALTINN3 = {
    "title": "Altinn 3-samtykke i testmiljøet",
    "problem": "Vi kan ikke teste samtykke fra Altinn 3 før produksjon.",
    "proposal": "Støtt Altinn 3-samtykke (authorization_details) i testmiljøet.",
    "benefit": "Tryggere overgang fra Altinn 2.", "urgency": "medium", "part": "consent",
}
FEE_CODES = {
    "title": "Nye koder for gebyrtyper fra 1. juli",
    "problem": "Forskriftsendringen innfører to nye gebyrtyper.",
    "proposal": "Gebyr-kontoen får underkodene PURRING og INKASSO.",
    "benefit": "Kundene ser hva gebyret gjelder.", "urgency": "medium", "part": "api",
}
DRAFT = {
    "title": "Varsel ved utløp av samtykke", "problem": "Utkast.",
    "proposal": "Utkast.", "benefit": "Utkast.", "urgency": "low", "part": "consent",
}


def _exists(fields):
    return ChangeRequest.objects.filter(title=fields["title"]).exists()


def seed_change_requests(*, bank_a, bank_b, bits, lanekassen):
    if not _exists(NEXT_INSTALLMENT):
        request = services.change_request_propose(by=bank_a, **NEXT_INSTALLMENT)
        request = services.change_request_open(request=request, by=bits)
        services.vote_cast(request=request, by=bank_b)
        services.change_request_comment(case=request, by=bank_b,
                                        body="Vi får de samme spørsmålene. Støtter!")
        services.change_request_assess(request=request, by=bits, value=4, effort=2,
                                       forum_meeting_on=timezone.localdate() + timedelta(days=7))
        request = services.change_request_forum_recommend(
            request=request, by=bits, decided_on=timezone.localdate(), recommended=True,
            rationale="Fagutvalget anbefaler endringen: flere banker har samme behov.")
        services.change_request_reference_group_decide(
            request=request, by=bits, decided_on=timezone.localdate(), forward=True,
            rationale="Sendes til Lånekassen for vurdering.")
    if not _exists(ALTINN3):
        services.change_request_propose(by=bank_b, **ALTINN3)
    if not _exists(FEE_CODES):
        request = services.change_request_propose(by=lanekassen, impact_requested=True,
                                                  **FEE_CODES)
        services.impact_answer(request=request, by=bank_a, level="some",
                               comment="Vi må vise de nye kodene i nettbanken.")
    if not _exists(DRAFT):
        services.change_request_propose(by=bank_a, submit=False, **DRAFT)
