"""Error reports in the Django admin. The status is never edited here: each transition is an
admin action built from the case page's action table (`incidents.actions.ACTIONS`), so it calls
the same service (permission, audit, notifications)."""

from django.contrib import admin

from casework.admin import CaseAdmin, admin_actions

from .actions import ACTIONS
from .models import ErrorReport


@admin.register(ErrorReport)
class ErrorReportAdmin(CaseAdmin):
    list_display = ["reference", "organisation", "severity", "environment", "status",
                    "assignee", "created_at"]
    list_filter = ["status", "severity", "environment", "organisation"]
    search_fields = ["reference", "summary", "description"]
    list_select_related = ["organisation", "assignee"]
    fields = ["reference", "organisation", "reported_by", "status", "severity", "environment",
              "occurred_at", "request_ids", "summary", "description", "assignee", "created_at",
              "status_changed_at", "first_response_at", "first_response_due", "resolution_due",
              "escalated_at", "resolved_at", "closed_at"]
    actions = admin_actions(ACTIONS)


# Security breaches (C.2, C.3): shown read-only; transitions are admin actions built from the
# case page's action table, so they call the same services.
from casework.admin import ReadOnlyAdmin  # noqa: E402

from .breaches.actions import ACTIONS as BREACH_ACTIONS  # noqa: E402
from .models import Breach, BreachView  # noqa: E402


@admin.register(Breach)
class BreachAdmin(admin.ModelAdmin):
    list_display = ["reference", "organisation", "source", "main_cause", "status", "aware_at",
                    "created_at"]
    list_filter = ["status", "source", "main_cause"]
    search_fields = ["reference"]
    list_select_related = ["organisation"]
    actions = admin_actions(BREACH_ACTIONS)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields] + ["affected_organisations"]


@admin.register(BreachView)
class BreachViewAdmin(ReadOnlyAdmin):
    list_display = ["breach", "user", "viewed_at"]
    list_select_related = ["breach", "user"]
