"""Field types and conversions shared by the operations (partner-api.md conventions)."""

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from .errors import parameter_error
from .render import OutOfRange

UTC_TIME_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"

UTC_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
# The dates a time-window filter may name. Beyond them nothing exists, and the arithmetic the
# filters do (the next local midnight, one year on) would overflow Python's datetime at 0001 or
# 9999 — a 500 instead of a parameter error.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2999, 12, 31)


def _range_error():
    return _("must be between %(earliest)s and %(latest)s") % {
        "earliest": EARLIEST_DAY.isoformat(),
        "latest": LATEST_DAY.isoformat(),
    }


def _in_range(day):
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ValueError(_range_error())
    return day


def _parse_utc(value):
    try:
        when = datetime.strptime(value, UTC_TIME_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise ValueError(_("must be a UTC time YYYY-MM-DDThh:mm:ssZ")) from None
    _in_range(when.date())
    return when


def _parse_day(value):
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ValueError(_("must be a date YYYY-MM-DD")) from None
    return _in_range(day)


def _parse_month(value):
    return _in_range(date(int(value[:4]), int(value[5:7]), 1))


def _field_check(parse):
    """An AfterValidator: the text stays as it is, once `parse` accepts it."""

    def check(value):
        try:
            parse(value)
        except ValueError as e:
            raise PydanticCustomError("value", str(e)) from None
        return value

    return AfterValidator(check)


UtcTime = Annotated[
    str,
    Field(pattern=UTC_TIME_PATTERN, examples=["2026-01-01T00:00:00Z"]),
    _field_check(_parse_utc),
]
Month = Annotated[
    str, Field(pattern=MONTH_PATTERN, examples=["2026-01"]), _field_check(_parse_month)
]
Day = Annotated[str, Field(pattern=DATE_PATTERN, examples=["2026-01-31"]), _field_check(_parse_day)]
Offset = Annotated[int, Field(ge=0, le=2_000_000_000)]
Limit = Annotated[int, Field(ge=1, le=100)]
Text = Annotated[str, Field(max_length=128)]
Id = Annotated[str, Field(max_length=64)]
CENT = Decimal("0.01")
# The same cap as billing.money.MAX_AMOUNT (the core imports no app; a test holds them equal).
MAX_AMOUNT = Decimal("999999999999.99")


def api_amount(value):
    """Money in a request (partner-api.md §3, "number (SDK: Decimal)"): a JSON number in any of
    JSON's forms — Huawei's SDK writes `Decimal("100").normalize()` as `1E+2` — whose exact value
    is > 0, at most MAX_AMOUNT and has at most 2 decimal places. Returns it with 2 places.

    `value` is what the JSON parser made of it (render.DecimalParser: an int, or a Decimal for
    any number with a fraction or an exponent, and for NaN/Infinity). A string is refused even
    when it looks numeric: the contract says number, and "１００" or "١٠٠" must not slip through.
    Raises ValueError with the reason."""
    if isinstance(value, OutOfRange):
        value = value.number
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise ValueError(_("must be a JSON number in yuan, e.g. 100.50"))
    amount = Decimal(value)
    if not amount.is_finite():
        raise ValueError(_("must be a finite number"))
    if amount <= 0:
        raise ValueError(_("must be greater than 0"))
    # Compared before any arithmetic: quantizing 1e26 to cents overflows the context.
    if amount > MAX_AMOUNT:
        raise ValueError(_("must be at most %(max)s") % {"max": MAX_AMOUNT})
    cents = amount.quantize(CENT)
    if cents != amount:
        raise ValueError(_("can have at most 2 decimal places"))
    return cents


def _amount(value):
    try:
        return api_amount(value)
    except ValueError as e:
        raise PydanticCustomError("amount", str(e)) from None


Amount = Annotated[
    Decimal,
    BeforeValidator(_amount),
    WithJsonSchema(
        {
            "type": "number",
            "exclusiveMinimum": 0,
            "maximum": float(MAX_AMOUNT),
            "description": "Yuan, at most 2 decimal places.",
            "examples": [100.50],
        }
    ),
]


def utc(value):
    """`YYYY-MM-DDThh:mm:ssZ`, or None."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_utc(value, name):
    if not value:
        return None
    try:
        return _parse_utc(value)
    except ValueError as e:
        raise parameter_error(f"{name}: {e}") from None


def utc_window(qs, field, begin_text, end_text, prefix, *, max_span=None):
    """Filter `field` by the `<prefix>_begin` / `<prefix>_end` UTC parameters (both inclusive).
    With `max_span` (orders: one year), begin must not pass end nor be further from it."""
    names = {"begin": f"{prefix}_begin", "end": f"{prefix}_end"}
    begin = parse_utc(begin_text, names["begin"])
    end = parse_utc(end_text, names["end"])
    if max_span is not None and begin and end:
        if begin > end:
            raise parameter_error(_("%(begin)s must not be after %(end)s") % names)
        if end > begin + max_span:
            raise parameter_error(
                _("%(begin)s to %(end)s must not span more than one year") % names
            )
    if begin:
        qs = qs.filter(**{f"{field}__gte": begin})
    if end:
        qs = qs.filter(**{f"{field}__lte": end})
    return qs


def parse_day(value, name):
    if not value:
        return None
    try:
        return _parse_day(value)
    except ValueError as e:
        raise parameter_error(f"{name}: {e}") from None


def local_day_start(day):
    """Midnight Beijing time (UTC+8) of a date: the ledger's trade_time_* are UTC+8 dates."""
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def money_str(value):
    """Money the SDK types as `str`: always two decimals ("100.50")."""
    return f"{Decimal(value):.2f}"


def page(queryset, offset, limit):
    """(total matching, the page): the total is of the whole filtered result, not the page."""
    total = queryset.count()
    return total, list(queryset[offset : offset + limit]) if total > offset else []


class TransferIdOut(Schema):
    """拨款 answers `transfer_id`…"""

    transfer_id: str


class TransIdOut(Schema):
    """…and 回收 answers `trans_id` (the SDK's names differ; both are the transfer's trans_id)."""

    trans_id: str
