from celery import shared_task

from .rollup import lookup_rollup_tick


@shared_task
def lookup_rollup():
    """Fold the lookup log's new rows into the daily roll-up (and once a day recount
    yesterday): see `balances.rollup`."""
    return lookup_rollup_tick()
