"""`make run` shows notices: the demo seed publishes three through the services (a critical
fault to acknowledge, an upcoming maintenance window, a fault that is over), the worker's part
makes Demo Bank A a recipient asked to acknowledge, and a second run adds nothing."""

from django.core.management import call_command

from accounts.models import User
from notices.models import Notice, Status
from notices.selectors import notice_list_for_user, pending_acknowledgements


def test_demo_seed_publishes_notices_a_bank_can_read_and_acknowledge_once(
        db, settings, django_capture_on_commit_callbacks):
    settings.DEMO_DATA_ALLOWED = True
    for _run in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("seed_demo", quiet=True)

    assert dict(Notice.objects.values_list("title", "status")) == {
        "Forsinkede saldoer i produksjon": Status.PUBLISHED,
        "Planlagt vedlikehold av testmiljøet": Status.UPCOMING,
        "Tidsavbrudd mot Altinn samtykke": Status.RESOLVED,
    }
    bank_a = User.objects.get(email="bank-a@example.com")
    assert set(notice_list_for_user(user=bank_a).values_list("title", flat=True)) == {
        "Forsinkede saldoer i produksjon", "Planlagt vedlikehold av testmiljøet",
        "Tidsavbrudd mot Altinn samtykke"}
    assert pending_acknowledgements(user=bank_a) == set(
        Notice.objects.filter(title="Forsinkede saldoer i produksjon").values_list("pk", flat=True))
