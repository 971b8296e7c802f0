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
    code = forms.CharField(
        label=_("Verification code (authenticator app)"),
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    request_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, needs_code=False, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("request_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        if not needs_code:
            del self.fields["code"]


class BatchRecoverForm(Form):
    remark = forms.CharField(label=_("Remark"), max_length=200, required=False)
    code = forms.CharField(
        label=_("Verification code (authenticator app)"), max_length=10, required=False
    )
    request_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, needs_code=False, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("request_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        if not needs_code:
            del self.fields["code"]


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


class StaffCreditLimitForm(forms.Form):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=None)
    new_limit = forms.CharField(label=_("New credit limit (yuan)"), max_length=24)
    reason = forms.CharField(label=_("Reason"), max_length=255)

    def __init__(self, *args, **kwargs):
        from partnercenter.models import Partner

        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partner.objects.order_by("name")
