"""A client token names one allocation or recovery: retries, even concurrent ones, move money once."""

import threading
from decimal import Decimal

import pytest
from huaweicloudsdkbss.v2 import (
    AdjustAccountReq,
    ReclaimToPartnerAccountBalancesReq,
    ReclaimToPartnerAccountRequest,
    UpdateCustomerAccountAmountRequest,
)
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException

from billing import ledger
from billing.models import Transfer
from tests.billing.conftest import balance_of, fund

from .conftest import bss, new_key

pytestmark = pytest.mark.django_db(transaction=True)


def _allocate(client, customer_id, amount, token):
    request = UpdateCustomerAccountAmountRequest(
        body=AdjustAccountReq(customer_id=customer_id, amount=Decimal(amount))
    )
    return (
        client.update_customer_account_amount_invoker(request)
        .add_header("X-Client-Token", token)
        .invoke()
    )


def test_a_retry_with_the_same_token_returns_the_first_transfer(
    sdk, finance_member, partner, resale
):
    fund(partner, recharge="1000.00")
    client = sdk(finance_member)
    cid = resale.customer.customer_id
    first = _allocate(client, cid, "100.00", "order-42")
    again = _allocate(client, cid, "100.00", "order-42")
    assert first.transfer_id == again.transfer_id
    assert balance_of(resale.customer) == Decimal("100.00")
    assert ledger.partner_funds(partner).balance == Decimal("900.00")
    other = _allocate(client, cid, "100.00", "order-43")
    assert other.transfer_id != first.transfer_id
    assert balance_of(resale.customer) == Decimal("200.00")


def test_reusing_a_token_for_another_request_is_refused(sdk, finance_member, partner, resale):
    fund(partner, recharge="1000.00")
    client = sdk(finance_member)
    cid = resale.customer.customer_id
    _allocate(client, cid, "100.00", "t-1")
    with pytest.raises(ClientRequestException) as e:
        _allocate(client, cid, "250.00", "t-1")
    assert e.value.error_code == "CBC.0100"
    request = ReclaimToPartnerAccountRequest(
        body=ReclaimToPartnerAccountBalancesReq(customer_id=cid, amount=Decimal("100.00"))
    )
    with pytest.raises(ClientRequestException):
        client.reclaim_to_partner_account_invoker(request).add_header(
            "X-Client-Token", "t-1"
        ).invoke()
    assert balance_of(resale.customer) == Decimal("100.00")


def test_a_malformed_token_is_a_parameter_error(sdk, finance_member, partner, resale):
    fund(partner, recharge="10.00")
    with pytest.raises(ClientRequestException) as e:
        _allocate(sdk(finance_member), resale.customer.customer_id, "1.00", "has spaces")
    assert e.value.error_code == "CBC.0100"
    assert balance_of(resale.customer) == 0


def test_concurrent_identical_requests_move_money_once(
    live_server, finance_member, partner, resale
):
    fund(partner, recharge="1000.00")
    ak, sk = new_key(finance_member)
    cid = resale.customer.customer_id
    results, errors = [], []
    start = threading.Barrier(6)

    def call():
        client = bss(live_server.url, ak, sk, partner.domain_id)
        start.wait()
        try:
            results.append(_allocate(client, cid, "300.00", "same-request").transfer_id)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=call) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(set(results)) == 1
    assert balance_of(resale.customer) == Decimal("300.00")
    assert Transfer.objects.filter(customer=resale.customer).count() == 1
    assert ledger.verify_ledger() == []
