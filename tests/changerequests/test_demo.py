"""`make run` shows process E: the demo seed makes change requests in several states through
the services, and a second run adds nothing."""

from django.core.management import call_command

from changerequests.models import ChangeRequest, ImpactAnswer, Status, Vote


def test_demo_seed_makes_change_requests_once(db, settings):
    settings.DEMO_DATA_ALLOWED = True
    call_command("seed_demo", quiet=True)
    call_command("seed_demo", quiet=True)

    assert sorted(ChangeRequest.objects.values_list("status", flat=True)) == sorted([
        Status.WITH_LANEKASSEN, Status.SUBMITTED, Status.OPEN, Status.DRAFT])
    forwarded = ChangeRequest.objects.get(status=Status.WITH_LANEKASSEN)
    assert Vote.objects.filter(request=forwarded).count() == 2
    assert ImpactAnswer.objects.count() == 1
