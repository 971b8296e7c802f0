"""16 threads hammer one partner with random allocations and recoveries on 20 customers.

Real PostgreSQL transactions on separate connections: afterwards the invariants hold, nothing
deadlocked, no update was lost, and the totals equal the sum of the acknowledged operations.
"""

import random
import threading
from decimal import Decimal

import pytest
from django.db import connection

from billing import ledger
from billing.errors import InsufficientBalance
from billing.services import funds
from partnercenter.actor import Actor
from partnercenter.models import Role
from tests.billing.conftest import fund
from tests.customers.factories import AssociationFactory
from tests.factories import MembershipFactory, PartnerFactory

THREADS = 16
OPS_PER_THREAD = 25


@pytest.mark.django_db(transaction=True)
def test_sixteen_threads_of_allocations_and_recoveries():
    partner = PartnerFactory()
    member = MembershipFactory(partner=partner, role=Role.FINANCE)
    customers = [AssociationFactory(partner=partner).customer for _ in range(20)]
    fund(partner, recharge="3000.00", credit="1000.00")
    for c in customers:  # create the accounts up front; creation races are tested elsewhere
        ledger.customer_account(c)
    actor = Actor(user=member.user, partner=partner, membership=member)
    acknowledged = {c.pk: Decimal("0.00") for c in customers}
    lock = threading.Lock()
    errors = []

    def work(seed):
        rng = random.Random(seed)
        try:
            for _ in range(OPS_PER_THREAD):
                customer = rng.choice(customers)
                amount = Decimal(rng.randint(1, 30000)) / 100
                try:
                    if rng.random() < 0.6:
                        funds.allocate(actor=actor, customer_pk=customer.pk, amount=amount)
                        with lock:
                            acknowledged[customer.pk] += amount
                    else:
                        funds.recover(actor=actor, customer_pk=customer.pk, amount=amount)
                        with lock:
                            acknowledged[customer.pk] -= amount
                except InsufficientBalance:
                    pass
        except Exception as e:  # a deadlock or any other failure fails the test
            errors.append(repr(e))
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread hung (deadlock?)"
    assert errors == []
    assert ledger.verify_ledger() == []
    total = sum(acknowledged.values())
    f = ledger.partner_funds(partner)
    assert f.allocated == total
    assert f.balance == Decimal("4000.00") - total >= 0
    for c in customers:
        assert ledger.customer_account(c).balance == acknowledged[c.pk] >= 0
