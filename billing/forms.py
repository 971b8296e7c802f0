import uuid
from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnercenter.forms import DateRangeMixin, Form

from .models import ADJUSTMENT_RECORD_TYPES, TradeType
from .money import InvalidAmount, parse_amount, parse_correction, parse_limit


class AmountField(forms.CharField):
    """An amount in yuan typed by a person, read by billing.money's one grammar: cleaned to a
    Decimal, or a form error saying what to type instead. Every money field of every form
    (pages and admin) is one of these; a test walks the forms to keep it so.

    kind: "amount" (> 0), "limit" (≥ 0, a credit limit) or "correction" (≠ 0, `-` deducts).
    """

    PARSERS = {"amount": parse_amount, "limit": parse_limit, "correction": parse_correction}

    def __init__(self, *, kind="amount", **kwargs):
        self.parse = self.PARSERS[kind]
        kwargs.setdefault("max_length", 24)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        )
        kwargs.setdefault("error_messages", {}).setdefault("required", _("Enter an amount."))
        super().__init__(**kwargs)
        # The text's length and characters are the parser's business; validators see the Decimal.
        self.validators = []

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            return self.parse(text)
        except InvalidAmount as e:
            raise forms.ValidationError(e.message, code="invalid_amount") from None

    def validate(self, value):
        if value is None and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")


class AdjustForm(Form):
    """拨款 / 回收."""

    amount = AmountField(label=_("Amount (yuan)"))
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
    amount = AmountField(label=_("Amount (yuan)"))
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
        if not re.fullmatch(r"[0-9]{4}-(0[1-9]|1[0-2])", value):
            raise forms.ValidationError(_("Enter a month as YYYY-MM."))
        if value < consumption_window_start().strftime("%Y-%m"):
            raise forms.ValidationError(_("Customer consumption looks back at most 18 months."))
        return value
