"""Run announcements to the end inside a test's transaction, where the after-commit queueing of
the worker never happens (the world of the attack tests, the a11y crawl's data)."""


def fanout_finish(job_id):
    """One job run to the end the way the worker runs it, batch after batch: the recipients a
    notice records per batch, the deliveries, the in-portal notifications."""
    from notifications.services import fanout_step

    while fanout_step(job_id=job_id):
        pass


def fanouts_finish():
    """Every unfinished fan-out job, each as `fanout_finish` runs it."""
    from notifications.models import FanoutJob

    for job_id in FanoutJob.objects.filter(finished_at__isnull=True).values_list("pk", flat=True):
        fanout_finish(job_id)
