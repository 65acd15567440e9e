"""Read-only views of the Saldo API's data. Writes go through services (seeding command,
onboarding); the admin never changes a ledger, a rate or the log."""

from django.contrib import admin

from .models import Borrower, InterestRate, LedgerEvent, LookupLog


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LedgerEventInline(admin.TabularInline):
    model = LedgerEvent
    fields = ["date", "sequence", "kind", "amount", "years"]
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Borrower)
class BorrowerAdmin(ReadOnlyAdmin):
    list_display = ["name", "environment", "test_case", "description"]
    list_filter = ["environment"]
    inlines = [LedgerEventInline]


@admin.register(InterestRate)
class InterestRateAdmin(ReadOnlyAdmin):
    list_display = ["kind", "valid_from", "valid_to", "rate"]
    list_filter = ["kind"]


@admin.register(LookupLog)
class LookupLogAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "organisation", "environment", "request_id", "status",
                    "error", "latency_ms"]
    list_filter = ["environment", "status"]
    search_fields = ["request_id"]
    exclude = ["fnr_hash"]
