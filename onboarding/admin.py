"""Onboarding in the Django admin: read-only. Every step is taken in the portal, through the
services (permission, audit, notifications); the admin never changes a status or a signature."""

from django.contrib import admin

from .models import OnboardingCase, TermsSignature, TermsVersion


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OnboardingCase)
class OnboardingCaseAdmin(ReadOnlyAdmin):
    list_display = ["reference", "organisation", "status", "created_at", "suspended_at"]
    list_filter = ["status"]
    search_fields = ["reference", "organisation__name", "organisation__orgnr"]


@admin.register(TermsVersion)
class TermsVersionAdmin(ReadOnlyAdmin):
    list_display = ["version", "effective_date", "sign_by", "published_at", "sha256"]


@admin.register(TermsSignature)
class TermsSignatureAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "terms", "signer_name", "signed_at", "sha256"]
    list_filter = ["terms"]
