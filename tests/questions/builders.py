"""Questions and FAQ entries in every state, built through the services as people would."""

from questions import faq, services
from questions.models import Status

TITLE = "Hva betyr 403 fra Saldo-API-et?"
TEXT = "Vi får 403 på alle kall mot /saldo/v1/Accounts i test, med gyldig samtykke."


def ask(user, **overrides):
    data = {"category": "technical", "environment": "test", "title": TITLE, "text": TEXT}
    data.update(overrides)
    return services.question_ask(by=user, **data)


def at(status, p, **ask_overrides):
    """A question asked by `p["bank_member"]` and brought to `status` by `p["bits"]` and
    `p["lanekassen"]` (`p` is the personas fixture)."""
    bits, lk = p["bits"], p["lanekassen"]
    question = ask(p["bank_member"], **ask_overrides)
    if status == Status.NEW:
        return question
    if status == Status.AWAITING_BANK:
        return services.question_request_info(question=question, by=bits,
                                              message="Hvilket miljø gjelder det?")
    if status in (Status.FORWARDED, Status.GUIDANCE_GIVEN):
        question = services.question_forward(question=question, by=bits,
                                             note="Hva sier regelverket her?")
        if status == Status.FORWARDED:
            return question
        return services.question_give_guidance(question=question, by=lk,
                                               guidance="403 betyr at samtykket mangler.")
    question = services.question_take(question=question, by=bits)
    if status == Status.IN_PROGRESS:
        return question
    question = services.question_answer(question=question, by=bits,
                                        answer="403 betyr at samtykket mangler eller er utløpt.")
    if status == Status.ANSWERED:
        return question
    return services.question_accept(question=question, by=p["bank_member"])


def published(bits, *, title="Hva betyr 403 fra Saldo-API-et?",
              answer="403 betyr at samtykket (Consent-ID) mangler eller er utløpt.",
              category="technical", question=""):
    entry = faq.faq_create(by=bits, category=category, title=title, answer=answer,
                           question=question)
    return faq.faq_publish(entry=entry, by=bits)
