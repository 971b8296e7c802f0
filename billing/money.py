"""Money input rules: yuan, at most two decimals, never a float — and one grammar for what a
person types.

Text typed into a form is read by one strict grammar: ASCII digits, an optional `.` and at most
two decimals. Python's Decimal would also take `1e26`, `1_000`, `１００` (full-width), `١٠٠`
(Arabic-Indic), ` NaN`, `+5`: each of those is refused here with its own message, so a person
learns what to type instead and nothing odd reaches the ledger. Decimal values from code and
the API (which has its own JSON-number rules) are checked on their value only.
"""

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from partnercenter.errors import DomainError

CENT = Decimal("0.01")
# 999,999,999,999.99: the largest amount a person or the API may type (issue 10 §5).
MAX_AMOUNT = Decimal("999999999999.99")
_PLAIN = re.compile(r"(?P<int>[0-9]+)(?:\.(?P<frac>[0-9]+))?", re.ASCII)


class InvalidAmount(DomainError):
    code = "CBC.0100"


def _example():
    return _("Enter an amount in yuan, e.g. 100.00.")


def _why_not_plain(text):
    """The message for text the plain grammar refuses: what the person should change."""
    lowered = text.lower()
    if any(not ("0" <= ch <= "9") and unicodedata.numeric(ch, None) is not None for ch in text):
        # Full-width １００, Arabic-Indic ١٠٠, 一百, ², …: Decimal would read some of them.
        return _("Type the amount with the digits 0-9 (half-width).")
    if text[:1] in "+-＋－":
        return _("Type the amount without a + or - sign.")
    if lowered.lstrip("+-") in {"nan", "snan", "inf", "infinity"}:
        return _example()
    if "e" in lowered and re.fullmatch(r"[+-]?[0-9.]*e[+-]?[0-9]*", lowered, re.ASCII):
        return _("Write the amount out in digits, e.g. 1000000.00: exponents are not accepted.")
    if any(ch in text for ch in ",_ '’\u00a0\u3000，、．"):
        return _("Type the amount without separators: no commas, spaces or underscores.")
    return _example()


def _check_value(amount, *, field, allow_zero=False):
    if not amount.is_finite():
        raise InvalidAmount(_example(), field=field)
    if amount < 0 or (amount == 0 and not allow_zero):
        raise InvalidAmount(_("The amount must be greater than 0."), field=field)
    if amount > MAX_AMOUNT:
        raise InvalidAmount(
            _("The amount can be at most 999,999,999,999.99 yuan."),
            field=field,
        )
    # Compared after the bound: quantize() on a huge Decimal raises InvalidOperation.
    if amount != amount.quantize(CENT):
        raise InvalidAmount(_("The amount can have at most 2 decimal places."), field=field)
    return amount.quantize(CENT)


def _from_text(text, *, field, allow_zero=False):
    text = text.strip()
    if not text:
        raise InvalidAmount(_("Enter an amount."), field=field)
    match = _PLAIN.fullmatch(text)
    if match is None:
        raise InvalidAmount(_why_not_plain(text), field=field)
    if match["frac"] is not None and len(match["frac"]) > 2:
        raise InvalidAmount(_("The amount can have at most 2 decimal places."), field=field)
    return _check_value(Decimal(text), field=field, allow_zero=allow_zero)


def parse_amount(value, *, field="amount", allow_zero=False):
    """A positive amount in yuan with at most 2 decimal places, or InvalidAmount.

    Text follows the strict grammar above; a Decimal or int is checked on its value. Anything
    finer than a cent is refused, not rounded: 1.005 is an error, never 1.01.
    """
    if isinstance(value, bool) or value is None:
        raise InvalidAmount(_example(), field=field)
    if isinstance(value, float):
        value = repr(value)  # what was written, not the binary approximation
        if "e" in value.lower() or not value.replace(".", "", 1).isdigit():
            raise InvalidAmount(_example(), field=field)
    if isinstance(value, Decimal):
        try:
            return _check_value(value, field=field, allow_zero=allow_zero)
        except InvalidOperation:
            raise InvalidAmount(_example(), field=field) from None
    if isinstance(value, int):
        return _check_value(Decimal(value), field=field, allow_zero=allow_zero)
    if not isinstance(value, str):
        raise InvalidAmount(_example(), field=field)
    return _from_text(value, field=field, allow_zero=allow_zero)


def parse_limit(value, *, field="new_limit"):
    """A credit limit: zero or more, at most two decimals."""
    return parse_amount(value, field=field, allow_zero=True)


def parse_correction(value, *, field="amount"):
    """A staff correction: an amount with an optional leading `-` to deduct, never 0."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("-"):
            return -parse_amount(text[1:], field=field)
    elif isinstance(value, Decimal) and value.is_signed() and value.is_finite():
        return -parse_amount(-value, field=field)
    return parse_amount(value, field=field)


def round_cents(value):
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
