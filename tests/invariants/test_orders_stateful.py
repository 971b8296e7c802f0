"""Random mixes of orders, payments, hourly rating, allocation, recovery and bill settlement
keep the ledger's invariants, and the customer's debt, balance and consumption add up."""

import contextlib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from billing import ledger
from billing.errors import InsufficientBalance
from billing.models import (
    ChargingMode,
    ConsumptionRecord,
    Order,
    OrderStatus,
    ProductSpec,
    Resource,
)
from billing.selectors import outstanding_debt
from billing.services import funds
from billing.services import orders as order_services
from billing.services.rating import rate_resource
from partnercenter.actor import Actor
from partnercenter.errors import DomainError
from partnercenter.models import Role
from tests.billing.conftest import fund
from tests.customers.factories import AssociationFactory, customer_login
from tests.factories import MembershipFactory, PartnerFactory

pytestmark = pytest.mark.django_db
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("400.00"), places=2)


class OrdersMachine(RuleBasedStateMachine):
    @initialize()
    def setup(self):
        self.partner = PartnerFactory()
        member = MembershipFactory(partner=self.partner, role=Role.ADMIN)
        self.finance = Actor(user=member.user, partner=self.partner, membership=member)
        association = AssociationFactory(
            partner=self.partner, associated_at=timezone.now() - timedelta(days=400)
        )
        self.customer = association.customer
        self.shop = Actor(user=customer_login(self.customer), customer=self.customer)
        fund(self.partner, recharge="3000.00", credit="500.00")
        from billing.catalogue import ensure_catalogue

        ensure_catalogue()
        self.spec = ProductSpec.objects.get(spec_code="s6.large.2")  # 185.00 / month, 0.40 / hour
        # Starting 40 days back puts usage in last month, so bills have something to settle.
        start = (timezone.now() - timedelta(days=40)).replace(minute=0, second=0, microsecond=0)
        self.vm = Resource.objects.create(
            name="vm",
            customer=self.customer,
            spec=self.spec,
            charging_mode=ChargingMode.ON_DEMAND,
            quantity=5,
            started_at=start,
            rated_until=start,
        )
        self.hour = start

    @rule(amount=amounts)
    def allocate(self, amount):
        with contextlib.suppress(InsufficientBalance):
            funds.allocate(actor=self.finance, customer_pk=self.customer.pk, amount=amount)

    @rule(amount=amounts)
    def recover(self, amount):
        with contextlib.suppress(InsufficientBalance):
            funds.recover(actor=self.finance, customer_pk=self.customer.pk, amount=amount)

    @rule(months=st.integers(1, 3), pay=st.booleans())
    def order(self, months, pay):
        order = order_services.place_order(
            actor=self.shop,
            spec_id=self.spec.pk,
            charging_mode=ChargingMode.PREPAID,
            period_num=months,
        )
        if pay:
            try:
                order_services.pay_order(actor=self.shop, order_id=order.order_id)
            except InsufficientBalance:
                assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING_PAYMENT
        else:
            order_services.cancel_order(actor=self.shop, order_id=order.order_id)

    @rule(hours=st.integers(1, 72))
    def run_hours(self, hours):
        self.hour += timedelta(hours=hours)
        rate_resource(self.vm.pk, self.hour)

    @rule()
    def settle_last_month(self):
        from billing.services.bills import generate_bills, settle_bill, visible_bills

        generate_bills(partners=[self.partner.pk])
        bill = visible_bills(self.finance.membership).filter(status="unsettled").first()
        if bill is not None:
            before = ledger.partner_funds(self.partner).balance
            try:
                settle_bill(actor=self.finance, bill_id=bill.pk)
            except DomainError:
                return
            assert (
                ledger.partner_funds(self.partner).balance == before
            )  # settlement never moves 账户余额

    @invariant()
    def books_balance(self):
        if not hasattr(self, "partner"):
            return
        assert ledger.verify_ledger() == []
        balance = ledger.customer_account(self.customer).balance
        assert balance >= 0
        debt = outstanding_debt(self.customer)
        assert debt >= 0
        # Arrears exist only while the balance is exhausted: money arriving writes them off first.
        assert debt == 0 or balance == 0
        records = ConsumptionRecord.objects.filter(customer=self.customer)
        for r in records:
            assert r.amount + r.debt_amount == r.payable_amount
            assert 0 <= r.adjustment_amount <= r.debt_amount


def test_random_orders_rating_and_money_keep_the_invariants(db):
    run_state_machine_as_test(
        OrdersMachine,
        settings=settings(
            max_examples=15,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )


def test_the_machine_reaches_a_settlement(db):
    """Guard against the random test above never exercising settlement."""
    from billing.models import PartnerBill

    machine = OrdersMachine()
    machine.setup()
    machine.allocate(Decimal("400.00"))
    machine.run_hours(72)
    machine.settle_last_month()
    machine.books_balance()
    bill = PartnerBill.objects.get(partner=machine.partner)
    assert bill.status == "settled" and bill.consumed_amount > 0
