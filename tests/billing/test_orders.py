from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from billing import ledger
from billing.errors import InsufficientBalance
from billing.models import (
    ConsumptionRecord,
    Order,
    OrderSource,
    OrderStatus,
    Resource,
    ResourceStatus,
)
from billing.services import orders as svc
from billing.tasks import expire_prepaid_resources
from partnercenter.errors import DomainError

from .conftest import balance_of
from .orders_fixtures import ON_DEMAND, PREPAID, discount

pytestmark = pytest.mark.django_db


def test_a_prepaid_order_waits_for_payment_then_runs(shop, catalogue, funded):
    before = ledger.partner_funds(funded).balance
    order = svc.place_order(
        actor=shop, spec_id=catalogue["ecs"].pk, charging_mode=PREPAID, period_num=2, quantity=1
    )
    assert (
        order.status == OrderStatus.PENDING_PAYMENT
        and order.order_id.startswith("CS")
        and len(order.order_id) == 19
    )
    assert (order.official_amount, order.amount_after_discount) == (
        Decimal("370.00"),
        Decimal("370.00"),
    )
    assert not Resource.objects.exists() and balance_of(shop.customer) == Decimal("500.00")
    svc.pay_order(actor=shop, order_id=order.order_id)
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED and order.payment.trade_type == "DEDEUCT"
    resource = Resource.objects.get()
    assert resource.expires_at.date() >= (timezone.now() + timedelta(days=58)).date()
    record = ConsumptionRecord.objects.get()
    assert (record.bill_detail_type, record.amount, record.debt_amount, record.trade_id) == (
        1,
        Decimal("370.00"),
        0,
        order.order_id,
    )
    assert balance_of(shop.customer) == Decimal("130.00")
    # The customer's spending does not lower the partner's 账户余额 again.
    assert ledger.partner_funds(funded).balance == before
    assert ledger.verify_ledger() == []


def test_an_effective_business_discount_lowers_the_price_and_shows_on_the_order(shop, catalogue):
    discount(shop.customer, "0.85")
    discount(shop.customer, "0.50", days_from=5, days_to=10)  # not yet effective
    order = svc.place_order(
        actor=shop, spec_id=catalogue["ecs"].pk, charging_mode=PREPAID, period_num=1
    )
    assert (order.official_amount, order.discount_amount, order.amount_after_discount) == (
        Decimal("185.00"),
        Decimal("27.75"),
        Decimal("157.25"),
    )
    assert order.business_discount.name == "大客户商务折扣"


def test_a_product_scoped_discount_applies_only_to_its_products(shop, catalogue):
    discount(shop.customer, "0.80", products=["EIP"])
    ecs = svc.place_order(actor=shop, spec_id=catalogue["ecs"].pk, charging_mode=PREPAID)
    eip = svc.place_order(actor=shop, spec_id=catalogue["eip"].pk, charging_mode=PREPAID)
    assert ecs.discount_amount == 0 and eip.amount_after_discount == Decimal("92.00")


def test_insufficient_customer_balance_is_refused_and_changes_nothing(shop, catalogue):
    order = svc.place_order(
        actor=shop, spec_id=catalogue["ecs"].pk, charging_mode=PREPAID, period_type=3, period_num=1
    )
    assert order.amount_after_discount == Decimal("2220.00")
    with pytest.raises(InsufficientBalance, match="500.00"):
        svc.pay_order(actor=shop, order_id=order.order_id)
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT and not Resource.objects.exists()
    assert balance_of(shop.customer) == Decimal("500.00")


def test_only_pending_payment_orders_can_be_cancelled(shop, catalogue):
    pending = svc.place_order(actor=shop, spec_id=catalogue["ecs"].pk, charging_mode=PREPAID)
    svc.cancel_order(actor=shop, order_id=pending.order_id)
    assert Order.objects.get(pk=pending.pk).status == OrderStatus.CANCELLED
    paid = svc.place_order(actor=shop, spec_id=catalogue["eip"].pk, charging_mode=PREPAID)
    svc.pay_order(actor=shop, order_id=paid.order_id)
    for order in (pending, paid):
        with pytest.raises(svc.OrderNotCancellable) as raised:
            svc.cancel_order(actor=shop, order_id=order.order_id)
        assert raised.value.code == "CBC.99005010"
    with (
        translation.override("zh-hans"),
        pytest.raises(svc.OrderNotCancellable, match="订单状态不允许取消"),
    ):
        svc.cancel_order(actor=shop, order_id=paid.order_id)


def test_a_pay_per_use_order_creates_the_resource_at_once(shop, catalogue):
    order = svc.place_order(
        actor=shop, spec_id=catalogue["eip"].pk, charging_mode=ON_DEMAND, quantity=2
    )
    assert order.status == OrderStatus.COMPLETED and order.amount_after_discount == 0
    resource = Resource.objects.get(order=order)
    assert (resource.charging_mode, resource.quantity, resource.status) == (
        3,
        2,
        ResourceStatus.ACTIVE,
    )
    assert resource.expires_at is None and resource.rated_until is not None
    assert balance_of(shop.customer) == Decimal("500.00")


def test_bad_order_input_gets_a_clear_error(shop, catalogue):
    with pytest.raises(DomainError, match="quantity"):
        svc.place_order(actor=shop, spec_id=catalogue["ecs"].pk, charging_mode=PREPAID, quantity=0)
    with pytest.raises(DomainError, match="36 months"):
        svc.place_order(
            actor=shop, spec_id=catalogue["ecs"].pk, charging_mode=PREPAID, period_num=40
        )
    with pytest.raises(DomainError, match="not on sale"):
        svc.place_order(actor=shop, spec_id=999999, charging_mode=PREPAID)
    assert not Order.objects.exists()


def test_referral_customers_do_not_order_here(referral, catalogue):
    from partnercenter.actor import Actor
    from tests.customers.factories import customer_login

    actor = Actor(user=customer_login(referral.customer), customer=referral.customer)
    with pytest.raises(DomainError, match="resale customers"):
        svc.place_order(actor=actor, spec_id=catalogue["ecs"].pk, charging_mode=PREPAID)


def test_another_customer_cannot_pay_or_cancel_my_order(shop, catalogue, partner):
    from partnercenter.actor import Actor
    from tests.customers.factories import AssociationFactory, customer_login

    order = svc.place_order(actor=shop, spec_id=catalogue["ecs"].pk, charging_mode=PREPAID)
    other = AssociationFactory(partner=partner).customer
    stranger = Actor(user=customer_login(other), customer=other)
    for fn in (svc.pay_order, svc.cancel_order):
        with pytest.raises(DomainError, match="not found"):
            fn(actor=stranger, order_id=order.order_id)


def test_the_sweep_cancels_unpaid_orders_after_the_window_and_expires_resources(shop, catalogue):
    unpaid = svc.place_order(actor=shop, spec_id=catalogue["ecs"].pk, charging_mode=PREPAID)
    paid = svc.place_order(actor=shop, spec_id=catalogue["eip"].pk, charging_mode=PREPAID)
    svc.pay_order(actor=shop, order_id=paid.order_id)
    Order.objects.filter(pk=unpaid.pk).update(
        pending_payment_end_time=timezone.now() - timedelta(minutes=1)
    )
    Resource.objects.filter(order=paid).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert expire_prepaid_resources() == 2
    assert expire_prepaid_resources() == 0
    assert Order.objects.get(pk=unpaid.pk).status == OrderStatus.CANCELLED
    assert Resource.objects.get(order=paid).status == ResourceStatus.EXPIRED


def test_an_order_placed_while_acting_is_marked_as_on_behalf(
    shop, catalogue, finance_member, resale
):
    from partnercenter.actor import Actor

    acting = Actor(
        user=finance_member.user,
        partner=finance_member.partner,
        membership=finance_member,
        acting_as=resale.customer,
        customer=resale.customer,
    )
    order = svc.place_order(actor=acting, spec_id=catalogue["ecs"].pk, charging_mode=PREPAID)
    assert order.source_type == OrderSource.AGENT and order.created_by == finance_member.user
    from partnercenter.models import AuditEvent

    event = AuditEvent.objects.get(action="order.create")
    assert event.actor == finance_member.user and event.acting_as_id == str(resale.customer.pk)
