from django import forms
from django.utils.translation import gettext_lazy as _

from partnercenter.forms import DateRangeMixin, Form
from partnercenter.models import CountryRegion

from .models import (
    AssociationType,
    CustomerKind,
    EventStatus,
    EventType,
    Initiator,
    InvitationKind,
    InvitationStatus,
)

TYPE_CHOICES = [("", _("All"))] + [(str(v), label) for v, label in AssociationType.choices]


class OnlineInvitationForm(Form):
    association_type = forms.TypedChoiceField(
        label=_("Association type"),
        choices=AssociationType.choices,
        coerce=int,
        widget=forms.RadioSelect,
        initial=AssociationType.RESALE,
    )
    email = forms.EmailField(label=_("Customer e-mail"), max_length=254)
    mobile = forms.RegexField(
        label=_("Mobile"),
        regex=r"^\+?[0-9 -]{5,20}$",
        required=False,
        max_length=32,
        error_messages={"invalid": _("Enter a valid mobile number.")},
    )


class BatchInvitationForm(Form):
    association_type = forms.TypedChoiceField(
        label=_("Association type"),
        choices=AssociationType.choices,
        coerce=int,
        widget=forms.RadioSelect,
        initial=AssociationType.RESALE,
    )
    lines = forms.CharField(
        label=_("Customers, one per line: e-mail[, mobile]"),
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "alice@example.com, 13800000000"}),
    )
    file = forms.FileField(label=_("…or upload a CSV file"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lines"].required = False

    def clean(self):
        data = super().clean()
        text = data.get("lines") or ""
        upload = data.get("file")
        if upload:
            if upload.size > 512 * 1024:
                raise forms.ValidationError(_("The file is too large (at most 512 KB)."))
            try:
                text += "\n" + upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError(_("The file must be UTF-8 text (CSV).")) from None
        if not text.strip():
            raise forms.ValidationError(_("Enter at least one e-mail address."))
        data["text"] = text
        return data


class OfflineLinkForm(Form):
    association_type = forms.TypedChoiceField(
        label=_("Association type"),
        choices=AssociationType.choices,
        coerce=int,
        initial=AssociationType.RESALE,
    )
    tag = forms.CharField(
        label=_("Custom tag"),
        max_length=64,
        required=False,
        help_text=_("Leave empty to use your account name."),
    )


class AcceptForm(Form):
    """Shown to a signed-in visitor; the customer fields only when the account is new."""

    name = forms.CharField(
        label=_("Customer name (company or person)"), max_length=200, required=False
    )
    kind = forms.ChoiceField(label=_("Customer type"), choices=CustomerKind.choices, required=False)
    mobile = forms.CharField(label=_("Mobile"), max_length=32, required=False)
    country_region = forms.ChoiceField(
        label=_("Country/region"), choices=CountryRegion.choices, required=False
    )
    agree = forms.BooleanField(label=_("I have read and agree"), required=False)


class CustomerFilterForm(DateRangeMixin, Form):
    association_type = forms.ChoiceField(
        label=_("Association type"), choices=TYPE_CHOICES, required=False
    )
    name = forms.CharField(label=_("Customer name"), required=False, max_length=100)
    account_name = forms.CharField(label=_("Customer account name"), required=False, max_length=64)
    customer_id = forms.CharField(label=_("Customer ID"), required=False, max_length=32)
    account_manager = forms.ChoiceField(label=_("Account manager"), required=False)
    mobile = forms.CharField(label=_("Mobile"), required=False, max_length=32)
    tag = forms.CharField(label=_("Tag"), required=False, max_length=64)
    date_from = forms.DateField(
        label=_("Associated from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Associated to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("-associated_at", _("Newest association first")),
            ("associated_at", _("Oldest association first")),
            ("customer__name", _("Customer name A–Z")),
            ("-customer__name", _("Customer name Z–A")),
        ],
    )

    def __init__(self, *args, managers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account_manager"].choices = [("", _("All")), ("none", _("Not assigned"))] + [
            (str(m.pk), m.user.display_name) for m in managers
        ]


class ResellerCustomerFilterForm(Form):
    name = forms.CharField(label=_("Customer name"), required=False, max_length=100)
    customer_id = forms.CharField(label=_("Customer ID"), required=False, max_length=32)
    reseller = forms.ChoiceField(label=_("Cloud reseller"), required=False)

    def __init__(self, *args, resellers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reseller"].choices = [("", _("All"))] + [
            (str(r.pk), r.name) for r in resellers
        ]


class AssignManagerForm(Form):
    account_manager = forms.ChoiceField(label=_("Account manager"), required=False)

    def __init__(self, *args, managers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account_manager"].choices = [("", _("Withdraw the account manager"))] + [
            (str(m.pk), f"{m.user.display_name} ({m.get_role_display()})") for m in managers
        ]


class ChangeRequestForm(Form):
    reason = forms.CharField(
        label=_("Reason for the request"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    acknowledged = forms.BooleanField(label=_("I understand the above and agree to this operation"))


class HandleRequestForm(Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    acknowledged = forms.BooleanField(
        label=_("I understand the above and agree to this operation"), required=False
    )


class EventFilterForm(DateRangeMixin, Form):
    event_type = forms.ChoiceField(
        label=_("Event type"), required=False, choices=[("", _("All"))] + EventType.choices
    )
    initiator = forms.ChoiceField(
        label=_("Initiator"), required=False, choices=[("", _("All"))] + Initiator.choices
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All"))] + EventStatus.choices
    )
    name = forms.CharField(label=_("Customer name"), required=False, max_length=100)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class InvitationFilterForm(DateRangeMixin, Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All"))] + InvitationStatus.choices
    )
    kind = forms.ChoiceField(
        label=_("Invitation type"),
        required=False,
        choices=[("", _("All"))] + InvitationKind.choices,
    )
    association_type = forms.ChoiceField(
        label=_("Association type"), choices=TYPE_CHOICES, required=False
    )
    email = forms.CharField(label=_("E-mail"), required=False, max_length=254)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ReasonForm(Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class CustomerSecurityForm(Form):
    sensitive_op_verification = forms.BooleanField(
        label=_("Sensitive-operation verification"),
        required=False,
        help_text=_(
            "When on, answering your partner's disassociation or type-switch requests and "
            "agreeing to or cancelling an authorisation ask for a verification code: from your "
            "authenticator app, or else sent to your e-mail."
        ),
    )
