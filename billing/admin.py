from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from partnercenter.actor import Actor
from partnercenter.adminkit import TabularInline
from partnercenter.errors import DomainError
from partnercenter.models import Partner

from .forms import AmountField
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


class PostingInline(TabularInline):
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
    new_limit = AmountField(label=_("New credit limit (yuan)"), kind="limit")
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
    amount = AmountField(label=_("Amount (yuan, negative to deduct)"), kind="correction")
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


# --- Partner bills, fund-request contracts and business discounts ------------------------------
# (Appended as one section; its imports sit here so the section stands alone.)

from partnercenter import staff as staff_groups  # noqa: E402

from .models import (  # noqa: E402
    BusinessDiscount,
    ContractStatus,
    FundRequestContract,
    PartnerBill,
    PartnerBillLine,
    PaymentPlanItem,
)
from .services import contracts as contract_services  # noqa: E402
from .services import discounts as discount_services  # noqa: E402


class PartnerBillLineInline(TabularInline):
    model = PartnerBillLine
    extra = 0
    can_delete = False
    fields = [
        "customer",
        "service_type_code",
        "charging_mode",
        "official_amount",
        "discount_amount",
        "payable_amount",
        "consumed_amount",
        "debt_amount",
        "records",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PartnerBill)
class PartnerBillAdmin(ReadOnly):
    """伙伴账单 are generated by the monthly task and settled by the partner: read-only here."""

    list_display = [
        "partner",
        "bill_cycle",
        "payable_amount",
        "consumed_amount",
        "debt_amount",
        "status",
        "generated_at",
        "settled_at",
    ]
    list_filter = ["status", "bill_cycle"]
    search_fields = ["partner__name", "partner__account_name"]
    list_select_related = ["partner"]
    inlines = [PartnerBillLineInline]


class PaymentPlanInline(TabularInline):
    model = PaymentPlanItem
    extra = 0
    can_delete = False
    fields = ["sequence", "amount", "due_date", "paid_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(FundRequestContract)
class FundRequestContractAdmin(ReadOnly):
    """请款合同: 渠道经理 mark the payment received (a RECHARGE, once per contract)."""

    list_display = [
        "contract_no",
        "partner",
        "amount",
        "promised_payment_date",
        "payer",
        "contracting_entity",
        "status",
        "created_at",
        "paid_at",
    ]
    list_filter = ["status", "contracting_entity"]
    search_fields = ["contract_no", "partner__name", "payer"]
    list_select_related = ["partner"]
    date_hierarchy = "created_at"
    inlines = [PaymentPlanInline]
    actions = ["mark_paid"]

    def has_change_permission(self, request, obj=None):
        # The list's action needs the change permission; the form itself stays read-only.
        return obj is None and request.user.has_perm("billing.change_fundrequestcontract")

    @admin.action(description=_("Mark the payment of the selected contracts received"))
    def mark_paid(self, request, queryset):
        done = 0
        for contract in queryset.filter(status=ContractStatus.PENDING_PAYMENT):
            try:
                contract_services.confirm_contract_payment(
                    actor=_actor(request), contract_id=contract.pk
                )
                done += 1
            except DomainError as e:
                self.message_user(request, f"{contract.contract_no}: {e.message}", messages.ERROR)
        skipped = queryset.exclude(status=ContractStatus.PENDING_PAYMENT).count()
        if skipped:
            self.message_user(
                request,
                _("%(n)s contract(s) skipped: only contracts awaiting payment can be paid.")
                % {"n": skipped},
                messages.WARNING,
            )
        if done:
            self.message_user(
                request,
                _("%(n)s contract(s) marked paid and credited.") % {"n": done},
                messages.SUCCESS,
            )


class BusinessDiscountForm(forms.ModelForm):
    class Meta:
        model = BusinessDiscount
        fields = [
            "name",
            "customer",
            "discount_type",
            "discount_ratio",
            "scope",
            "products",
            "effective_time",
            "expire_time",
        ]
        help_texts = {
            "discount_ratio": _("The share of the list price the customer pays: 0.85 = 15% off."),
        }

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        # The service's own rules, so each error lands on its field.
        probe = BusinessDiscount(
            name=data.get("name") or "",
            discount_type=data.get("discount_type"),
            discount_ratio=data.get("discount_ratio"),
            scope=data.get("scope"),
            effective_time=data.get("effective_time"),
            expire_time=data.get("expire_time"),
        )
        try:
            discount_services.validate_discount(probe, data.get("products"))
        except DomainError as e:
            self.add_error(e.field if e.field in self.fields else None, e.message)
        return data


@admin.register(BusinessDiscount)
class BusinessDiscountAdmin(admin.ModelAdmin):
    """商务折扣, recorded by 华为客户经理 as the CRM would; saved through the discount service."""

    form = BusinessDiscountForm
    list_display = [
        "name",
        "customer",
        "discount_ratio",
        "scope",
        "status_label",
        "effective_time",
        "expire_time",
        "created_by",
    ]
    list_filter = ["scope", "discount_type"]
    search_fields = ["name", "commerce_id", "customer__name", "customer__account_name"]
    list_select_related = ["customer", "created_by"]
    autocomplete_fields = ["customer"]
    filter_horizontal = ["products"]
    readonly_fields = ["commerce_id", "created_by", "created_at"]

    def _in_group(self, request):
        return staff_groups.in_group(request.user, staff_groups.ACCOUNT_MANAGER)

    def has_add_permission(self, request):
        return self._in_group(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self._in_group(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # Orders keep the discount they were priced with: end a discount by its expiry time.
        return False

    @admin.display(description=_("Discount status"))
    def status_label(self, obj):
        return obj.get_status_display()

    def save_model(self, request, obj, form, change):
        discount_services.save_discount(
            actor=_actor(request), discount=obj, products=form.cleaned_data.get("products") or []
        )

    def save_related(self, request, form, formsets, change):
        # The service has set the products already; only inline formsets (none today) remain.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
