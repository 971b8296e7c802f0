from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from partnercenter.forms import DateRangeMixin, Form
from partnercenter.models import CountryRegion

from . import rules


class ApplicationForm(Form):
    """申请加入分销计划(云经销商): the company, its contact and the distributor it names."""

    company_name = forms.CharField(label=_("Company name"), max_length=200)
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=32)
    country_region = forms.ChoiceField(label=_("Country/region"), choices=CountryRegion.choices)
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    contact_name = forms.CharField(label=_("Contact name"), max_length=100)
    contact_phone = forms.CharField(label=_("Mobile"), max_length=32)
    contact_email = forms.EmailField(label=_("E-mail"))
    distributor = forms.ChoiceField(label=_("Distributor"))
    agree = forms.BooleanField(
        label=_(
            "I confirm that this account will not join any other partner program, and that the "
            "company is not a customer of a Huawei Cloud partner."
        ),
        required=True,
    )

    def __init__(self, *args, invitation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = invitation
        if invitation is not None:
            distributor = invitation.distributor
            self.fields["distributor"].choices = [(str(distributor.pk), distributor.name)]
            self.fields["distributor"].initial = str(distributor.pk)
            self.fields["distributor"].disabled = True
            self.fields["country_region"].choices = [
                (distributor.country_region, distributor.get_country_region_display())
            ]
            self.fields["country_region"].initial = distributor.country_region
            self.fields["country_region"].disabled = True
            return
        country = self.data.get("country_region") or self.initial.get("country_region") or "CN"
        self.fields["distributor"].choices = distributor_choices(country)
        self.fields["country_region"].widget.attrs.update(
            {
                # Choosing a country/region reloads the distributors that work there.
                "hx-get": reverse("resellers:distributor_options"),
                "hx-target": "#id_distributor",
                "hx-swap": "innerHTML",
            }
        )

    def clean(self):
        data = super().clean()
        if self.invitation is None and data.get("distributor") and data.get("country_region"):
            from partnercenter.models import Partner

            distributor = Partner.objects.filter(pk=data["distributor"]).first()
            message = rules.distributor_refusal(distributor, data["country_region"])
            if message:
                self.add_error("distributor", message)
        return data


def distributor_choices(country_region):
    return [("", _("Choose a distributor"))] + [
        (str(p.pk), p.name) for p in rules.available_distributors(country_region)
    ]


class ReviewForm(Form):
    decision = forms.ChoiceField(
        label=_("Review result"),
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason (required for a rejection)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason for the rejection."))
        return data

    @property
    def approve(self):
        return self.cleaned_data.get("decision") == "approve"


class ReviewFilterForm(Form):
    name = forms.CharField(label=_("Cloud reseller name"), required=False, max_length=100)
    mobile = forms.CharField(label=_("Mobile number"), required=False, max_length=32)
    email = forms.CharField(label=_("E-mail"), required=False, max_length=254)


class ResellerFilterForm(DateRangeMixin, Form):
    account_name = forms.CharField(label=_("Account name"), required=False, max_length=64)
    name = forms.CharField(label=_("Cloud reseller name"), required=False, max_length=100)
    reseller_id = forms.CharField(label=_("Cloud reseller ID"), required=False, max_length=32)
    mobile = forms.CharField(label=_("Mobile number"), required=False, max_length=32)
    email = forms.CharField(label=_("E-mail"), required=False, max_length=254)
    date_from = forms.DateField(
        label=_("Associated from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Associated to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class InviteForm(Form):
    email = forms.EmailField(label=_("E-mail"))
    country_region = forms.ChoiceField(
        label=_("The reseller's country/region"), choices=CountryRegion.choices
    )


class AssignManagerForm(Form):
    """分配 / 撤回客户经理: "none" withdraws; nothing chosen is an error, never a withdrawal."""

    WITHDRAW = "none"

    account_manager = forms.ChoiceField(label=_("Account manager"))

    def __init__(self, *args, managers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account_manager"].choices = [
            ("", _("Choose an account manager")),
            (self.WITHDRAW, _("Withdraw the account manager")),
        ] + [(str(m.pk), m.user.display_name) for m in managers]


class ExitForm(Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
