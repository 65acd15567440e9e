"""Notices in the Django admin. Lånekassen's admins keep the list of components here; notices
themselves are written and sent in the portal (the services), so they are read-only here."""

from django.contrib import admin

from accounts.permissions import is_lanekassen_admin

from .models import Component, FanoutJob, Notice, NoticeDelivery, WebhookEndpoint


@admin.register(Component)
class ComponentAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "position"]
    list_editable = ["is_active", "position"]

    def _allowed(self, request):
        return request.user.is_superuser or is_lanekassen_admin(request.user)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: old notices keep their components


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ["reference", "title", "kind", "severity", "status", "published_at"]
    list_filter = ["kind", "severity", "status"]
    search_fields = ["reference", "title"]


@admin.register(FanoutJob)
class FanoutJobAdmin(ReadOnlyAdmin):
    list_display = ["event", "cursor", "batches", "created_at", "heartbeat_at", "finished_at"]
    list_select_related = ["event__notice"]


@admin.register(NoticeDelivery)
class NoticeDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["event", "channel", "address", "status", "attempts", "last_status_code"]
    list_filter = ["channel", "status"]
    list_select_related = ["event__notice"]
    search_fields = ["address"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "url", "is_active", "created_at"]
    exclude = ["secret"]
