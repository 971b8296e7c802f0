from django import forms
from django.utils.translation import gettext_lazy as _

from .models import NotificationCategory, Partner, Role


class BootstrapMixin:
    """Bootstrap classes and aria-invalid on every widget, so templates stay plain."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(
                widget, (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple)
            ):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()

    def full_clean(self):
        # Marked after validation, never in __init__: touching self.errors there would validate
        # before a subclass has finished setting up its fields (choices, querysets).
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["class"] = attrs.get("class", "") + " is-invalid"


class Form(BootstrapMixin, forms.Form):
    pass


class ModelForm(BootstrapMixin, forms.ModelForm):
    pass


class InviteMemberForm(Form):
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.SALES)


class RoleForm(Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class PartnerInfoForm(ModelForm):
    class Meta:
        model = Partner
        fields = [
            "contact_name",
            "contact_email",
            "contact_phone",
            "address",
            "sensitive_op_verification",
        ]
        help_texts = {
            "sensitive_op_verification": _(
                "When on, allocations and recoveries ask for the operator's authenticator-app code."
            )
        }


class DateRangeMixin:
    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date must not be after the end date."))
        return data


class AuditFilterForm(DateRangeMixin, Form):
    action = forms.ChoiceField(label=_("Action"), required=False)
    actor = forms.CharField(label=_("Operator e-mail"), required=False, max_length=254)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, actions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("All"))] + list(actions)


class NotificationPreferencesForm(Form):
    def __init__(self, *args, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        current = current or {}
        for value, label in NotificationCategory.choices:
            self.fields[value] = forms.BooleanField(
                label=label, required=False, initial=current.get(value, True)
            )


class AccessKeyForm(BootstrapMixin, forms.Form):
    description = forms.CharField(
        label=_("Description"),
        max_length=100,
        required=False,
        help_text=_("What the key is for, e.g. the system that will use it."),
    )
