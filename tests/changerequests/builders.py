"""Change requests in each state, built through the services as people would take them.

Each builder takes the `personas` dict (tests/conftest.py): the request is proposed by the
bank member (Testbank A), checked by the Bits handler, decided by the Lånekassen caseworker.
"""

from datetime import date, timedelta

from django.utils import timezone

from casework.models import Environment
from changerequests import services

FIELDS = {
    "title": "Nytt felt for tilbakebetalingsplan",
    "problem": "Kundene spør om neste termin, og vi har ikke datoen fra API-et.",
    "proposal": "Legg til feltet NextInstallmentDate i responsen.",
    "benefit": "Færre henvendelser til kundesenteret.",
    "urgency": "high",
    "part": "api",
}


def propose(user, *, submit=True, **fields):
    return services.change_request_propose(by=user, submit=submit, **{**FIELDS, **fields})


def draft(p, **fields):
    return propose(p["bank_member"], submit=False, **fields)


def submitted(p, **fields):
    return propose(p["bank_member"], **fields)


def returned(p):
    return services.change_request_return(request=submitted(p), by=p["bits"],
                                          message="Beskriv nytten for kundene.")


def opened(p, **fields):
    return services.change_request_open(request=submitted(p, **fields), by=p["bits"])


def recommended(p):
    return services.change_request_forum_recommend(
        request=opened(p), by=p["bits"], decided_on=date(2026, 3, 10), recommended=True,
        rationale="Mange banker trenger feltet.")


def with_lanekassen(p):
    return services.change_request_reference_group_decide(
        request=recommended(p), by=p["bits"], decided_on=date(2026, 3, 20), forward=True,
        rationale="Bred støtte.")


def accepted(p):
    return services.change_request_accept(request=with_lanekassen(p), by=p["lanekassen"],
                                          planned_release="2026.2", rationale="Liten endring.")


def deferred(p, until=None):
    return services.change_request_defer(
        request=with_lanekassen(p), by=p["lanekassen"],
        until=until or timezone.localdate() + timedelta(days=30), rationale="Etter sommeren.")


def in_development(p):
    return services.change_request_start_development(request=accepted(p), by=p["lanekassen"])


def in_test(p):
    return services.change_request_deliver(request=in_development(p), by=p["lanekassen"],
                                           environment=Environment.TEST)


def lanekassen_own(p, *, impact_requested=True):
    return services.change_request_propose(
        by=p["lanekassen"], impact_requested=impact_requested, **{
            **FIELDS, "title": "Nye koder for gebyrtyper", "urgency": "medium"})


def duplicate_of_opened(p):
    """An opened request of Testbank A, and Testbank B's submitted duplicate of it."""
    original = opened(p)
    duplicate = propose(p["other_bank"], title="Neste terminforfall i API-et")
    return original, duplicate
