"""Notices and the channels in the Django admin: read-only lists, and the notice page's actions
(notices/actions.py) as admin actions that run the same services."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from casework.models import AuditEvent
from notices.models import Status

pytestmark = pytest.mark.django_db


def test_admin_action_resolves_through_the_service_with_its_audit(published, client_for,
                                                                  lk_admin):
    notice = published()
    response = client_for(lk_admin).post(reverse("admin:notices_notice_changelist"), {
        "action": "action_resolve", ACTION_CHECKBOX_NAME: [notice.pk]})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.status == Status.RESOLVED
    event = AuditEvent.objects.get(verb="resolve")
    assert event.actor == lk_admin
    assert notice.events.last().kind == "resolved"


def test_admin_action_that_does_not_apply_changes_nothing(published, client_for, lk_admin):
    notice = published()
    client_for(lk_admin).post(reverse("admin:notices_notice_changelist"), {
        "action": "action_start", ACTION_CHECKBOX_NAME: [notice.pk]})  # a fault never starts
    notice.refresh_from_db()
    assert notice.status == Status.PUBLISHED


@pytest.mark.parametrize("name", ["notices_notice", "notifications_outboxmessage",
                                  "notifications_fanoutjob", "notifications_delivery",
                                  "notifications_webhookendpoint",
                                  "notifications_acknowledgement",
                                  "notifications_notification"])
def test_admin_lists_render_and_offer_no_add(published, client_for, lk_admin, name):
    published()
    client = client_for(lk_admin)
    assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:{name}_add")).status_code == 403
