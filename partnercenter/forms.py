from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import AccessKeyScope, NotificationCategory, Partner, Role

# The dates a person may type into any date field of the portal. Far enough either way for every
# real question; near enough that a day boundary in Beijing time (the day after the last day of a
# range, the UTC instant of the first) never leaves Python's or the database's calendar.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2999, 12, 31)


def validate_date_in_range(value):
    if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(
            _("Enter a date between %(earliest)s and %(latest)s."),
            code="date_out_of_range",
            params={"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
        )


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
            if isinstance(field, forms.DateField):
                # Every date field, filters included: 0001-01-01 or 9999-12-31 is a form error
                # here, never an overflow where a view turns the day into a time range.
                field.validators.append(validate_date_in_range)
                widget.attrs.setdefault("min", EARLIEST_DATE.isoformat())
                widget.attrs.setdefault("max", LATEST_DATE.isoformat())

    def full_clean(self):
        # Marked after validation, never in __init__: touching self.errors there would validate
        # before a subclass has finished setting up its fields (choices, querysets).
        super().full_clean()
        for name in set(self.errors) | getattr(self, "invalid_fields", set()):
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
            "require_mfa",
        ]
        help_texts = {
            "sensitive_op_verification": _(
                "When on, sensitive operations (allocation and recovery, balance payment, "
                "disassociation and type switch, access keys) ask for a verification code: from "
                "the operator's authenticator app, or else sent to their e-mail."
            ),
            "require_mfa": _(
                "When on, every colleague must activate an authenticator app: those without one "
                "are taken to set it up before they can use the portal."
            ),
        }


class DateRangeMixin:
    """A list's date range filter. Its date errors are shown above the filters (every list
    template renders the form's non-field errors), each naming its field."""

    def clean(self):
        data = super().clean()
        self.invalid_fields = set()
        for name, field in self.fields.items():
            if isinstance(field, forms.DateField) and name in self._errors:
                for message in self._errors.pop(name):
                    self.add_error(None, f"{field.label}: {message}")
                self.invalid_fields.add(name)
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
    scope = forms.ChoiceField(
        label=_("Access scope"),
        choices=AccessKeyScope.choices,
        initial=AccessKeyScope.READ_ONLY,
        widget=forms.RadioSelect,
        required=False,
        help_text=_(
            "Read only: queries only. Read and write: also allocation, recovery, creating "
            "customers and cancelling orders, within your role's permissions."
        ),
    )

    def clean_scope(self):
        # Nothing chosen is the least a key can do.
        return self.cleaned_data.get("scope") or AccessKeyScope.READ_ONLY


class EmailCodeInput(forms.TextInput):
    """The e-mail code box with its Send code button. The button submits the surrounding form
    with `send_code`: the view sends the code and shows the same step again (no JavaScript
    needed; htmx sends the button's name too)."""

    def render(self, name, value, attrs=None, renderer=None):
        box = super().render(name, value, attrs, renderer)
        return format_html(
            '<div class="input-group">{}<button type="submit" name="send_code" value="1" '
            'formnovalidate class="btn btn-outline-secondary" data-testid="send-code">{}</button>'
            "</div>",
            box,
            _("Send code"),
        )


class VerificationForm(BootstrapMixin, forms.Form):
    """The code of 敏感操作验证, shown at an operation's confirm step (partnercenter.verification)."""

    code = forms.CharField(max_length=10, required=False, strip=True)

    def __init__(self, *args, method, email="", **kwargs):
        super().__init__(*args, **kwargs)
        self.method = method
        self.notice = ""
        field = self.fields["code"]
        attrs = {
            "inputmode": "numeric",
            "autocomplete": "one-time-code",
            "class": "form-control",
            "data-testid": "verification-code",
        }
        if method == "totp":
            field.label = _("Verification code (authenticator app)")
            field.help_text = _("The 6-digit code your authenticator app shows now.")
            field.widget = forms.TextInput(attrs=attrs)
        else:
            field.label = _("E-mail verification code")
            field.help_text = _(
                "Select Send code: a 6-digit code goes to %(email)s and is valid for 5 minutes."
            ) % {"email": email}
            field.widget = EmailCodeInput(attrs=attrs)

    def add_error(self, field, error):
        super().add_error(field, error)
        attrs = self.fields["code"].widget.attrs
        attrs["aria-invalid"] = "true"
        if "is-invalid" not in attrs.get("class", ""):
            attrs["class"] = attrs.get("class", "") + " is-invalid"
