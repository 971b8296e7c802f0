"""An access key's scope (管理我的凭证): a 只读 key calls read operations only; every write
(partnercenter.api.operations.WRITE_OPERATIONS) answers it 403 CBC.0151, through Huawei's SDK."""

from decimal import Decimal

import pytest
from huaweicloudsdkbss.v2 import (
    AdjustAccountReq,
    AdjustToIndirectPartnerReq,
    CancelCustomerOrderReq,
    CancelCustomerOrderRequest,
    CreateCustomerV2Req,
    CreateSubCustomerRequest,
    ListPartnerBalancesRequest,
    ReclaimIndirectPartnerAccountReq,
    ReclaimIndirectPartnerAccountRequest,
    ReclaimToPartnerAccountBalancesReq,
    ReclaimToPartnerAccountRequest,
    UpdateCustomerAccountAmountRequest,
    UpdateIndirectPartnerAccountRequest,
)
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException

from billing import ledger
from billing.models import Order, OrderStatus, Transfer
from billing.services import orders as order_svc
from customers.models import Customer
from partnercenter.api.operations import WRITE_OPERATIONS
from partnercenter.models import AccessKeyScope, Role
from resellers.services import funds as reseller_funds
from tests.billing.conftest import fund
from tests.billing.orders_fixtures import PREPAID
from tests.factories import MembershipFactory

from .conftest import bss, new_key

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal
READ_ONLY = AccessKeyScope.READ_ONLY


@pytest.fixture
def world(
    partner, admin_member, finance_member, resale, distributor, reseller, actor, shop, catalogue
):
    """Something for every write to act on: a funded 代售 customer (shop) with a pending order, and a
    funded reseller. The callers are partner admins, whose roles hold every permission, so a
    refusal can only come from the key's scope."""
    fund(partner, recharge="1000.00")
    order = order_svc.place_order(actor=shop, spec_id=catalogue["eip"].pk, charging_mode=PREPAID)
    fund(distributor, recharge="1000.00")
    dist_admin = MembershipFactory(partner=distributor, role=Role.ADMIN)
    reseller_funds.allocate(actor=actor(dist_admin), reseller_pk=reseller.pk, amount="50.00")
    return {
        "customer": resale.customer,
        "order": order,
        "reseller": reseller,
        "sp_admin": admin_member,
        "dist_admin": dist_admin,
    }


# Every write, called the way a partner's system calls it. Keyed by operation id: the test below
# fails when a write is added to WRITE_OPERATIONS without a call here.
WRITE_CALLS = {
    "update_customer_account_amount": (
        "sp_admin",
        lambda c, w: c.update_customer_account_amount(
            UpdateCustomerAccountAmountRequest(
                body=AdjustAccountReq(customer_id=w["customer"].customer_id, amount=D("1.00"))
            )
        ),
    ),
    "reclaim_to_partner_account": (
        "sp_admin",
        lambda c, w: c.reclaim_to_partner_account(
            ReclaimToPartnerAccountRequest(
                body=ReclaimToPartnerAccountBalancesReq(
                    customer_id=w["customer"].customer_id, amount=D("1.00")
                )
            )
        ),
    ),
    "update_indirect_partner_account": (
        "dist_admin",
        lambda c, w: c.update_indirect_partner_account(
            UpdateIndirectPartnerAccountRequest(
                body=AdjustToIndirectPartnerReq(
                    indirect_partner_id=w["reseller"].domain_id, amount=D("1.00")
                )
            )
        ),
    ),
    "reclaim_indirect_partner_account": (
        "dist_admin",
        lambda c, w: c.reclaim_indirect_partner_account(
            ReclaimIndirectPartnerAccountRequest(
                body=ReclaimIndirectPartnerAccountReq(
                    indirect_partner_id=w["reseller"].domain_id, amount=D("1.00")
                )
            )
        ),
    ),
    "create_sub_customer": (
        "sp_admin",
        lambda c, w: c.create_sub_customer(
            CreateSubCustomerRequest(
                body=CreateCustomerV2Req(
                    domain_name="scope-test-user",
                    xaccount_id="scope-1",
                    xaccount_type="partner_platform_a",
                )
            )
        ),
    ),
    "cancel_customer_order": (
        "sp_admin",
        lambda c, w: c.cancel_customer_order(
            CancelCustomerOrderRequest(body=CancelCustomerOrderReq(order_id=w["order"].order_id))
        ),
    ),
}


def client_for(live_server, member, scope):
    ak, sk = new_key(member, scope=scope)
    return bss(live_server.url, ak, sk, member.partner.domain_id)


def snapshot(w):
    return (
        Transfer.objects.count(),
        Customer.objects.count(),
        Order.objects.get(pk=w["order"].pk).status,
        ledger.customer_account(w["customer"]).balance,
        ledger.partner_funds(w["reseller"]).recharge,
    )


@pytest.mark.django_db(transaction=False)
def test_every_write_operation_has_a_call_here():
    assert set(WRITE_CALLS) == set(WRITE_OPERATIONS)


def test_a_read_only_key_is_refused_every_write_and_changes_nothing(live_server, world):
    before = snapshot(world)
    for operation, (who, call) in WRITE_CALLS.items():
        client = client_for(live_server, world[who], READ_ONLY)
        with pytest.raises(ClientRequestException) as refused:
            call(client, world)
        error = refused.value
        assert (error.status_code, error.error_code) == (403, "CBC.0151"), operation
        assert "只读" in error.error_msg, operation  # the API answers in Chinese by default
    assert snapshot(world) == before
    # Reads are what it is for.
    client = client_for(live_server, world["sp_admin"], READ_ONLY)
    assert client.list_partner_balances(ListPartnerBalancesRequest()).account_balances


def test_a_read_write_key_calls_the_writes_within_its_owners_role(live_server, world, partner):
    balance = ledger.customer_account(world["customer"]).balance
    for operation in ("update_customer_account_amount", "cancel_customer_order"):
        who, call = WRITE_CALLS[operation]
        call(client_for(live_server, world[who], AccessKeyScope.READ_WRITE), world)
    assert Order.objects.get(pk=world["order"].pk).status == OrderStatus.CANCELLED
    assert ledger.customer_account(world["customer"]).balance == balance + D("1.00")
    # A 读写 key moves money only if its owner's role may.
    sales = MembershipFactory(partner=partner, role=Role.SALES)
    balance = ledger.customer_account(world["customer"]).balance
    _who, call = WRITE_CALLS["update_customer_account_amount"]
    with pytest.raises(ClientRequestException) as refused:
        call(client_for(live_server, sales, AccessKeyScope.READ_WRITE), world)
    assert (refused.value.status_code, refused.value.error_code) == (403, "CBC.0151")
    assert "BPC_ITEM_SUBCUSTSERV_010103" in refused.value.error_msg
    assert ledger.customer_account(world["customer"]).balance == balance
