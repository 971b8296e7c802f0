"""Random sequences of top-ups, credit changes, allocations and recoveries keep the invariants.

After every step: (1) each account's cached balance equals the sum of its postings; (2) every
transfer sums to zero; (3) 账户余额 = 充值 + 信用 − 已拨款 and matches the model kept here;
(4) no customer balance is negative and no allocation made 账户余额 negative.
"""

from decimal import Decimal

import pytest
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
from billing.models import AccountKind, TradeType
from billing.services import funds
from partnercenter.actor import Actor
from partnercenter.models import Role
from tests.customers.factories import AssociationFactory
from tests.factories import MembershipFactory, PartnerFactory

pytestmark = pytest.mark.django_db

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("500.00"), places=2)


class LedgerMachine(RuleBasedStateMachine):
    @initialize()
    def setup(self):
        self.partner = PartnerFactory()
        self.member = MembershipFactory(partner=self.partner, role=Role.FINANCE)
        self.actor = Actor(user=self.member.user, partner=self.partner, membership=self.member)
        self.customers = [AssociationFactory(partner=self.partner).customer for _ in range(3)]
        self.recharge = Decimal("0.00")
        self.credit = Decimal("0.00")
        self.allocated = Decimal("0.00")
        self.cash = {c.pk: Decimal("0.00") for c in self.customers}

    def _platform(self, trade_type, kind, partner_kind, delta):
        from django.db import transaction

        with transaction.atomic():
            ledger.post_transfer(
                trade_type=trade_type,
                legs=[
                    (ledger.platform_account(kind), -delta),
                    (ledger.partner_account(self.partner, partner_kind), delta),
                ],
                actor=Actor(user=None, via="system"),
                amount=abs(delta),
                partner=self.partner,
            )

    @rule(amount=amounts)
    def top_up(self, amount):
        self._platform(
            TradeType.RECHARGE, AccountKind.PLATFORM_FUNDING, AccountKind.PARTNER_RECHARGE, amount
        )
        self.recharge += amount

    @rule(limit=st.decimals(min_value=Decimal("0.00"), max_value=Decimal("800.00"), places=2))
    def set_credit(self, limit):
        delta = limit - self.credit
        if delta:
            self._platform(
                TradeType.CREDIT, AccountKind.PLATFORM_CREDIT, AccountKind.PARTNER_CREDIT, delta
            )
        self.credit = limit

    @rule(i=st.integers(0, 2), amount=amounts)
    def allocate(self, i, amount):
        customer = self.customers[i]
        available = self.recharge + self.credit - self.allocated
        try:
            funds.allocate(actor=self.actor, customer_pk=customer.pk, amount=amount)
        except InsufficientBalance:
            assert amount > available
            return
        assert amount <= available, "an allocation may never make 账户余额 negative"
        self.allocated += amount
        self.cash[customer.pk] += amount

    @rule(i=st.integers(0, 2), amount=amounts)
    def recover(self, i, amount):
        customer = self.customers[i]
        try:
            funds.recover(actor=self.actor, customer_pk=customer.pk, amount=amount)
        except InsufficientBalance:
            assert amount > self.cash[customer.pk]
            return
        self.allocated -= amount
        self.cash[customer.pk] -= amount

    @invariant()
    def books_balance(self):
        if not hasattr(self, "partner"):
            return
        assert ledger.verify_ledger() == []
        actual = ledger.partner_funds(self.partner)
        assert (actual.recharge, actual.credit, actual.allocated) == (
            self.recharge,
            self.credit,
            self.allocated,
        )
        assert actual.balance == self.recharge + self.credit - self.allocated
        for customer in self.customers:
            balance = ledger.customer_account(customer).balance
            assert balance == self.cash[customer.pk] and balance >= 0


def test_random_money_sequences_keep_the_invariants(db):
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
