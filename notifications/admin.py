"""The channels in the Django admin: read-only. Rows are written by services and the worker."""

from django.contrib import admin

from casework.admin import ReadOnlyAdmin

from .models import (
    Acknowledgement,
    Delivery,
    FanoutJob,
    Notification,
    OutboxMessage,
    WebhookEndpoint,
)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "to", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "channel"]
    search_fields = ["to", "subject"]
    exclude = ["claim_token"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "title", "read_at"]


@admin.register(FanoutJob)
class FanoutJobAdmin(ReadOnlyAdmin):
    list_display = ["title", "event", "cursor", "batches", "created_at", "heartbeat_at",
                    "finished_at"]
    list_filter = ["event"]
    exclude = ["email_body", "webhook_payload"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["job", "organisation", "channel", "address", "status", "attempts",
                    "last_status_code"]
    list_filter = ["channel", "status"]
    list_select_related = ["job", "organisation"]
    search_fields = ["address"]
    exclude = ["claim_token"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "url", "is_active", "created_at"]
    exclude = ["secret"]


@admin.register(Acknowledgement)
class AcknowledgementAdmin(ReadOnlyAdmin):
    list_display = ["subject_type", "subject_id", "organisation", "requested_at",
                    "acknowledged_at", "reminders_sent", "closed_at"]
    list_filter = ["subject_type"]
