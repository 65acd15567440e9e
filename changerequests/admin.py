"""Change requests in the Django admin: read-only. Bits' check and Lånekassen's development and
deliveries are admin actions built from the case page's action table, so they call the same
services (permission, audit, notifications). Votes, decisions and weights are written only by
services too."""

from django.contrib import admin

from casework.admin import ReadOnlyAdmin, admin_actions

from .actions import ACTIONS
from .models import ChangeRequest, GovernanceDecision, ImpactAnswer, PriorityWeights, Vote


@admin.register(ChangeRequest)
class ChangeRequestAdmin(ReadOnlyAdmin):
    list_display = ["reference", "title", "organisation", "origin", "urgency", "part", "status",
                    "planned_release", "created_at"]
    list_filter = ["status", "origin", "urgency", "part"]
    search_fields = ["reference", "title", "problem", "organisation__name"]
    list_select_related = ["organisation"]
    actions = admin_actions(ACTIONS)


@admin.register(Vote)
class VoteAdmin(ReadOnlyAdmin):
    list_display = ["request", "organisation", "cast_by", "created_at"]
    list_select_related = ["request", "organisation", "cast_by"]


@admin.register(GovernanceDecision)
class GovernanceDecisionAdmin(ReadOnlyAdmin):
    list_display = ["request", "step", "outcome", "decided_on", "planned_release",
                    "notice_reference", "recorded_by"]
    list_filter = ["step", "outcome"]
    list_select_related = ["request", "recorded_by"]


@admin.register(ImpactAnswer)
class ImpactAnswerAdmin(ReadOnlyAdmin):
    list_display = ["request", "organisation", "level", "answered_by", "answered_at"]
    list_select_related = ["request", "organisation", "answered_by"]


@admin.register(PriorityWeights)
class PriorityWeightsAdmin(ReadOnlyAdmin):
    """Bits edits the weights on the prioritisation page (audited)."""

    list_display = ["support", "urgency", "value", "effort", "updated_by", "updated_at"]
