"""Huawei's side of the reseller program: the 计划审核员 work the applications from the changelist.

Nothing here edits an application's fields: every decision is an action that calls the same
service as the partner pages (the admin's change view runs inside a transaction, and the
services start their own durable one, so they are called from the changelist only)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from partnercenter.actor import Actor
from partnercenter.errors import DomainError

from .models import (
    ApplicationStatus,
    DistributorAuthorization,
    ResellerApplication,
    ResellerInvitation,
    ResellerManagerAssignment,
)
from .services import applications as svc


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RejectForm(forms.Form):
    note = forms.CharField(
        label=_("Reason for the rejection"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@admin.register(ResellerApplication)
class ResellerApplicationAdmin(ReadOnlyAdmin):
    list_display = [
        "company_name",
        "applicant",
        "distributor",
        "country_region",
        "status",
        "submitted_at",
        "huawei_reviewed_at",
        "distributor_reviewed_at",
        "partner",
    ]
    list_filter = ["status", "country_region", "distributor"]
    search_fields = ["company_name", "credit_code", "applicant__email", "contact_email"]
    list_select_related = ["applicant", "distributor", "partner"]
    date_hierarchy = "submitted_at"
    actions = ["huawei_approve", "huawei_reject", "complete_exit", "cancel_exit"]

    def has_change_permission(self, request, obj=None):
        # The changelist's actions need the change permission; the form itself stays read-only.
        return obj is None and request.user.has_perm("resellers.change_resellerapplication")

    def _run(self, request, queryset, fn, **kwargs):
        done = 0
        actor = Actor.from_request(request, via="admin")
        for application in queryset.order_by("pk"):
            try:
                fn(actor=actor, application_id=application.pk, **kwargs)
            except DomainError as e:
                self.message_user(
                    request, f"{application.company_name}: {e.message}", messages.ERROR
                )
            else:
                done += 1
        if done:
            self.message_user(
                request, _("%(n)s application(s) handled.") % {"n": done}, messages.SUCCESS
            )

    @admin.action(
        description=_("Approve the selected applications (Huawei review)"), permissions=["change"]
    )
    def huawei_approve(self, request, queryset):
        self._run(request, queryset, svc.huawei_review, approve=True)

    @admin.action(
        description=_("Reject the selected applications (Huawei review)"), permissions=["change"]
    )
    def huawei_reject(self, request, queryset):
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            self._run(
                request, queryset, svc.huawei_review, approve=False, note=form.cleaned_data["note"]
            )
            return None
        return TemplateResponse(
            request,
            "admin/resellers/reject.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Reject cloud reseller applications"),
                "opts": self.opts,
                "queryset": queryset,
                "form": form,
                "action": "huawei_reject",
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(
        description=_("Complete the exit of the selected resellers"), permissions=["change"]
    )
    def complete_exit(self, request, queryset):
        self._run(request, queryset.filter(status=ApplicationStatus.EXITING), svc.complete_exit)

    @admin.action(
        description=_("Withdraw the exit of the selected resellers"), permissions=["change"]
    )
    def cancel_exit(self, request, queryset):
        self._run(request, queryset.filter(status=ApplicationStatus.EXITING), svc.cancel_exit)


@admin.register(ResellerInvitation)
class ResellerInvitationAdmin(ReadOnlyAdmin):
    list_display = ["email", "distributor", "status", "created_at", "expires_at", "applied_at"]
    list_filter = ["status"]
    search_fields = ["email", "distributor__name"]
    list_select_related = ["distributor"]
    exclude = ["token"]


@admin.register(DistributorAuthorization)
class DistributorAuthorizationAdmin(ReadOnlyAdmin):
    list_display = ["reseller", "distributor", "granted_at", "granted_by", "revoked_at"]
    search_fields = ["reseller__name", "distributor__name"]
    list_select_related = ["reseller", "distributor", "granted_by"]


@admin.register(ResellerManagerAssignment)
class ResellerManagerAssignmentAdmin(ReadOnlyAdmin):
    list_display = ["reseller", "distributor", "account_manager", "assigned_at", "ended_at"]
    search_fields = ["reseller__name", "distributor__name"]
    list_select_related = ["reseller", "distributor", "account_manager__user"]
