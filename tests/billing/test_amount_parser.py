"""billing.money: the one grammar for an amount a person types, and the form field built on it.

Property tests: every plain amount in range is read exactly; every other text is refused with
InvalidAmount (a form error), never another exception (a 500).
"""

import contextlib
import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing.forms import AmountField
from billing.money import MAX_AMOUNT, InvalidAmount, parse_amount, parse_correction, parse_limit

PLAIN = re.compile(r"[0-9]+(\.[0-9]{1,2})?", re.ASCII)

cents = st.integers(min_value=1, max_value=int(MAX_AMOUNT * 100))


@given(cents, st.sampled_from(["{:.2f}", "{:f}", "{:.1f}", "{}"]), st.integers(0, 3))
def test_every_plain_amount_in_range_is_read_exactly(n, shape, zeros):
    value = Decimal(n) / 100
    text = shape.format(value)
    if "e" in text.lower() or Decimal(text) != value:
        return  # a shape that cannot write this value exactly: not a plain amount of it
    assert parse_amount("0" * zeros + text) == value


# What people and attackers type: ASCII digits and everything Decimal() would also accept.
ALPHABET = (
    "0123456789.."  # the plain grammar, weighted
    "eE+-_, '\u00a0\u3000"  # exponents, signs, separators, spaces
    "０１２３４５６７８９．"  # full-width
    "٠١٢٣٤٥٦٧٨٩"  # Arabic-Indic
    "०१२३"  # Devanagari
    "一二百²½"  # other numerals
    "NaInfinityx\x00\t\n"
)


@given(st.text(alphabet=ALPHABET, max_size=30))
def test_any_text_is_either_a_plain_amount_or_a_clear_refusal(text):
    stripped = text.strip()
    try:
        amount = parse_amount(text)
    except InvalidAmount as e:
        assert str(e.message)
        if PLAIN.fullmatch(stripped):
            # Plain but out of range: zero, or above the maximum.
            assert Decimal(stripped) == 0 or Decimal(stripped) > MAX_AMOUNT
        return
    assert PLAIN.fullmatch(stripped), text
    assert Decimal("0.01") <= amount <= MAX_AMOUNT
    assert amount == Decimal(stripped) and amount.as_tuple().exponent == -2


@given(st.text(max_size=40))
def test_no_text_at_all_raises_anything_but_invalid_amount(text):
    for parse in (parse_amount, parse_limit, parse_correction):
        with contextlib.suppress(InvalidAmount):
            parse(text)


@given(st.text(alphabet=ALPHABET, max_size=30))
def test_the_form_field_cleans_or_gives_a_form_error(text):
    from django import forms

    class F(forms.Form):
        amount = AmountField()

    form = F({"amount": text})
    if form.is_valid():
        assert PLAIN.fullmatch(text.strip())
        assert isinstance(form.cleaned_data["amount"], Decimal)
    else:
        assert form.errors["amount"]


@given(st.decimals(allow_nan=True, allow_infinity=True))
def test_decimals_from_code_are_checked_on_their_value(value):
    try:
        amount = parse_amount(value)
    except InvalidAmount:
        assert not value.is_finite() or not (0 < value <= MAX_AMOUNT) or value != round(value, 2)
        return
    assert amount == value and 0 < amount <= MAX_AMOUNT


@pytest.mark.parametrize(
    "text,message",
    [
        ("1e26", "exponents are not accepted"),
        ("1E+2", "exponents are not accepted"),
        ("1_000", "without separators"),
        ("1,000.00", "without separators"),
        ("1 000", "without separators"),
        ("１００", "digits 0-9"),
        ("١٠٠", "digits 0-9"),
        ("一百", "digits 0-9"),
        ("NaN", "Enter an amount in yuan"),
        ("Infinity", "Enter an amount in yuan"),
        ("-Infinity", "without a + or - sign"),
        ("+5", "without a + or - sign"),
        ("-5", "without a + or - sign"),
        ("", "Enter an amount."),
        ("   ", "Enter an amount."),
        ("1.005", "at most 2 decimal places"),
        ("1.000", "at most 2 decimal places"),
        ("0", "greater than 0"),
        ("0.00", "greater than 0"),
        ("1000000000000", "at most 999,999,999,999.99"),
        ("999999999999.991", "at most 2 decimal places"),
        ("9" * 400, "at most 999,999,999,999.99"),
        ("12.3.4", "Enter an amount in yuan"),
        (".5", "Enter an amount in yuan"),
        ("5\x00", "Enter an amount in yuan"),
    ],
)
def test_each_refusal_says_what_to_type_instead(text, message):
    with pytest.raises(InvalidAmount) as refused:
        parse_amount(text)
    assert message in str(refused.value.message)
    assert refused.value.code == "CBC.0100"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("100", "100.00"),
        ("0.01", "0.01"),
        ("007.5", "7.50"),
        (" 12.30 ", "12.30"),
        ("999999999999.99", "999999999999.99"),
    ],
)
def test_plain_amounts(text, expected):
    assert parse_amount(text) == Decimal(expected)


def test_a_credit_limit_may_be_zero_and_a_correction_may_deduct():
    assert parse_limit("0") == Decimal("0.00")
    assert parse_limit("0.00") == Decimal("0.00")
    with pytest.raises(InvalidAmount, match="sign"):
        parse_limit("-1")
    assert parse_correction("-100.50") == Decimal("-100.50")
    assert parse_correction(Decimal("-3")) == Decimal("-3.00")
    assert parse_correction("7") == Decimal("7.00")
    for bad in ("--5", "-0", "-1e3", "+5", "-１"):
        with pytest.raises(InvalidAmount):
            parse_correction(bad)
