"""Query counts of the API's list operations stay flat however many rows there are."""

import json
from decimal import Decimal

import pytest

from billing.services import funds
from customers.models import AssociationType
from tests.billing.conftest import fund
from tests.customers.factories import AssociationFactory

from .conftest import new_key
from .raw import call

LIMIT = 12  # auth (key + owner + membership) and the operation's own few queries


@pytest.fixture
def busy(partner, finance_member, actor):
    fund(partner, recharge="100000.00")
    associations = [
        AssociationFactory(partner=partner, association_type=AssociationType.RESALE)
        for _ in range(15)
    ]
    for a in associations:
        funds.allocate(actor=actor(finance_member), customer_pk=a.customer_id, amount="10.00")
        funds.recover(actor=actor(finance_member), customer_pk=a.customer_id, amount="1.00")
    return associations


@pytest.mark.parametrize(
    "path, query",
    [
        ("/v3/accounts/partner-accounts/adjust-records", "limit=100&offset=0"),
        ("/v2/accounts/partner-accounts/account-change-records", "limit=100&offset=0"),
        ("/v2/accounts/partner-accounts/balances", ""),
    ],
)
def test_list_operations_use_a_bounded_number_of_queries(
    client, finance_member, busy, path, query, django_assert_max_num_queries
):
    ak, sk = new_key(finance_member)
    with django_assert_max_num_queries(LIMIT):
        response = call(client, "GET", path, ak, sk, query=query)
    assert response.status_code == 200, response.content


def test_batch_balances_use_a_bounded_number_of_queries(
    client, finance_member, busy, django_assert_max_num_queries
):
    ak, sk = new_key(finance_member)
    body = json.dumps(
        {"customer_infos": [{"customer_id": a.customer.customer_id} for a in busy]}
    ).encode()
    with django_assert_max_num_queries(LIMIT):
        response = call(
            client,
            "POST",
            "/v2/accounts/customer-accounts/balances/batch-query",
            ak,
            sk,
            body=body,
        )
    balances = response.json()["customer_balances"]
    assert len(balances) == 15
    assert {Decimal(str(b["amount"])) for b in balances} == {Decimal("9.00")}
