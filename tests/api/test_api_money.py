"""Money in the API (issue 10 §5): a JSON number in any JSON form whose exact value is > 0,
at most 999,999,999,999.99 and has at most 2 decimals; anything else is 400 CBC.0100 naming the
field, never a 500, on every operation that takes an amount."""

import json
from decimal import Decimal

import pytest
from huaweicloudsdkbss.v2 import AdjustAccountReq, UpdateCustomerAccountAmountRequest
from hypothesis import given
from hypothesis import strategies as st

from billing import money
from billing.models import Transfer
from partnercenter.api.render import DecimalParser
from partnercenter.api.schema import MAX_AMOUNT, api_amount
from partnercenter.models import Role
from tests.billing.conftest import balance_of, fund
from tests.factories import MembershipFactory, UserFactory

from .conftest import new_key
from .raw import send

CENTS_MAX = int(MAX_AMOUNT * 100)


class _Body:
    def __init__(self, body):
        self.body = body


def parse(text):
    """The value a field gets for this JSON number, through the API's own body parser."""
    return DecimalParser().parse_body(_Body(b'{"amount": %s}' % text.encode()))["amount"]


def json_forms(cents):
    """Ways JSON can write the same amount: plain, with trailing zeros, with an exponent (as
    Huawei's SDK writes Decimal.normalize()), upper or lower case."""
    value = Decimal(cents).scaleb(-2)
    forms = {
        format(value, "f"),
        format(value.normalize(), "f"),
        str(value.normalize()),
        f"{cents}E-2",
        f"{cents}e-2",
        format(value, "f") + "000",
    }
    if cents % 100 == 0:
        forms.add(str(cents // 100))
    return sorted(forms)


# --- the parser, property-tested ------------------------------------------------------------------


@given(st.integers(min_value=1, max_value=CENTS_MAX), st.data())
def test_every_json_form_of_a_valid_amount_is_that_amount(cents, data):
    text = data.draw(st.sampled_from(json_forms(cents)))
    amount = api_amount(parse(text))
    assert amount == Decimal(cents).scaleb(-2)
    assert amount.as_tuple().exponent == -2


ANY_NUMBER_TEXT = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
    st.integers().map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.from_regex(r"-?(0|[1-9][0-9]{0,79})(\.[0-9]{1,80})?([eE][+-]?[0-9]{1,12})?", fullmatch=True),
    st.sampled_from(["NaN", "Infinity", "-Infinity", "1e26", "1E+2", "-0", "0.00", "1e-999999"]),
)


@given(ANY_NUMBER_TEXT)
def test_any_json_number_is_an_amount_within_the_rules_or_a_clear_refusal(text):
    value = parse(text)
    try:
        amount = api_amount(value)
    except ValueError as e:
        assert str(e)
        exact = getattr(value, "number", value)
        assert (
            not Decimal(exact).is_finite()
            or Decimal(exact) <= 0
            or Decimal(exact) > MAX_AMOUNT
            or Decimal(exact) != Decimal(exact).quantize(Decimal("0.01"))
        )
        return
    assert Decimal(0) < amount <= MAX_AMOUNT
    assert amount == Decimal(text)  # the exact value, never rounded
    assert amount.as_tuple().exponent == -2


@given(
    st.one_of(
        st.text(),
        st.booleans(),
        st.none(),
        st.lists(st.integers(), max_size=2),
        st.floats(),
        st.sampled_from(["100", "100.50", "１００", "١٠٠", "१००", "1e2", " 100 ", "1_000"]),
    )
)
def test_anything_but_a_json_number_is_refused(value):
    with pytest.raises(ValueError):
        api_amount(value)


def test_the_edges():
    assert api_amount(Decimal("0.01")) == Decimal("0.01")
    assert api_amount(MAX_AMOUNT) == MAX_AMOUNT
    assert api_amount(Decimal("1.000")) == Decimal("1.00")  # exact value 1: two decimals at most
    assert api_amount(parse("1E+2")) == Decimal("100.00")
    for refused in ["0", "0.00", "-0.01", "0.001", "1.005", "1000000000000", "999999999999.991"]:
        with pytest.raises(ValueError):
            api_amount(parse(refused))


def test_the_api_and_the_forms_share_one_cap():
    assert MAX_AMOUNT == money.MAX_AMOUNT


# --- every amount field, through the API ----------------------------------------------------------


@pytest.fixture
def amount_operations(partner, resale, distributor, reseller):
    """(path, body without amount, member) for every operation that takes an amount."""
    fund(partner, recharge="1000.00")
    fund(distributor, recharge="1000.00")
    finance = MembershipFactory(
        partner=partner, role=Role.FINANCE, user=UserFactory(email="f@partner-a.test")
    )
    dist_finance = MembershipFactory(
        partner=distributor, role=Role.FINANCE, user=UserFactory(email="f@distributor.test")
    )
    customer = {"customer_id": resale.customer.customer_id}
    a_reseller = {"indirect_partner_id": reseller.domain_id}
    return [
        ("/v2/accounts/partner-accounts/adjust-amount", customer, finance),
        ("/v2/accounts/partner-accounts/reclaim", customer, finance),
        ("/v2/accounts/partner-accounts/indirect-partner-adjust", a_reseller, dist_finance),
        ("/v2/accounts/partner-accounts/indirect-partner-reclaim", a_reseller, dist_finance),
    ]


BAD_AMOUNTS = [
    "1e26",
    "1E+99999999",
    "NaN",
    "Infinity",
    "-Infinity",
    "0",
    "-5",
    "0.001",
    "1000000000000",
    '"100"',
    '"\u0661\u0660\u0660"',  # ١٠٠
    '"\uff11\uff10\uff10"',  # １００
    "true",
    "null",
    "[100]",
    '{"value": 100}',
    "1" * 70,
]


@pytest.mark.django_db(transaction=True)
def test_every_amount_field_refuses_what_is_not_an_amount_by_name(
    settings, live_server, amount_operations, resale, reseller
):
    settings.PC_API_RATE_LIMIT = 1000  # many requests a second, by design
    from billing import ledger
    from partnercenter.api.operations import MONEY_OPERATIONS

    assert len(amount_operations) == len(MONEY_OPERATIONS)
    for path, fields, member in amount_operations:
        ak, sk = new_key(member)
        for text in BAD_AMOUNTS:
            body = json.dumps(fields)[:-1].encode() + b', "amount": %s}' % text.encode()
            response = send("POST", live_server.url, path, ak, sk, body=body)
            assert response.status_code == 400, (path, text, response.content)
            payload = response.json()
            assert payload["error_code"] == "CBC.0100", (path, text)
            assert "amount" in payload["error_msg"], (path, text, payload)
    assert balance_of(resale.customer) == 0
    assert ledger.partner_funds(reseller).recharge == 0
    assert not Transfer.objects.exists() or ledger.verify_ledger() == []


@pytest.mark.django_db(transaction=True)
def test_the_sdk_writes_a_normalised_decimal_with_an_exponent_and_it_is_accepted(
    sdk, finance_member, partner, resale
):
    fund(partner, recharge="1000.00")
    client = sdk(finance_member)
    amount = Decimal("100").normalize()
    assert str(amount) == "1E+2"
    response = client.update_customer_account_amount(
        UpdateCustomerAccountAmountRequest(
            body=AdjustAccountReq(customer_id=resale.customer.customer_id, amount=amount)
        )
    )
    assert Transfer.objects.get(trans_id=response.transfer_id).amount == Decimal("100.00")
    assert balance_of(resale.customer) == Decimal("100.00")
