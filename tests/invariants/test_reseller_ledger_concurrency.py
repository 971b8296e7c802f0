"""16 threads hammer three levels at once: a distributor allocating to and recovering from four
resellers while those resellers allocate to and recover from their own customers.

Real PostgreSQL transactions on separate connections: afterwards nothing deadlocked, no update
was lost, the invariants hold, and every balance equals the sum of the acknowledged operations.
"""

import random
import threading
from decimal import Decimal

import pytest
from django.db import connection

from billing import ledger
from billing.errors import InsufficientBalance
from billing.services import funds as customer_funds
from partnercenter.actor import Actor
from partnercenter.models import PartnerKind, Role
from resellers.services import funds as reseller_funds
from tests.billing.conftest import fund
from tests.customers.factories import AssociationFactory
from tests.factories import MembershipFactory, PartnerFactory

THREADS = 16
OPS_PER_THREAD = 25
ZERO = Decimal("0.00")


def _actor(member):
    return Actor(user=member.user, partner=member.partner, membership=member)


@pytest.mark.django_db(transaction=True)
def test_sixteen_threads_across_distributor_resellers_and_customers():
    distributor = PartnerFactory(kind=PartnerKind.DISTRIBUTOR)
    dist_actor = _actor(MembershipFactory(partner=distributor, role=Role.FINANCE))
    resellers = [
        PartnerFactory(kind=PartnerKind.RESELLER, distributor=distributor) for _ in range(4)
    ]
    res_actors = {r.pk: _actor(MembershipFactory(partner=r, role=Role.FINANCE)) for r in resellers}
    customers = {
        r.pk: [AssociationFactory(partner=r).customer for _ in range(3)] for r in resellers
    }
    fund(distributor, recharge="3000.00", credit="1000.00")
    for r in resellers:  # create the accounts up front; creation races are tested elsewhere
        reseller_funds.funds_of([r])
        for c in customers[r.pk]:
            ledger.customer_account(c)
    to_reseller = {r.pk: ZERO for r in resellers}
    to_customer = {c.pk: ZERO for rows in customers.values() for c in rows}
    lock = threading.Lock()
    errors = []

    def work(seed):
        rng = random.Random(seed)
        try:
            for _ in range(OPS_PER_THREAD):
                reseller = rng.choice(resellers)
                customer = rng.choice(customers[reseller.pk])
                amount = Decimal(rng.randint(1, 30000)) / 100
                op = rng.random()
                try:
                    if op < 0.35:
                        reseller_funds.allocate(
                            actor=dist_actor, reseller_pk=reseller.pk, amount=amount
                        )
                        with lock:
                            to_reseller[reseller.pk] += amount
                    elif op < 0.5:
                        reseller_funds.recover(
                            actor=dist_actor, reseller_pk=reseller.pk, amount=amount
                        )
                        with lock:
                            to_reseller[reseller.pk] -= amount
                    elif op < 0.8:
                        customer_funds.allocate(
                            actor=res_actors[reseller.pk], customer_pk=customer.pk, amount=amount
                        )
                        with lock:
                            to_customer[customer.pk] += amount
                    else:
                        customer_funds.recover(
                            actor=res_actors[reseller.pk], customer_pk=customer.pk, amount=amount
                        )
                        with lock:
                            to_customer[customer.pk] -= amount
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
        t.join(timeout=180)
    assert not any(t.is_alive() for t in threads), "a thread hung (deadlock?)"
    assert errors == []
    assert ledger.verify_ledger() == []
    d = ledger.partner_funds(distributor)
    assert d.allocated == sum(to_reseller.values())
    assert d.balance == Decimal("4000.00") - d.allocated >= 0
    for r in resellers:
        f = ledger.partner_funds(r)
        assert f.recharge == to_reseller[r.pk] >= 0
        assert f.allocated == sum(to_customer[c.pk] for c in customers[r.pk])
        assert f.balance >= 0
        for c in customers[r.pk]:
            assert ledger.customer_account(c).balance == to_customer[c.pk] >= 0
