"""Notices in the Django admin. Lånekassen's admins keep the list of components here; notices
are written in the portal, and the admin changes them only through the same actions as the
notice page (notices/actions.py)."""

from django.contrib import admin

from accounts.permissions import is_lanekassen_admin
from casework.admin import LabelledListEditable, ReadOnlyAdmin, admin_actions

from .actions import ACTIONS
from .models import Component, Notice


@admin.register(Component)
class ComponentAdmin(LabelledListEditable, admin.ModelAdmin):
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


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ["reference", "title", "kind", "severity", "status", "published_at"]
    list_filter = ["kind", "severity", "status"]
    search_fields = ["reference", "title"]
    actions = admin_actions(ACTIONS)
