"""Three levels: random top-ups and credit changes of a distributor, its allocations to and
recoveries from two resellers, and their allocations to and recoveries from their customers.

After every step: (1) each account's cached balance equals the sum of its postings and every
transfer sums to zero (verify_ledger); (2) each party's funds match the model kept here;
(3) no 账户余额 made negative by an allocation, no negative reseller or customer balance;
(4) nothing is created or lost: what entered the distributor is exactly spread over the
distributor's, the resellers' and the customers' balances.
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
from billing.services import funds as customer_funds
from partnercenter.actor import Actor
from partnercenter.models import PartnerKind, Role
from resellers.services import funds as reseller_funds
from tests.customers.factories import AssociationFactory
from tests.factories import MembershipFactory, PartnerFactory

pytestmark = pytest.mark.django_db

ZERO = Decimal("0.00")
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("500.00"), places=2)


def _actor(member):
    return Actor(user=member.user, partner=member.partner, membership=member)


class ThreeLevelMachine(RuleBasedStateMachine):
    @initialize()
    def setup(self):
        self.distributor = PartnerFactory(kind=PartnerKind.DISTRIBUTOR)
        self.dist_actor = _actor(MembershipFactory(partner=self.distributor, role=Role.FINANCE))
        self.resellers = [
            PartnerFactory(kind=PartnerKind.RESELLER, distributor=self.distributor)
            for _ in range(2)
        ]
        self.res_actors = [
            _actor(MembershipFactory(partner=r, role=Role.FINANCE)) for r in self.resellers
        ]
        self.customers = [
            [AssociationFactory(partner=r).customer for _ in range(2)] for r in self.resellers
        ]
        self.d_recharge = self.d_credit = self.d_allocated = ZERO
        self.r_recharge = [ZERO, ZERO]
        self.r_allocated = [ZERO, ZERO]
        self.cash = {c.pk: ZERO for row in self.customers for c in row}

    def _platform(self, trade_type, kind, partner_kind, delta):
        from django.db import transaction

        with transaction.atomic():
            ledger.post_transfer(
                trade_type=trade_type,
                legs=[
                    (ledger.platform_account(kind), -delta),
                    (ledger.partner_account(self.distributor, partner_kind), delta),
                ],
                actor=Actor(user=None, via="system"),
                amount=abs(delta),
                partner=self.distributor,
            )

    def _d_balance(self):
        return self.d_recharge + self.d_credit - self.d_allocated

    def _r_balance(self, i):
        return self.r_recharge[i] - self.r_allocated[i]

    @rule(amount=amounts)
    def top_up(self, amount):
        self._platform(
            TradeType.RECHARGE, AccountKind.PLATFORM_FUNDING, AccountKind.PARTNER_RECHARGE, amount
        )
        self.d_recharge += amount

    @rule(limit=st.decimals(min_value=Decimal("0.00"), max_value=Decimal("800.00"), places=2))
    def set_credit(self, limit):
        delta = limit - self.d_credit
        if delta:
            self._platform(
                TradeType.CREDIT, AccountKind.PLATFORM_CREDIT, AccountKind.PARTNER_CREDIT, delta
            )
        self.d_credit = limit

    @rule(i=st.integers(0, 1), amount=amounts)
    def distributor_allocates(self, i, amount):
        available = self._d_balance()
        try:
            reseller_funds.allocate(
                actor=self.dist_actor, reseller_pk=self.resellers[i].pk, amount=amount
            )
        except InsufficientBalance:
            assert amount > available
            return
        assert amount <= available, "an allocation may never make 账户余额 negative"
        self.d_allocated += amount
        self.r_recharge[i] += amount

    @rule(i=st.integers(0, 1), amount=amounts)
    def distributor_recovers(self, i, amount):
        spare = max(ZERO, min(self._r_balance(i), self.r_recharge[i]))
        try:
            reseller_funds.recover(
                actor=self.dist_actor, reseller_pk=self.resellers[i].pk, amount=amount
            )
        except InsufficientBalance:
            assert amount > spare
            return
        assert amount <= spare
        self.d_allocated -= amount
        self.r_recharge[i] -= amount

    @rule(i=st.integers(0, 1), j=st.integers(0, 1), amount=amounts)
    def reseller_allocates(self, i, j, amount):
        customer = self.customers[i][j]
        available = self._r_balance(i)
        try:
            customer_funds.allocate(
                actor=self.res_actors[i], customer_pk=customer.pk, amount=amount
            )
        except InsufficientBalance:
            assert amount > available
            return
        assert amount <= available
        self.r_allocated[i] += amount
        self.cash[customer.pk] += amount

    @rule(i=st.integers(0, 1), j=st.integers(0, 1), amount=amounts)
    def reseller_recovers(self, i, j, amount):
        customer = self.customers[i][j]
        try:
            customer_funds.recover(actor=self.res_actors[i], customer_pk=customer.pk, amount=amount)
        except InsufficientBalance:
            assert amount > self.cash[customer.pk]
            return
        self.r_allocated[i] -= amount
        self.cash[customer.pk] -= amount

    @invariant()
    def books_balance(self):
        if not hasattr(self, "distributor"):
            return
        assert ledger.verify_ledger() == []
        d = ledger.partner_funds(self.distributor)
        assert (d.recharge, d.credit, d.allocated) == (
            self.d_recharge,
            self.d_credit,
            self.d_allocated,
        )
        reseller_total = ZERO
        for i, reseller in enumerate(self.resellers):
            r = ledger.partner_funds(reseller)
            assert (r.recharge, r.credit, r.allocated) == (
                self.r_recharge[i],
                ZERO,
                self.r_allocated[i],
            )
            assert r.balance >= 0 and r.recharge >= 0
            reseller_total += r.balance
        customer_total = ZERO
        for row in self.customers:
            for customer in row:
                balance = ledger.customer_account(customer).balance
                assert balance == self.cash[customer.pk] >= 0
                customer_total += balance
        # What entered the distributor is all still somewhere, at one of the three levels.
        assert d.balance + reseller_total + customer_total == self.d_recharge + self.d_credit


def test_random_three_level_sequences_keep_the_invariants(db):
    run_state_machine_as_test(
        ThreeLevelMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
