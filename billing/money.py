"""Money input rules: yuan, strictly positive, at most two decimals; never a float."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from partnercenter.errors import DomainError

CENT = Decimal("0.01")
# 999,999,999,999.99: the largest amount a person or the API may type (issue 10 §5).
MAX_AMOUNT = Decimal("999999999999.99")


class InvalidAmount(DomainError):
    code = "CBC.0100"


def parse_amount(value, *, field="amount"):
    """A positive amount in yuan with at most 2 decimal places, or InvalidAmount.

    Anything finer than a cent is refused, not rounded: 1.005 is an error, never 1.01.
    """
    if isinstance(value, float):
        value = repr(value)  # what the person typed, not the binary approximation
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise InvalidAmount(_("Enter an amount in yuan, e.g. 100.00."), field=field) from None
    if not amount.is_finite() or amount <= 0:
        raise InvalidAmount(_("The amount must be greater than 0."), field=field)
    if amount != amount.quantize(CENT):
        raise InvalidAmount(_("The amount can have at most 2 decimal places."), field=field)
    if amount > MAX_AMOUNT:
        raise InvalidAmount(_("The amount is too large."), field=field)
    return amount.quantize(CENT)


def round_cents(value):
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def parse_limit(value, *, field="new_limit"):
    """A credit limit: zero or more, at most two decimals."""
    text = str(value).strip()
    if text in {"0", "0.0", "0.00"}:
        return Decimal("0.00")
    return parse_amount(text, field=field)
