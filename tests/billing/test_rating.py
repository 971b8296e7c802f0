import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from billing import ledger
from billing.models import ChargingMode, ConsumptionRecord, Resource, TradeType, Transfer
from billing.selectors import outstanding_debt
from billing.services import funds
from billing.services import orders as svc
from billing.services.rating import HOUR, rate_due_hours
from billing.tasks import rate_on_demand_resources
from customers import rules
from customers.models import EventType
from customers.services import associations
from partnercenter.errors import DomainError

from .conftest import balance_of
from .orders_fixtures import ON_DEMAND, discount

pytestmark = pytest.mark.django_db


def hours_ago(n):
    return (timezone.now() - timedelta(hours=n)).replace(minute=0, second=0, microsecond=0)


def running(customer, spec, hours, quantity=1):
    start = hours_ago(hours)
    return Resource.objects.create(
        name="vm",
        customer=customer,
        spec=spec,
        charging_mode=ChargingMode.ON_DEMAND,
        quantity=quantity,
        started_at=start,
        rated_until=start,
    )


def test_each_closed_hour_is_charged_once_however_often_the_task_runs(shop, catalogue):
    resource = running(shop.customer, catalogue["ecs"], hours=5)  # 0.40 / hour
    assert rate_on_demand_resources() == 5
    assert rate_on_demand_resources() == 0
    assert rate_due_hours() == 0
    records = ConsumptionRecord.objects.filter(resource=resource).order_by("consume_time")
    assert records.count() == 5
    assert {r.bill_detail_type for r in records} == {5}
    assert [r.consume_time for r in records] == [hours_ago(5) + i * HOUR for i in range(5)]
    assert balance_of(shop.customer) == Decimal("498.00")
    assert Transfer.objects.filter(trade_type=TradeType.DEDUCT).count() == 5
    assert ledger.verify_ledger() == []


def test_discounts_apply_to_usage(shop, catalogue):
    discount(shop.customer, "0.85")
    resource = running(shop.customer, catalogue["ecs"], hours=1, quantity=3)  # 1.20 list
    rate_due_hours()
    record = ConsumptionRecord.objects.get(resource=resource)
    assert (record.official_amount, record.discount_amount, record.payable_amount) == (
        Decimal("1.20"),
        Decimal("0.18"),
        Decimal("1.02"),
    )


def test_a_short_balance_becomes_arrears_and_an_allocation_writes_it_off(
    shop, catalogue, finance_member, actor, resale
):
    funds.recover(
        actor=actor(finance_member), customer_pk=resale.customer_id, amount="499.50"
    )  # 0.50 left
    resource = running(shop.customer, catalogue["ecs"], hours=3)  # needs 1.20
    rate_due_hours()
    records = list(ConsumptionRecord.objects.filter(resource=resource).order_by("consume_time"))
    assert [(r.amount, r.debt_amount) for r in records] == [
        (Decimal("0.40"), 0),
        (Decimal("0.10"), Decimal("0.30")),
        (Decimal("0"), Decimal("0.40")),
    ]
    assert balance_of(shop.customer) == 0 and outstanding_debt(shop.customer) == Decimal("0.70")
    assert rules.customer_in_arrears(shop.customer)
    # In arrears: no disassociation until written off.
    funds.allocate(actor=actor(finance_member), customer_pk=resale.customer_id, amount="10.00")
    assert balance_of(shop.customer) == Decimal("9.30")
    assert outstanding_debt(shop.customer) == 0
    writeoff = Transfer.objects.get(trade_type=TradeType.WRITEOFF)
    assert writeoff.amount == Decimal("0.70")
    assert [
        r.adjustment_amount
        for r in ConsumptionRecord.objects.filter(resource=resource).order_by("consume_time")
    ] == [0, Decimal("0.30"), Decimal("0.40")]
    assert ledger.verify_ledger() == []


def test_the_disassociation_check_lists_the_arrears(
    admin_member, shop, catalogue, finance_member, actor, resale
):
    funds.recover(actor=actor(finance_member), customer_pk=resale.customer_id, amount="500.00")
    running(shop.customer, catalogue["ecs"], hours=1)
    rate_due_hours()
    with pytest.raises(DomainError) as raised:
        associations.request_change(
            actor=actor(admin_member),
            association_id=resale.pk,
            event_type=EventType.DISASSOCIATE,
            reason="到期",
            acknowledged=True,
        )
    assert "IS_DEBT" in [i.code for i in raised.value.items]


def test_unpaid_orders_block_disassociation(admin_member, shop, catalogue, actor, resale):
    from billing.models import OrderStatus

    svc.place_order(actor=shop, spec_id=catalogue["ecs"].pk, charging_mode=1)
    with pytest.raises(DomainError) as raised:
        associations.request_change(
            actor=actor(admin_member),
            association_id=resale.pk,
            event_type=EventType.DISASSOCIATE,
            reason="到期",
            acknowledged=True,
        )
    assert "HAS_UNPAID_ORDER" in [i.code for i in raised.value.items]
    assert OrderStatus.PENDING_PAYMENT


def test_a_released_resource_is_charged_up_to_its_release(shop, catalogue):
    order = svc.place_order(actor=shop, spec_id=catalogue["ecs"].pk, charging_mode=ON_DEMAND)
    resource = Resource.objects.get(order=order)
    Resource.objects.filter(pk=resource.pk).update(
        started_at=hours_ago(6), rated_until=hours_ago(6)
    )
    svc.release_resource(actor=shop, resource_id=resource.resource_id)
    Resource.objects.filter(pk=resource.pk).update(released_at=hours_ago(3) + timedelta(minutes=20))
    rate_due_hours()
    assert (
        ConsumptionRecord.objects.filter(resource=resource).count() == 4
    )  # hours -6 … -3 (released during it)
    assert rate_due_hours() == 0


def test_referral_usage_is_recorded_but_paid_to_huawei(referral, catalogue):
    resource = running(referral.customer, catalogue["eip"], hours=2)
    rate_due_hours()
    records = ConsumptionRecord.objects.filter(resource=resource)
    assert records.count() == 2 and {r.account_type for r in records} == {0}
    assert {r.transfer_id for r in records} == {None} and {r.association_type for r in records} == {
        1
    }


@pytest.mark.django_db(transaction=True)
def test_two_workers_rating_at_once_charge_each_hour_once():
    from billing.ledger import forget_accounts
    from tests.billing.conftest import fund
    from tests.customers.factories import AssociationFactory
    from tests.factories import MembershipFactory, PartnerFactory

    forget_accounts()
    partner = PartnerFactory()
    member = MembershipFactory(partner=partner, role="finance")
    association = AssociationFactory(
        partner=partner, associated_at=timezone.now() - timedelta(days=3)
    )
    fund(partner, recharge="1000")
    from partnercenter.actor import Actor

    funds.allocate(
        actor=Actor(user=member.user, partner=partner, membership=member),
        customer_pk=association.customer_id,
        amount="100",
    )
    from billing.catalogue import ensure_catalogue
    from billing.models import ProductSpec

    ensure_catalogue()
    resource = running(
        association.customer, ProductSpec.objects.get(spec_code="s6.large.2"), hours=8
    )
    errors = []

    def work():
        try:
            rate_due_hours()
        except Exception as e:
            errors.append(repr(e))
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert ConsumptionRecord.objects.filter(resource=resource).count() == 8
    assert balance_of(association.customer) == Decimal("96.80")
    assert ledger.verify_ledger() == []
