"""Checking that a change rolled back with its transaction leaves no trace outside it."""

from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import transaction


class Rollback(Exception):
    """Raised at the end of a `rolled_back()` block to roll its transaction back."""


@contextmanager
def rolled_back(capture_on_commit_callbacks):
    """Run the block in a transaction that is then rolled back, and assert that no on-commit
    callback ran and no outbox delivery was dispatched.

    `capture_on_commit_callbacks` is pytest-django's `django_capture_on_commit_callbacks`."""
    with (mock.patch("notifications.tasks.outbox_deliver.apply_async") as dispatch,
          capture_on_commit_callbacks(execute=True) as callbacks):
        with pytest.raises(Rollback), transaction.atomic():
            yield
            raise Rollback
    assert callbacks == []
    dispatch.assert_not_called()
