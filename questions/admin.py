"""Questions and the FAQ in the Django admin. Nothing is edited here: a question's transitions
are admin actions built from the case page's action table (`questions.actions.ACTIONS`), so
they call the same services; FAQ entries are written on the FAQ pages."""

from django.contrib import admin

from casework.admin import CaseAdmin, ReadOnlyAdmin, admin_actions

from .actions import ACTIONS
from .models import Deflection, FaqEntry, FaqVote, Question


@admin.register(Question)
class QuestionAdmin(CaseAdmin):
    list_display = ["reference", "organisation", "category", "status", "assignee",
                    "created_at"]
    list_filter = ["status", "category", "organisation"]
    search_fields = ["reference", "title", "text"]
    list_select_related = ["organisation", "assignee"]
    fields = ["reference", "organisation", "asked_by", "status", "category", "environment",
              "title", "text", "assignee", "created_at", "first_response_at",
              "first_response_due", "resolution_due", "forwarded_at", "answered_at",
              "closed_at"]
    actions = admin_actions(ACTIONS)


@admin.register(FaqEntry)
class FaqEntryAdmin(ReadOnlyAdmin):
    """Read-only; deleting an entry leaves the question it came from as it is."""

    list_display = ["title", "category", "status", "views", "last_reviewed_on"]
    list_filter = ["status", "category"]
    search_fields = ["title", "question", "answer"]

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(FaqVote)
class FaqVoteAdmin(ReadOnlyAdmin):
    list_display = ["entry", "user", "helpful", "at"]


@admin.register(Deflection)
class DeflectionAdmin(ReadOnlyAdmin):
    list_display = ["at", "organisation", "faq_entry"]
    list_filter = ["organisation"]
