"""Demo data for questions and the FAQ (`make run`): a dozen FAQ answers about the service, an
answered question Bits can turn into an FAQ entry, and a new one in Bits' queue.

Called by `demo`'s seed command with the demo users; every write goes through the services, as
a person would make it. Idempotent: what exists (by title) is left alone.
"""

from .faq import deflection_record, faq_create, faq_publish, faq_vote
from .models import FaqEntry, Question
from .services import question_answer, question_ask, question_take

FAQ = [
    ("technical", "Hvilke headere må være med i kallet til Saldo-API-et?",
     "Kallet er GET /saldo/v1/Accounts (produksjon) eller /test/saldo/v1/Accounts (test), "
     "med disse headerne:\n\n"
     "- ApiKey: bankens API-nøkkel for miljøet. Nøkkelen vises bare én gang når den utstedes.\n"
     "- Authorization: tilgangstokenet fra Maskinporten. Det kan sendes med eller uten "
     "«Bearer » foran.\n"
     "- Consent-ID: samtykketokenet fra Altinn.\n"
     "- PSU_ID: kundens fødselsnummer (11 siffer).\n"
     "- X-Request-Id: en unik verdi per kall. Ta den med når dere melder feil, så finner vi "
     "kallet i loggen."),
    ("technical", "Hvilket scope trenger vi i Maskinporten?",
     "Tokenet må ha scopet lanekassen:lan/v1/saldoopplysninger, og consumer.ID må være "
     "0192:<bankens organisasjonsnummer>. Lånekassen gir banken tilgang til scopet i "
     "onboardingen, først i test og så i produksjon. Tokenet må også ha riktig audience for "
     "miljøet."),
    ("technical", "Hva betyr 400 Bad Request fra Saldo-API-et?",
     "En eller flere headere mangler eller har feil format. Vanlige årsaker: PSU_ID er ikke 11 "
     "siffer, X-Request-Id mangler, eller Consent-ID mangler for en kunde banken ikke har "
     "hentet saldo for tidligere. Svaret har en JSON-body som sier hvilken header det gjelder, "
     "og X-Request-Id."),
    ("technical", "Hva betyr 401 Unauthorized?",
     "Tokenet fra Maskinporten eller API-nøkkelen er ikke godkjent. Sjekk at tokenet ikke er "
     "utløpt, at det er utstedt for riktig miljø (audience), at det har scopet "
     "lanekassen:lan/v1/saldoopplysninger, og at ApiKey er nøkkelen for samme miljø. En "
     "testnøkkel virker ikke i produksjon."),
    ("technical", "Hva betyr 403 Forbidden?",
     "Samtykket er ikke gyldig for dette kallet: det mangler, er utløpt (ValidToDate), gjelder "
     "en annen kunde enn PSU_ID, eller er gitt til en annen bank. Be kunden gi nytt samtykke i "
     "Altinn og send det nye Consent-ID-et. 403 kommer også hvis bankens tilgang er suspendert."),
    ("technical", "Hva betyr 404 Not Found?",
     "Lånekassen kjenner ikke personen med dette fødselsnummeret (PSU_ID). Sjekk at nummeret "
     "er riktig. En kunde som bare har hatt stipend, får 200 med saldo 0, ikke 404."),
    ("technical", "Hva betyr 429 Too Many Requests?",
     "Banken har sendt flere kall enn grensen tillater i et kort tidsrom. Grensen gjelder per "
     "bank og miljø. Vent litt og prøv igjen, gjerne med økende ventetid mellom forsøkene. "
     "Hent ikke saldo for mange kunder i én stor bunke."),
    ("technical", "Hva gjør vi når vi får 500 fra Saldo-API-et?",
     "Det er en feil hos Lånekassen. Sjekk driftsmeldingene i portalen. Prøv igjen om litt; "
     "vedvarer feilen, meld den under Feilmeldinger med X-Request-Id fra kallene som feilet."),
    ("professional", "Hvordan innhenter vi samtykke fra kunden?",
     "Kunden samtykker i Altinn til at banken kan hente saldo på studielånet. Banken får et "
     "samtykketoken som sendes i headeren Consent-ID. Samtykket gjelder til datoen i "
     "ValidToDate. Etter et vellykket kall husker API-et samtykket for banken og kunden til "
     "det utløper, så senere kall kan sende kallet uten Consent-ID."),
    ("onboarding", "Hvilke testkunder kan vi bruke i testmiljøet?",
     "Testmiljøet har de 17 syntetiske testkundene fra tjenestens publiserte testdata. De "
     "dekker kombinasjonene av delkontoene Lån, Renter, Gebyr og Omkostninger, kunder uten "
     "gjeld og kunder med total over én million kroner. Under Saldo-API i portalen ser dere "
     "hvilke testkunder dere har hentet saldo for."),
    ("onboarding", "Hvor lang tid tar det å få tilgang til testmiljøet?",
     "Når registreringen er godkjent og bruksvilkårene signert, bestiller Bits testtilgang. "
     "Lånekassen gir API-nøkkel og tilgang til Maskinporten-scopet, vanligvis i løpet av 1–3 "
     "virkedager. Dere får beskjed i portalen når tilgangen er klar."),
    ("professional", "Hva består saldoen av, og hvorfor stemmer ikke renten med i går?",
     "Svaret har opptil fire delkontoer: Lån, Renter, Gebyr og Omkostninger, og TotalAmount "
     "er summen. Beløpene er bokført saldo (closingBooked). Renter bokføres ved månedsslutt og "
     "ved hendelser som innbetalinger, så påløpte renter som ikke er bokført, vises ikke. En "
     "kunde som har betalt for mye, kan ha negativ total til pengene er tilbakebetalt."),
    ("agreement", "Må vi signere bruksvilkårene på nytt når det kommer en ny versjon?",
     "Ja. Når Lånekassen publiserer en ny versjon av tjenestebeskrivelsen med bruksvilkår, må "
     "en person med signeringsrett i banken signere den innen fristen. Portalen lagrer hvem "
     "som signerte, når, hvilken versjon og en SHA-256 av teksten."),
]

ANSWERED = {
    "category": "technical", "environment": "test",
    "title": "Får 403 selv om kunden har samtykket",
    "text": "Vi får 403 på PSU_ID 01085301957 i test, selv om kunden har samtykket i går. "
            "X-Request-Id: 3f6c1a2e-0b7d-4c55-9e21-aa01bb22cc33.",
    "answer": "Samtykket i testmiljøet må gis i Altinns testmiljø (tt02), ikke i produksjon. "
              "Be om et nytt samtykke der og send det nye Consent-ID-et.",
}
NEW = {
    "category": "technical", "environment": "production",
    "title": "Kan vi bruke samme API-nøkkel i test og produksjon?",
    "text": "Vi vil gjerne slippe å bytte nøkkel når vi går i produksjon. Går det an?",
}


def seed_questions(*, bits, bank_a, bank_b):
    """The FAQ and two questions, made by the demo users `bits` (a Bits handler) and `bank_a`
    and `bank_b` (members of two banks). Returns how many FAQ entries were made."""
    made = 0
    existing = set(FaqEntry.objects.values_list("title", flat=True))
    for category, title, answer in FAQ:
        if title in existing:
            continue
        faq_publish(entry=faq_create(by=bits, category=category, title=title, answer=answer),
                    by=bits)
        made += 1
    asked = set(Question.objects.values_list("title", flat=True))
    if ANSWERED["title"] not in asked:
        question = question_ask(by=bank_a, **{k: v for k, v in ANSWERED.items()
                                              if k != "answer"})
        question = question_take(question=question, by=bits)
        question_answer(question=question, by=bits, answer=ANSWERED["answer"])
    if NEW["title"] not in asked:
        question_ask(by=bank_b, **NEW)
    if made:
        entry = FaqEntry.objects.filter(title=FAQ[4][1]).first()
        if entry is not None:
            faq_vote(entry=entry, by=bank_b, helpful=True)
            deflection_record(by=bank_b, entry=entry, query="Hva betyr 403 Forbidden?")
    return made
