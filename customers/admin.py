from django.contrib import admin

from partnercenter.adminkit import TabularInline

from .models import (
    AccountManagerAssignment,
    Association,
    AssociationEvent,
    Authorization,
    Customer,
    CustomerUser,
    Invitation,
    InvitationBatch,
    NoticeSignature,
)


class CustomerUserInline(TabularInline):
    model = CustomerUser
    extra = 0
    autocomplete_fields = ["user"]


class AssociationInline(TabularInline):
    model = Association
    extra = 0
    fields = ["partner", "association_type", "associated_at", "ended_at", "account_manager", "tag"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "account_name",
        "customer_id",
        "kind",
        "country_region",
        "is_frozen",
        "created_at",
    ]
    list_filter = ["kind", "country_region", "is_frozen"]
    search_fields = ["name", "account_name", "customer_id", "email", "mobile"]
    readonly_fields = ["customer_id"]
    inlines = [CustomerUserInline, AssociationInline]


class ReadOnly(admin.ModelAdmin):
    """Relationship history changes only through the services (pages, API): never edited here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Association)
class AssociationAdmin(ReadOnly):
    list_display = [
        "customer",
        "partner",
        "association_type",
        "associated_at",
        "ended_at",
        "account_manager",
        "tag",
    ]
    list_filter = ["association_type", ("ended_at", admin.EmptyFieldListFilter), "partner__kind"]
    search_fields = [
        "customer__name",
        "customer__account_name",
        "customer__customer_id",
        "partner__name",
        "tag",
    ]
    list_select_related = ["customer", "partner", "account_manager__user"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnly):
    list_display = [
        "__str__",
        "partner",
        "kind",
        "association_type",
        "status",
        "created_at",
        "expires_at",
        "uses",
    ]
    list_filter = ["kind", "status", "association_type"]
    search_fields = ["email", "tag", "partner__name"]
    list_select_related = ["partner"]
    exclude = ["token"]


@admin.register(AssociationEvent)
class AssociationEventAdmin(ReadOnly):
    list_display = [
        "requested_at",
        "customer",
        "partner",
        "event_type",
        "initiator",
        "status",
        "handled_at",
    ]
    list_filter = ["event_type", "initiator", "status"]
    search_fields = ["customer__name", "customer__customer_id", "partner__name", "reason"]
    list_select_related = ["customer", "partner"]


@admin.register(Authorization)
class AuthorizationAdmin(ReadOnly):
    list_display = ["customer", "partner", "status", "requested_at", "decided_at"]
    list_filter = ["status"]
    search_fields = ["customer__name", "partner__name"]
    list_select_related = ["customer", "partner"]


@admin.register(NoticeSignature)
class NoticeSignatureAdmin(ReadOnly):
    list_display = ["customer", "version", "language", "signed_at", "user", "ip"]
    search_fields = ["customer__name", "customer__customer_id", "user__email"]
    list_select_related = ["customer", "user"]


admin.site.register(AccountManagerAssignment, ReadOnly)
admin.site.register(InvitationBatch, ReadOnly)
