"""The Django admin for people and organisations: every change goes through accounts' services,
so it is permission-checked, audited and guarded (an organisation keeps an active admin) like
the same change made in the portal.

How: `save_model`, `save_formset`, `delete_model` and the actions call the services with the
fresh row; a service's DomainError rolls the whole request back (the admin's views run in one
transaction) and comes back as an error message on the unchanged page. Fields no service
changes are read-only. People join through invitations, never by adding a user here.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from casework.errors import DomainError

from . import services
from .models import ContactPoint, Invitation, Membership, Organisation, User


class ServiceAdmin(admin.ModelAdmin):
    """A ModelAdmin whose writes are service calls: a refused change is shown, not saved."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            return self._refused(request, exc, request.get_full_path())

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as exc:
            opts = self.model._meta
            return self._refused(request, exc, reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change", args=[object_id],
                current_app=self.admin_site.name))

    def _refused(self, request, exc, url):
        self.message_user(request, exc.message, messages.ERROR)
        return HttpResponseRedirect(url)

    def get_actions(self, request):
        # Django's bulk delete deletes rows directly; deleting goes through delete_model.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def run_each(self, request, queryset, service, done):
        """Run `service(obj)` for each selected row; report refusals per row and the count."""
        count = 0
        for obj in queryset:
            try:
                service(obj)
            except DomainError as exc:
                self.message_user(request, f"{obj}: {exc.message}", messages.ERROR)
            else:
                count += 1
        if count:
            self.message_user(request, done % {"n": count}, messages.SUCCESS)


def fresh(obj):
    """The row as stored: the admin's `obj` already holds the form's new values."""
    return type(obj).objects.get(pk=obj.pk)


def formset_saved(formset, changed=()):
    """What `formset.save()` would have noted for the admin's change message; the rows were
    changed by services (`changed`: (row, field names) pairs), or not at all."""
    formset.new_objects, formset.deleted_objects = [], []
    formset.changed_objects = list(changed)


def take_created(obj, created):
    """Let the admin carry on (log, redirect) with the row a service created."""
    obj.pk = created.pk
    obj.refresh_from_db()


# Django stores a permission's name in English when it migrates ("Can add feilmelding"); the
# admin shows it in the reader's language, from the permission's action and model.
PERMISSION_ACTIONS = {
    "add": _("Kan legge til %(model)s"),
    "change": _("Kan endre %(model)s"),
    "delete": _("Kan slette %(model)s"),
    "view": _("Kan se %(model)s"),
}


def permission_label(permission):
    """'Feilmeldinger | Kan endre feilmelding': the app and the permission, translated."""
    model = permission.content_type.model_class()
    if model is None:
        return str(permission)
    opts = model._meta
    action, _sep, model_name = permission.codename.partition("_")
    if action in PERMISSION_ACTIONS and model_name == opts.model_name:
        name = PERMISSION_ACTIONS[action] % {"model": opts.verbose_name}
    else:
        name = permission.name
    return f"{opts.app_config.verbose_name} | {name}"


class PermissionsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return permission_label(obj)


class TranslatedPermissions:
    """A ModelAdmin mixin: its permissions field lists permissions by `permission_label`."""

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        if db_field.name in ("permissions", "user_permissions"):
            kwargs["form_class"] = PermissionsField
        return super().formfield_for_manytomany(db_field, request, **kwargs)


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(TranslatedPermissions, BaseGroupAdmin):
    pass


class MembershipInline(admin.StackedInline):
    """Shown on the person's page; changed on the membership's own page (through services)."""

    model = Membership
    extra = 0
    fields = ["organisation", "role", "can_sign"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(TranslatedPermissions, ServiceAdmin, BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "is_active", "is_staff"]
    search_fields = ["email", "name"]
    fieldsets = [
        (None, {"fields": ["email", "password", "name"]}),
        (_("Tilganger"), {"fields": ["is_active", "is_staff", "is_superuser", "groups",
                                     "user_permissions"]}),
        (_("Datoer"), {"fields": ["last_login", "date_joined"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]
    inlines = [MembershipInline]
    actions = ["deactivate", "activate"]

    def has_add_permission(self, request):
        return False  # people come in through an invitation

    def has_delete_permission(self, request, obj=None):
        return False  # an account is closed (deactivated), so its history keeps its name

    def save_model(self, request, obj, form, change):
        user = fresh(obj)
        if "is_active" in form.changed_data:
            services.user_set_active(user=user, by=request.user,
                                     active=form.cleaned_data["is_active"])
        changes = {field: form.cleaned_data[field] for field in form.changed_data
                   if field in services.USER_FIELDS}
        if changes:
            services.user_update(user=user, by=request.user, changes=changes)

    def save_related(self, request, form, formsets, change):
        # Groups and permissions were set by user_update; the membership inline is read-only.
        for formset in formsets:
            formset_saved(formset)

    @admin.action(description=_("Steng valgte kontoer"), permissions=["change"])
    def deactivate(self, request, queryset):
        self.run_each(request, queryset, lambda user: services.user_set_active(
            user=user, by=request.user, active=False), gettext("%(n)d konto(er) stengt."))

    @admin.action(description=_("Åpne valgte kontoer"), permissions=["change"])
    def activate(self, request, queryset):
        self.run_each(request, queryset, lambda user: services.user_set_active(
            user=user, by=request.user, active=True), gettext("%(n)d konto(er) åpnet."))


class ContactPointInline(admin.TabularInline):
    model = ContactPoint
    extra = 0
    fields = ["kind", "name", "email", "phone", "confirmed_at"]
    readonly_fields = ["kind", "confirmed_at"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(ServiceAdmin):
    list_display = ["name", "orgnr", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "orgnr"]
    inlines = [ContactPointInline]

    def get_readonly_fields(self, request, obj=None):
        return ["orgnr"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False  # it would take its cases and audit trail with it

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            take_created(obj, services.organisation_create(
                by=request.user, name=data["name"], orgnr=data["orgnr"], kind=data["kind"]))
            return
        organisation = fresh(obj)
        if "name" in form.changed_data:
            services.organisation_rename(organisation=organisation, by=request.user,
                                         name=data["name"])
        if "kind" in form.changed_data:
            services.organisation_set_kind(organisation=organisation, by=request.user,
                                           kind=data["kind"])

    def save_formset(self, request, form, formset, change):
        changed = []
        for contact_form in formset.forms:
            if contact_form.instance.pk and contact_form.has_changed():
                data = contact_form.cleaned_data
                point = services.contact_point_update(
                    contact_point=contact_form.instance, by=request.user, name=data["name"],
                    email=data["email"], phone=data["phone"])
                changed.append((point, contact_form.changed_data))
        formset_saved(formset, changed)


@admin.register(Membership)
class MembershipAdmin(ServiceAdmin):
    list_display = ["user", "organisation", "role", "can_sign"]
    list_filter = ["role", "can_sign", "organisation__kind"]
    search_fields = ["user__email", "organisation__name"]
    fields = ["user", "organisation", "role", "can_sign"]
    readonly_fields = ["user", "organisation"]
    actions = ["make_admin", "make_member", "grant_signing", "revoke_signing", "remove"]

    def has_add_permission(self, request):
        return False  # people come in through an invitation

    def save_model(self, request, obj, form, change):
        membership = fresh(obj)
        data = form.cleaned_data
        if "role" in form.changed_data:
            services.membership_set_role(membership=membership, by=request.user,
                                         role=data["role"])
        if "can_sign" in form.changed_data:
            services.membership_set_signing_authority(membership=membership, by=request.user,
                                                      can_sign=data["can_sign"])

    def delete_model(self, request, obj):
        services.membership_remove(membership=obj, by=request.user)

    def _set_role(self, request, queryset, role):
        self.run_each(request, queryset, lambda membership: services.membership_set_role(
            membership=membership, by=request.user, role=role),
            gettext("%(n)d medlemskap oppdatert."))

    def _set_signing(self, request, queryset, can_sign):
        self.run_each(request, queryset, lambda membership: (
            services.membership_set_signing_authority(membership=membership, by=request.user,
                                                      can_sign=can_sign)),
            gettext("%(n)d medlemskap oppdatert."))

    @admin.action(description=_("Gjør til administrator"), permissions=["change"])
    def make_admin(self, request, queryset):
        self._set_role(request, queryset, Membership.Role.ADMIN)

    @admin.action(description=_("Gjør til medlem"), permissions=["change"])
    def make_member(self, request, queryset):
        self._set_role(request, queryset, Membership.Role.MEMBER)

    @admin.action(description=_("Gi signeringsrett"), permissions=["change"])
    def grant_signing(self, request, queryset):
        self._set_signing(request, queryset, True)

    @admin.action(description=_("Fjern signeringsrett"), permissions=["change"])
    def revoke_signing(self, request, queryset):
        self._set_signing(request, queryset, False)

    @admin.action(description=_("Fjern fra organisasjonen (stenger kontoen)"),
                  permissions=["delete"])
    def remove(self, request, queryset):
        self.run_each(request, queryset, lambda membership: services.membership_remove(
            membership=membership, by=request.user), gettext("%(n)d person(er) fjernet."))


@admin.register(Invitation)
class InvitationAdmin(ServiceAdmin):
    list_display = ["email", "organisation", "role", "created_at", "accepted_at", "revoked_at"]
    list_filter = ["role"]
    search_fields = ["email", "organisation__name"]
    fields = ["organisation", "email", "name", "role", "invited_by", "created_at",
              "expires_at", "accepted_at", "revoked_at"]
    readonly_fields = ["invited_by", "created_at", "expires_at", "accepted_at", "revoked_at"]
    actions = ["revoke"]

    def has_change_permission(self, request, obj=None):
        # An invitation is sent and then only revoked; the page shows it.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # revoked instead, so the trail shows who was invited

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        take_created(obj, services.invitation_create(
            by=request.user, organisation=data["organisation"], email=data["email"],
            name=data["name"], role=data["role"]))

    @admin.action(description=_("Trekk tilbake valgte invitasjoner"), permissions=["change"])
    def revoke(self, request, queryset):
        self.run_each(request, queryset, lambda invitation: services.invitation_revoke(
            invitation=invitation, by=request.user),
            gettext("%(n)d invitasjon(er) trukket tilbake."))
