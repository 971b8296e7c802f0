"""A write's signature works once; reads are never tracked (partner-api.md §1.2 step 11).

Huawei's SDK signs with the current second; setting X-Sdk-Date on the invoker makes it sign
the same request twice exactly as a replay, or two reads in one second, would be signed."""

import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from huaweicloudsdkbss.v2 import (
    AdjustAccountReq,
    AdjustToIndirectPartnerReq,
    CancelCustomerOrderReq,
    CancelCustomerOrderRequest,
    CreateCustomerV2Req,
    CreateSubCustomerRequest,
    ListSubCustomersRequest,
    QuerySubCustomerListReq,
    ReclaimIndirectPartnerAccountReq,
    ReclaimIndirectPartnerAccountRequest,
    ReclaimToPartnerAccountBalancesReq,
    ReclaimToPartnerAccountRequest,
    UpdateCustomerAccountAmountRequest,
    UpdateIndirectPartnerAccountRequest,
)
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException

from billing import ledger
from billing.models import ChargingMode, Order, OrderStatus, Transfer
from billing.services.orders import place_order
from customers.models import Customer
from partnercenter.api import replay
from partnercenter.api.operations import WRITE_OPERATIONS
from partnercenter.models import UsedSignature
from partnercenter.tasks import purge_used_signatures
from tests.billing.conftest import balance_of, fund

from .conftest import bss, new_key
from .raw import send

pytestmark = pytest.mark.django_db(transaction=True)

REPLAYED = "Incorrect IAM authentication information: signed request already used, sign it again"


def _now():
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def _allocate(client, customer_id, amount, *, date, token=None):
    invoker = client.update_customer_account_amount_invoker(
        UpdateCustomerAccountAmountRequest(
            body=AdjustAccountReq(customer_id=customer_id, amount=Decimal(amount))
        )
    ).add_header("X-Sdk-Date", date)
    if token:
        invoker = invoker.add_header("X-Client-Token", token)
    return invoker.invoke()


def _replayed(call):
    with pytest.raises(ClientRequestException) as e:
        call()
    assert (e.value.status_code, e.value.error_code) == (401, "APIGW.0301")
    assert e.value.error_msg == REPLAYED
    return e.value


def test_two_identical_reads_in_one_second_both_succeed(sdk, finance_member, resale):
    client = sdk(finance_member)
    date = _now()

    def query():
        return (
            client.list_sub_customers_invoker(
                ListSubCustomersRequest(body=QuerySubCustomerListReq(limit=10))
            )
            .add_header("X-Sdk-Date", date)
            .invoke()
        )

    first, second = query(), query()
    assert first.count == second.count == 1
    assert not UsedSignature.objects.exists()  # reads are never recorded


def test_a_replayed_allocation_moves_money_once(sdk, finance_member, partner, resale):
    fund(partner, recharge="1000.00")
    client = sdk(finance_member)
    cid, date = resale.customer.customer_id, _now()
    first = _allocate(client, cid, "100.00", date=date)
    assert first.transfer_id
    _replayed(lambda: _allocate(client, cid, "100.00", date=date))
    assert balance_of(resale.customer) == Decimal("100.00")
    assert Transfer.objects.filter(customer=resale.customer).count() == 1
    # Signed afresh (another second), the same allocation is a new request.
    later = (datetime.now(UTC) + timedelta(seconds=1)).strftime("%Y%m%dT%H%M%SZ")
    assert _allocate(client, cid, "100.00", date=later).transfer_id != first.transfer_id
    assert balance_of(resale.customer) == Decimal("200.00")


def test_an_sdk_retry_with_the_same_client_token_returns_the_first_result(
    sdk, finance_member, partner, resale
):
    fund(partner, recharge="1000.00")
    client = sdk(finance_member)
    cid, date = resale.customer.customer_id, _now()
    first = _allocate(client, cid, "100.00", date=date, token="retry-1")
    again = _allocate(client, cid, "100.00", date=date, token="retry-1")
    assert again.transfer_id == first.transfer_id
    assert balance_of(resale.customer) == Decimal("100.00")


def test_a_failed_write_does_not_use_its_signature_up(sdk, finance_member, partner, resale):
    fund(partner, recharge="10.00")
    client = sdk(finance_member)
    cid, date = resale.customer.customer_id, _now()
    with pytest.raises(ClientRequestException) as e:
        _allocate(client, cid, "50.00", date=date)
    assert e.value.error_code == "CBC.99005003"  # insufficient balance
    assert not UsedSignature.objects.exists()
    fund(partner, recharge="100.00")
    assert _allocate(client, cid, "50.00", date=date).transfer_id  # the same signed request
    assert balance_of(resale.customer) == Decimal("50.00")
    _replayed(lambda: _allocate(client, cid, "50.00", date=date))
    assert balance_of(resale.customer) == Decimal("50.00")


def test_a_token_that_never_completed_does_not_excuse_a_replay(
    live_server, finance_member, partner, resale
):
    fund(partner, recharge="1000.00")
    ak, sk = new_key(finance_member)
    path = "/v2/accounts/partner-accounts/adjust-amount"
    body = b'{"customer_id": "%s", "amount": 5}' % resale.customer.customer_id.encode()
    when = datetime.now(UTC)
    assert send("POST", live_server.url, path, ak, sk, body=body, when=when).status_code == 200
    # The captured request again, with an unsigned token that names no completed transfer.
    replayed = send(
        "POST",
        live_server.url,
        path,
        ak,
        sk,
        body=body,
        when=when,
        unsigned_headers={"X-Client-Token": "never-used"},
    )
    assert replayed.status_code == 401, replayed.content
    assert replayed.json()["error_msg"] == REPLAYED
    assert balance_of(resale.customer) == Decimal("5.00")


def test_every_write_operation_refuses_a_replay(
    sdk, admin_member, resale, shop, catalogue, distributor_admin, reseller
):
    date = _now()
    cid = resale.customer.customer_id
    client = sdk(admin_member)

    def reclaim():
        return (
            client.reclaim_to_partner_account_invoker(
                ReclaimToPartnerAccountRequest(
                    body=ReclaimToPartnerAccountBalancesReq(customer_id=cid, amount=Decimal("1"))
                )
            )
            .add_header("X-Sdk-Date", date)
            .invoke()
        )

    reclaim()
    _replayed(reclaim)
    assert balance_of(resale.customer) == Decimal("499.00")

    def create():
        return (
            client.create_sub_customer_invoker(
                CreateSubCustomerRequest(
                    body=CreateCustomerV2Req(xaccount_id="replay-1", xaccount_type="shop")
                )
            )
            .add_header("X-Sdk-Date", date)
            .invoke()
        )

    create()
    _replayed(create)
    assert Customer.objects.filter(xaccount_id="replay-1").count() == 1

    order = place_order(actor=shop, spec_id=catalogue["eip"].pk, charging_mode=ChargingMode.PREPAID)

    def cancel():
        return (
            client.cancel_customer_order_invoker(
                CancelCustomerOrderRequest(body=CancelCustomerOrderReq(order_id=order.order_id))
            )
            .add_header("X-Sdk-Date", date)
            .invoke()
        )

    cancel()
    _replayed(cancel)  # not "order status does not allow cancellation": the signature is spent
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED

    fund(distributor_admin.partner, recharge="100.00")
    distributor = sdk(distributor_admin)

    def fund_reseller():
        return (
            distributor.update_indirect_partner_account_invoker(
                UpdateIndirectPartnerAccountRequest(
                    body=AdjustToIndirectPartnerReq(
                        indirect_partner_id=reseller.domain_id, amount=Decimal("7")
                    )
                )
            )
            .add_header("X-Sdk-Date", date)
            .invoke()
        )

    fund_reseller()
    _replayed(fund_reseller)

    def reclaim_from_reseller():
        return (
            distributor.reclaim_indirect_partner_account_invoker(
                ReclaimIndirectPartnerAccountRequest(
                    body=ReclaimIndirectPartnerAccountReq(
                        indirect_partner_id=reseller.domain_id, amount=Decimal("2")
                    )
                )
            )
            .add_header("X-Sdk-Date", date)
            .invoke()
        )

    reclaim_from_reseller()
    _replayed(reclaim_from_reseller)
    assert Transfer.objects.filter(counterparty=reseller).count() == 2
    assert ledger.partner_funds(reseller).recharge == Decimal("5.00")
    tried = {
        "update_customer_account_amount",  # test_a_replayed_allocation_moves_money_once
        "reclaim_to_partner_account",
        "create_sub_customer",
        "cancel_customer_order",
        "update_indirect_partner_account",
        "reclaim_indirect_partner_account",
    }
    assert tried == WRITE_OPERATIONS


def test_the_same_signed_allocation_sent_at_once_moves_money_once(
    live_server, finance_member, partner, resale
):
    fund(partner, recharge="1000.00")
    ak, sk = new_key(finance_member)
    client = bss(live_server.url, ak, sk, partner.domain_id)
    cid, date = resale.customer.customer_id, _now()
    n = 6
    start = threading.Barrier(n)
    outcomes = []

    def call():
        start.wait()
        try:
            outcomes.append(_allocate(client, cid, "300.00", date=date).transfer_id)
        except ClientRequestException as e:
            outcomes.append((e.status_code, e.error_msg))

    threads = [threading.Thread(target=call) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    moved = [o for o in outcomes if isinstance(o, str)]
    assert len(moved) == 1, outcomes
    assert sorted(o for o in outcomes if not isinstance(o, str)) == [(401, REPLAYED)] * (n - 1)
    assert balance_of(resale.customer) == Decimal("300.00")
    assert ledger.verify_ledger() == []


def test_the_sweep_forgets_signatures_once_their_date_has_left_the_window(finance_member):
    now = datetime.now(UTC)

    def used(signature, signed_at):
        return UsedSignature.objects.create(
            access_key_id="AK", signature=signature, signed_at=signed_at, claim="c"
        )

    stale = used("a" * 64, now - timedelta(minutes=16))
    used("b" * 64, now - timedelta(minutes=14))
    # Signed 14 minutes ahead of the server clock: acceptable until 29 minutes from now.
    used("c" * 64, now + timedelta(minutes=14))
    assert purge_used_signatures() == 1
    assert purge_used_signatures() == 0  # idempotent
    assert not UsedSignature.objects.filter(pk=stale.pk).exists()
    assert UsedSignature.objects.count() == 2
    assert replay.purge_expired(now=now + timedelta(minutes=30)) == 2


def test_the_sweep_is_on_beat_schedule(settings):
    entries = [e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "partnercenter.tasks.purge_used_signatures" in entries


def test_each_operation_is_known_by_its_sdk_name(rf):
    from partnercenter.api.middleware import operation_id
    from partnercenter.api.operations import MONEY_OPERATIONS
    from partnercenter.api.site import api

    named = set()
    for path, methods in api.get_openapi_schema()["paths"].items():
        for method, op in methods.items():
            request = rf.generic(method.upper(), path.replace("{order_id}", "CS%2F1"))
            assert operation_id(request) == op["operationId"], path
            named.add(op["operationId"])
    assert WRITE_OPERATIONS.issubset(named) and MONEY_OPERATIONS.issubset(WRITE_OPERATIONS)
    assert operation_id(rf.get("/v2/no/such/api")) is None
    assert operation_id(rf.delete("/v2/accounts/partner-accounts/balances")) is None
