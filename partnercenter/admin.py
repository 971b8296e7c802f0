from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .adminkit import TabularInline
from .models import (
    AccessKey,
    AccessKeyStatus,
    AuditEvent,
    MemberInvitation,
    Membership,
    Notification,
    Partner,
    ProgramMembership,
    User,
)


class ProgramInline(TabularInline):
    model = ProgramMembership
    extra = 0


class MembershipInline(TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "joined_at", "removed_at"]


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "country_region",
        "distributor",
        "account_name",
        "domain_id",
        "created_at",
    ]
    list_filter = ["kind", "country_region", "programs__program", "programs__status"]
    search_fields = ["name", "account_name", "domain_id", "contact_email"]
    autocomplete_fields = ["distributor"]
    readonly_fields = ["domain_id", "created_at"]
    inlines = [ProgramInline, MembershipInline]


@admin.register(ProgramMembership)
class ProgramMembershipAdmin(admin.ModelAdmin):
    list_display = ["partner", "program", "status", "joined_on", "exited_on"]
    list_filter = ["program", "status"]
    search_fields = ["partner__name"]
    autocomplete_fields = ["partner"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "partner", "role", "joined_at", "removed_at"]
    list_filter = ["role", "partner__kind", ("removed_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__email", "user__account_name", "partner__name"]
    autocomplete_fields = ["user", "partner"]
    list_select_related = ["user", "partner"]


@admin.register(MemberInvitation)
class MemberInvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "partner", "role", "status", "created_at", "expires_at"]
    list_filter = ["status", "role"]
    search_fields = ["email", "partner__name"]
    readonly_fields = ["token", "membership", "accepted_at", "created_at", "invited_by"]
    list_select_related = ["partner"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor_label", "partner", "action", "target_label", "via", "ip"]
    list_filter = ["action", "via", "partner__kind"]
    search_fields = ["actor_label", "target_label", "target_id", "partner__name", "access_key_id"]
    date_hierarchy = "created_at"
    list_select_related = ["partner"]


@admin.register(AccessKey)
class AccessKeyAdmin(ReadOnlyAdmin):
    """Staff see who holds which key and can switch a leaked one off; the secret never shows."""

    list_display = [
        "access_key_id",
        "user",
        "partner",
        "customer",
        "status",
        "scope",
        "created_at",
        "last_used_at",
    ]
    list_filter = ["status", "scope", "partner__kind"]
    search_fields = ["access_key_id", "user__email", "partner__name", "customer__name"]
    list_select_related = ["user", "partner", "customer"]
    exclude = ["secret_encrypted"]
    actions = ["disable_keys"]

    @admin.action(description=_("Disable the selected access keys"))
    def disable_keys(self, request, queryset):
        from . import audit
        from .actor import Actor

        actor = Actor(user=request.user, via="admin")
        with transaction.atomic():
            for key in queryset.select_for_update(of=("self",)).filter(
                status=AccessKeyStatus.ACTIVE
            ):
                key.status = AccessKeyStatus.DISABLED
                key.save(update_fields=["status"])
                audit.record(
                    "access_key.disable",
                    actor=actor,
                    target=key,
                    partner=key.partner,
                    after={"ak": key.access_key_id},
                )
        self.message_user(request, _("The selected access keys are disabled."))


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "category", "title", "read_at", "email_status"]
    list_filter = ["category", "email_status"]
    search_fields = ["recipient__email", "title"]
    list_select_related = ["recipient"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "account_name", "name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["email", "account_name", "name", "mobile"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("account_name", "name", "mobile", "language")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
