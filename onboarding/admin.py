"""Onboarding in the Django admin: read-only. Every step is taken through the services
(permission, audit, notifications): the case's steps as admin actions built from the same
action table as the case page; the admin never changes a status or a signature itself."""

from django.contrib import admin

from casework.admin import ReadOnlyAdmin, admin_actions

from .actions import ACTIONS
from .models import OnboardingCase, TermsSignature, TermsVersion


@admin.register(OnboardingCase)
class OnboardingCaseAdmin(ReadOnlyAdmin):
    list_display = ["reference", "organisation", "status", "created_at", "status_changed_at"]
    list_filter = ["status"]
    search_fields = ["reference", "organisation__name", "organisation__orgnr"]
    actions = admin_actions(ACTIONS)


@admin.register(TermsVersion)
class TermsVersionAdmin(ReadOnlyAdmin):
    list_display = ["version", "effective_date", "sign_by", "published_at", "sha256"]


@admin.register(TermsSignature)
class TermsSignatureAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "terms", "signer_name", "signed_at", "sha256"]
    list_filter = ["terms"]
