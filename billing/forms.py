import uuid
from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnercenter.forms import DateRangeMixin, Form

from .models import ADJUSTMENT_RECORD_TYPES, TradeType


class AdjustForm(Form):
    """拨款 / 回收: the amount stays text here — billing.money.parse_amount is the one rule."""

    amount = forms.CharField(
        label=_("Amount (yuan)"),
        max_length=24,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    remark = forms.CharField(label=_("Remark"), max_length=200, required=False)
    request_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("request_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)


class BatchRecoverForm(Form):
    remark = forms.CharField(label=_("Remark"), max_length=200, required=False)
    request_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("request_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)


class RemittanceClaimForm(Form):
    amount = forms.CharField(label=_("Amount (yuan)"), max_length=24)
    remitted_on = forms.DateField(
        label=_("Remittance date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    payer = forms.CharField(label=_("Payer (account name)"), max_length=200)
    reference = forms.CharField(label=_("Bank reference"), max_length=100)


def one_year_ago():
    return timezone.localdate() - timedelta(days=365)


class LedgerFilterForm(DateRangeMixin, Form):
    """收支明细: the default range is one year back."""

    trade_type = forms.ChoiceField(
        label=_("Trade type"), required=False, choices=[("", _("All"))] + TradeType.choices
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class AdjustmentFilterForm(DateRangeMixin, Form):
    customer = forms.CharField(label=_("Customer name"), required=False, max_length=100)
    # A distributor's records include its allocations to and recoveries from cloud resellers
    # (the transfer's counterparty); these two fields pick them out.
    target = forms.ChoiceField(
        label=_("Adjusted for"),
        required=False,
        choices=[
            ("", _("All")),
            ("customers", _("Customers")),
            ("resellers", _("Cloud resellers")),
        ],
    )
    reseller = forms.CharField(label=_("Cloud reseller name"), required=False, max_length=100)
    trade_type = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=[("", _("All"))] + [(t.value, t.label) for t in ADJUSTMENT_RECORD_TYPES],
    )
    trans_id = forms.CharField(label=_("Transaction ID"), required=False, max_length=32)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, partner=None, **kwargs):
        super().__init__(*args, **kwargs)
        if partner is not None and not partner.is_distributor:
            # Only a distributor has resellers to tell apart.
            del self.fields["target"]
            del self.fields["reseller"]


class StaffCreditLimitForm(forms.Form):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=None)
    new_limit = forms.CharField(label=_("New credit limit (yuan)"), max_length=24)
    reason = forms.CharField(label=_("Reason"), max_length=255)

    def __init__(self, *args, **kwargs):
        from partnercenter.models import Partner

        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partner.objects.order_by("name")


class OrderForm(Form):
    charging_mode = forms.TypedChoiceField(
        label=_("Billing mode"),
        coerce=int,
        widget=forms.RadioSelect,
        choices=[(1, _("Yearly/monthly")), (3, _("Pay-per-use"))],
        initial=1,
    )
    period_type = forms.TypedChoiceField(
        label=_("Period"),
        coerce=int,
        choices=[(2, _("Month(s)")), (3, _("Year(s)"))],
        initial=2,
        required=False,
    )
    period_num = forms.IntegerField(
        label=_("Duration"), min_value=1, max_value=36, initial=1, required=False
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=100, initial=1)
    region_code = forms.ChoiceField(
        label=_("Region"),
        choices=[
            ("cn-north-4", _("CN North-Beijing4")),
            ("cn-east-3", _("CN East-Shanghai1")),
            ("cn-south-1", _("CN South-Guangzhou")),
        ],
    )
    name = forms.CharField(label=_("Resource name"), max_length=100, required=False)

    def clean(self):
        data = super().clean()
        if data.get("charging_mode") == 1 and not (
            data.get("period_type") and data.get("period_num")
        ):
            raise forms.ValidationError(_("Choose how long to buy for."))
        return data


class OrderFilterForm(DateRangeMixin, Form):
    customer = forms.CharField(label=_("Customer name"), required=False, max_length=100)
    order_id = forms.CharField(label=_("Order ID"), required=False, max_length=32)
    status = forms.TypedChoiceField(
        label=_("Order status"), required=False, coerce=int, empty_value=None
    )
    product = forms.ChoiceField(label=_("Product type"), required=False)
    order_type = forms.TypedChoiceField(
        label=_("Order type"), required=False, coerce=int, empty_value=None
    )
    date_from = forms.DateField(
        label=_("Ordered from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Ordered to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        from .models import OrderStatus, OrderType, Product

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All"))] + list(OrderStatus.choices)
        self.fields["order_type"].choices = [("", _("All"))] + list(OrderType.choices)
        self.fields["product"].choices = [("", _("All"))] + [
            (p.service_type_code, p.name) for p in Product.objects.order_by("sort")
        ]


class ConsumptionFilterForm(Form):
    month = forms.CharField(
        label=_("Billing month"),
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month"}),
    )
    customer = forms.CharField(label=_("Customer name"), required=False, max_length=100)
    association_type = forms.ChoiceField(
        label=_("Association type"),
        required=False,
        choices=[("", _("All")), ("1", _("Referral sales")), ("2", _("Resale"))],
    )
    product = forms.ChoiceField(label=_("Product type"), required=False)
    charging_mode = forms.ChoiceField(
        label=_("Billing mode"),
        required=False,
        choices=[("", _("All")), ("1", _("Yearly/monthly")), ("3", _("Pay-per-use"))],
    )

    def __init__(self, *args, **kwargs):
        from .models import Product

        super().__init__(*args, **kwargs)
        self.fields["product"].choices = [("", _("All"))] + [
            (p.service_type_code, p.name) for p in Product.objects.order_by("sort")
        ]

    def clean_month(self):
        import re

        from .selectors import consumption_window_start

        value = (self.cleaned_data.get("month") or "").strip()
        if not value:
            return ""
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
            raise forms.ValidationError(_("Enter a month as YYYY-MM."))
        if value < consumption_window_start().strftime("%Y-%m"):
            raise forms.ValidationError(_("Customer consumption looks back at most 18 months."))
        return value
