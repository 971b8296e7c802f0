from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from partnercenter.actor import Actor
from partnercenter.errors import DomainError
from partnercenter.models import Partner

from .models import (
    Account,
    CreditLimitChange,
    ManualAdjustment,
    Posting,
    RemittanceClaim,
    RemittanceStatus,
    Transfer,
)
from .services import staff as staff_services


class ReadOnly(admin.ModelAdmin):
    """Nothing edits balances or ledger rows here: they change only through the services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Account)
class AccountAdmin(ReadOnly):
    list_display = ["pk", "kind", "partner", "customer", "balance", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["partner__name", "customer__name", "customer__customer_id"]
    list_select_related = ["partner", "customer"]


class PostingInline(admin.TabularInline):
    model = Posting
    extra = 0
    can_delete = False
    fields = ["account", "amount", "balance_after"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Transfer)
class TransferAdmin(ReadOnly):
    list_display = [
        "trans_id",
        "trade_type",
        "partner",
        "customer",
        "counterparty",
        "amount",
        "created_at",
        "created_by",
    ]
    list_filter = ["trade_type"]
    search_fields = [
        "trans_id",
        "partner__name",
        "customer__name",
        "customer__customer_id",
        "remark",
    ]
    date_hierarchy = "created_at"
    list_select_related = ["partner", "customer", "counterparty", "created_by"]
    inlines = [PostingInline]


def _actor(request):
    return Actor.from_request(request, via="admin")


class ServiceAddMixin:
    """The admin's "add" runs a service instead of saving a model form.

    The admin wraps its own add view in a transaction, and the money services must start their
    own durable one, so the add page here is a plain form that calls the service."""

    service_form = None

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def call_service(self, request, data):
        raise NotImplementedError

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = self.service_form(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                self.call_service(request, form.cleaned_data)
            except DomainError as e:
                form.add_error(e.field if e.field in form.fields else None, e.message)
            else:
                self.message_user(request, _("Saved through the ledger."), messages.SUCCESS)
                return redirect(
                    reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Add %(name)s") % {"name": self.opts.verbose_name},
            "form": form,
            "opts": self.opts,
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/billing/service_form.html", context)


class CreditLimitForm(forms.Form):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.order_by("name"))
    new_limit = forms.CharField(label=_("New credit limit (yuan)"), max_length=24)
    reason = forms.CharField(label=_("Reason"), max_length=255)


@admin.register(CreditLimitChange)
class CreditLimitChangeAdmin(ServiceAddMixin, admin.ModelAdmin):
    """渠道经理 sets a credit limit here: a CREDIT transfer, an audit event, the history row."""

    service_form = CreditLimitForm
    list_display = ["created_at", "partner", "old_limit", "new_limit", "reason", "changed_by"]
    search_fields = ["partner__name", "reason"]
    list_select_related = ["partner", "changed_by"]

    def call_service(self, request, data):
        staff_services.set_credit_limit(
            actor=_actor(request),
            partner=data["partner"],
            new_limit=data["new_limit"],
            reason=data["reason"],
        )


class ManualAdjustmentForm(forms.Form):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.order_by("name"))
    amount = forms.CharField(label=_("Amount (yuan, negative to deduct)"), max_length=24)
    reason = forms.CharField(label=_("Reason"), max_length=255)


@admin.register(ManualAdjustment)
class ManualAdjustmentAdmin(ServiceAddMixin, admin.ModelAdmin):
    """A staff correction (ADJUST) of a partner's recharge account, through the ledger."""

    service_form = ManualAdjustmentForm
    list_display = ["created_at", "partner", "amount", "reason", "created_by"]
    search_fields = ["partner__name", "reason"]
    list_select_related = ["partner", "created_by"]

    def call_service(self, request, data):
        staff_services.manual_adjustment(
            actor=_actor(request),
            partner=data["partner"],
            amount=data["amount"],
            reason=data["reason"],
        )


@admin.register(RemittanceClaim)
class RemittanceClaimAdmin(ReadOnly):
    list_display = [
        "claimed_at",
        "partner",
        "amount",
        "remitted_on",
        "payer",
        "reference",
        "status",
        "decided_by",
    ]
    list_filter = ["status"]
    search_fields = ["partner__name", "reference", "payer"]
    list_select_related = ["partner", "decided_by"]
    actions = ["confirm", "reject"]

    def has_change_permission(self, request, obj=None):
        # The list's actions need the change permission; the form itself stays read-only.
        return obj is None and request.user.has_perm("billing.change_remittanceclaim")

    @admin.action(description=_("Confirm the selected claims (money received)"))
    def confirm(self, request, queryset):
        self._decide(request, queryset, staff_services.confirm_remittance, {})

    @admin.action(description=_("Reject the selected claims"))
    def reject(self, request, queryset):
        self._decide(
            request, queryset, staff_services.reject_remittance, {"note": _("Payment not found")}
        )

    def _decide(self, request, queryset, fn, extra):
        done = 0
        for claim in queryset.filter(status=RemittanceStatus.PENDING):
            try:
                fn(actor=_actor(request), claim_id=claim.pk, **extra)
                done += 1
            except DomainError as e:
                self.message_user(request, f"{claim.reference}: {e.message}", messages.ERROR)
        if done:
            self.message_user(request, _("%(n)s claim(s) handled.") % {"n": done}, messages.SUCCESS)
