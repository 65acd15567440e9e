from django.contrib import admin

from .models import AuditEvent, OpeningHours, SlaTarget


class LabelledListEditable:
    """A ModelAdmin mixin for `list_editable`: each input in the change list is named by its
    column and its row ("Første svar (minutter) – Feilmelding: Kritisk"). A table cell's input
    has no <label> of its own, and a screen reader (and axe-core) would find it nameless."""

    def get_changelist_form(self, request, **kwargs):
        form_class = super().get_changelist_form(request, **kwargs)

        class LabelledForm(form_class):
            def __init__(self, *args, **form_kwargs):
                super().__init__(*args, **form_kwargs)
                for field in self.fields.values():
                    label = f"{field.label} – {self.instance}" if self.instance.pk else field.label
                    field.widget.attrs["aria-label"] = label

        return LabelledForm


@admin.register(SlaTarget)
class SlaTargetAdmin(LabelledListEditable, admin.ModelAdmin):
    list_display = ["process", "severity", "first_response_minutes", "resolution_minutes"]
    list_editable = ["first_response_minutes", "resolution_minutes"]
    list_filter = ["process"]


@admin.register(OpeningHours)
class OpeningHoursAdmin(admin.ModelAdmin):
    list_display = ["__str__", "weekdays"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is written by services and never edited."""

    list_display = ["created_at", "content_type", "object_id", "verb", "actor", "from_state",
                    "to_state"]
    list_filter = ["verb", "content_type"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by services: the admin shows them and changes nothing."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CaseAdmin(admin.ModelAdmin):
    """A case in the admin: shown with its `fields`, every one read-only, and never added or
    deleted here. Its transitions are admin actions built from the case page's action table
    (`actions = admin_actions(ACTIONS)`), so they call the same services."""

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        # Facts the bank gave stay as given; the rest changes only through services.
        return self.fields


def admin_actions(actions):
    """Django admin actions built from a case type's action table (`CaseAction`s): each runs
    the same service as the case page's button, for each selected case, as the admin user.
    An action that needs a text asks for it on an intermediate page first."""
    from django.contrib import messages
    from django.template.response import TemplateResponse
    from django.utils.translation import gettext as _

    from .errors import DomainError

    def build(action):
        def run(modeladmin, request, queryset):
            text = (request.POST.get("text") or "").strip()
            if action.needs_text and not text:
                return TemplateResponse(request, "admin/casework/action_text.html", {
                    **modeladmin.admin_site.each_context(request),
                    "title": action.label, "action": action, "queryset": queryset,
                    "opts": modeladmin.model._meta,
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                })
            done = 0
            for case in queryset:
                try:
                    action.service(case, request.user, text)
                except DomainError as exc:
                    modeladmin.message_user(request, f"{case}: {exc.message}", messages.ERROR)
                else:
                    done += 1
            if done:
                modeladmin.message_user(request, _("%(a)s: %(n)d sak(er).") % {
                    "a": action.label, "n": done}, messages.SUCCESS)
            return None

        run.__name__ = f"action_{action.name}"
        run.short_description = action.label
        return run

    return [build(a) for a in actions]
