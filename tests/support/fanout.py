"""Run announcements to the end inside a test's transaction, where the after-commit queueing of
the worker never happens (the world of the attack tests, the a11y crawl's data)."""


def fanouts_finish():
    """Every unfinished fan-out job, batch after batch, as the worker runs it: the recipients a
    notice records per batch, the deliveries, the in-portal notifications."""
    from notifications.models import FanoutJob
    from notifications.services import fanout_step

    for job_id in FanoutJob.objects.filter(finished_at__isnull=True).values_list("pk", flat=True):
        while fanout_step(job_id=job_id):
            pass
