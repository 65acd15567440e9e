"""`make run` shows the feature: the demo seed fills the FAQ and Bits' queue, and a second run
adds nothing."""

from django.core.management import call_command

from questions.models import FaqEntry, FaqStatus, Question, Status


def test_demo_seed_publishes_the_faq_and_queues_questions_once(db, settings):
    settings.DEMO_DATA_ALLOWED = True
    call_command("seed_demo", quiet=True)
    call_command("seed_demo", quiet=True)

    entries = FaqEntry.objects.all()
    assert entries.count() >= 12
    assert set(entries.values_list("status", flat=True)) == {FaqStatus.PUBLISHED}
    text = " ".join(entries.values_list("answer", flat=True))
    for term in ("ApiKey", "Authorization", "Consent-ID", "PSU_ID", "X-Request-Id", "Altinn",
                 "17", "lanekassen:lan/v1/saldoopplysninger"):
        assert term in text, term
    titles = " ".join(entries.values_list("title", flat=True))
    for code in ("400", "401", "403", "404", "429", "500"):
        assert code in titles, code
    assert sorted(Question.objects.values_list("status", flat=True)) == [Status.ANSWERED,
                                                                         Status.NEW]
