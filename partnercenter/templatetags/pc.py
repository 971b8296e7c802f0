from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.template.loader import get_template

from .. import masking

register = template.Library()


@register.simple_tag(takes_context=True)
def masked(context, key, obj, field, label=""):
    """A masked value with its eye button; see partnercenter.masking."""
    request = context.get("request")
    spec = masking.get(key)
    if spec is None or obj is None:
        return ""
    value = getattr(obj, field, "") or ""
    if not value:
        return "—"
    token = masking.token_for(key, obj.pk, field)
    revealed = request is not None and masking.is_revealed(request.session, token)
    # Rendered without the request: context processors would run again for every cell.
    return get_template("partials/masked.html").render(
        {
            "token": token,
            "revealed": revealed,
            "value": value if revealed else "",
            "masked_value": masking.MASKERS[spec.fields[field]](value),
            "label": label,
            "next": request.get_full_path() if request else "/",
            "csrf_token": context.get("csrf_token"),
        }
    )


@register.filter
def money(value):
    """Yuan with exactly two decimals and thousands separators; never via float."""
    if value is None or value == "":
        return "—"
    amount = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    # Finance pages group thousands with commas in both languages (1,400.50).
    return format(amount, ",.2f")


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def bs_widget(bound_field):
    """Render a third-party form's widget with Bootstrap classes (allauth's forms)."""
    widget = bound_field.field.widget
    input_type = getattr(widget, "input_type", "")
    if input_type in ("checkbox", "radio"):
        css = "form-check-input"
    elif input_type == "select":
        css = "form-select"
    else:
        css = "form-control"
    attrs = {"class": (widget.attrs.get("class", "") + " " + css).strip()}
    if bound_field.errors:
        attrs["class"] += " is-invalid"
        attrs["aria-invalid"] = "true"
    return bound_field.as_widget(attrs=attrs)


@register.filter(name="mask")
def mask_filter(value, kind="name"):
    """A masked value without the eye (summaries and exports)."""
    return masking.MASKERS.get(kind, masking.mask_name)(value or "")


@register.filter
def amount8(value):
    """Consumption amounts keep their precision (up to 8 places) but drop trailing zeros past cents."""
    if value is None:
        return "—"
    d = Decimal(value)
    cents = d.quantize(Decimal("0.01"))
    return format(cents, ",.2f") if d == cents else format(d.normalize(), ",f")


@register.simple_tag(takes_context=True)
def mfa_continue_url(context):
    """The page to go on to after setting up two-factor authentication (partnercenter.mfa)."""
    from ..mfa import continue_url

    request = context.get("request")
    return continue_url(request) if request is not None else ""
