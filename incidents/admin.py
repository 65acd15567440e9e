"""Error reports in the Django admin. The status is never edited here: each transition is an
admin action that calls the same service as the portal (permission, audit, notifications)."""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from casework.errors import DomainError

from . import services
from .models import ErrorReport


class TextForm(forms.Form):
    text = forms.CharField(label=_("Tekst"), widget=forms.Textarea(attrs={"rows": 4}))


def _service_action(name, label, call, needs_text):
    def action(modeladmin, request, queryset):
        text = ""
        if needs_text:
            form = TextForm(request.POST if "apply" in request.POST else None)
            if not form.is_valid():
                return render(request, "admin/incidents/text_action.html", {
                    "title": label, "form": form, "queryset": queryset,
                    "action": name, "opts": modeladmin.model._meta,
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                })
            text = form.cleaned_data["text"]
        for report in queryset:
            try:
                call(report, request.user, text)
            except DomainError as exc:
                modeladmin.message_user(request, f"{report.reference}: {exc.message}",
                                        messages.ERROR)
            else:
                modeladmin.message_user(request, f"{report.reference}: {label}",
                                        messages.SUCCESS)
        return None

    action.__name__ = name
    action.short_description = label
    return action


@admin.register(ErrorReport)
class ErrorReportAdmin(admin.ModelAdmin):
    list_display = ["reference", "organisation", "severity", "environment", "status",
                    "assignee", "created_at"]
    list_filter = ["status", "severity", "environment", "organisation"]
    search_fields = ["reference", "summary", "description"]
    list_select_related = ["organisation", "assignee"]
    readonly_fields = ["reference", "organisation", "reported_by", "status", "assignee",
                       "created_at", "first_response_at", "escalated_at", "resolved_at",
                       "closed_at", "first_response_due", "resolution_due", "paused_since",
                       "paused_seconds", "severity"]
    fields = ["reference", "organisation", "reported_by", "status", "severity", "environment",
              "occurred_at", "request_ids", "summary", "description", "assignee", "created_at",
              "first_response_at", "first_response_due", "resolution_due", "escalated_at",
              "resolved_at", "closed_at"]
    actions = [
        _service_action("take", _("Ta saken (Bits)"),
                        lambda r, u, t: services.incident_take(report=r, by=u), False),
        _service_action("escalate", _("Eskaler til Lånekassen (Bits)"),
                        lambda r, u, t: services.incident_escalate(report=r, by=u, note=t), True),
        _service_action("mark_fixed", _("Marker som rettet (Lånekassen)"),
                        lambda r, u, t: services.incident_mark_fixed(
                            report=r, by=u, explanation=t), True),
        _service_action("resolve", _("Løs saken (Bits)"),
                        lambda r, u, t: services.incident_resolve(report=r, by=u, guidance=t),
                        True),
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        # Facts the bank reported stay as reported.
        return self.fields
