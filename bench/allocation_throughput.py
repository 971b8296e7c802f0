"""Allocation throughput: the real service against a raw psycopg2 floor, same machine, same run.

8 threads each run allocation + recovery pairs for DURATION seconds:
  service — billing.services.funds.allocate/recover (row locks in pk order, balance rules,
            transfer + postings + audit event, credit-alert check), through Django's ORM;
  raw     — one psycopg2 transaction per operation doing the same row locks, two balance
            updates and the same inserts (transfer, two postings, audit event), nothing else.
Prints `allocation_ratio=<service ops/s ÷ raw ops/s>` as its last line. Target ≥ 0.40.
"""

import os
import random
import threading
import time
import uuid
from decimal import Decimal

from _django import raw_connection, setup

setup()

from django.db import connection  # noqa: E402

from billing import ledger  # noqa: E402
from billing.models import Account, AccountKind, TradeType  # noqa: E402
from billing.services import funds  # noqa: E402
from customers.models import Association, Customer  # noqa: E402
from partnercenter.actor import Actor  # noqa: E402
from partnercenter.models import Membership, Partner, PartnerKind, Role, User  # noqa: E402

THREADS = 8
DURATION = float(os.environ.get("BENCH_SECONDS", "10"))
CUSTOMERS = 40


def seed():
    tag = uuid.uuid4().hex[:8]
    partner = Partner.objects.create(
        name=f"bench {tag}", kind=PartnerKind.SOLUTION_PROVIDER, account_name=f"bench-{tag}"
    )
    user = User.objects.create_user(f"bench-{tag}@bench.test", "x-bench-password-x")
    member = Membership.objects.create(user=user, partner=partner, role=Role.FINANCE)
    customers = []
    for i in range(CUSTOMERS):
        c = Customer.objects.create(name=f"bench customer {i}", account_name=f"bench-{tag}-{i}")
        Association.objects.create(customer=c, partner=partner, association_type=2)
        ledger.customer_account(c)
        customers.append(c)
    from django.db import transaction

    with transaction.atomic():
        ledger.post_transfer(
            trade_type=TradeType.RECHARGE,
            legs=[
                (ledger.platform_account(AccountKind.PLATFORM_FUNDING), Decimal("-100000000")),
                (
                    ledger.partner_account(partner, AccountKind.PARTNER_RECHARGE),
                    Decimal("100000000"),
                ),
            ],
            actor=Actor(user=None, via="system"),
            amount=Decimal("100000000"),
            partner=partner,
        )
    for kind in (AccountKind.PARTNER_CREDIT, AccountKind.PARTNER_ALLOCATED):
        ledger.partner_account(partner, kind)
    return partner, member, customers


def run_threads(target):
    stop = time.monotonic() + DURATION
    counts = [0] * THREADS

    def loop(i):
        rng = random.Random(i)
        try:
            while time.monotonic() < stop:
                target(rng)
                counts[i] += 2
        finally:
            connection.close()

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(THREADS)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / (time.monotonic() - started)


def service_ops(partner, member, customers):
    actor = Actor(user=member.user, partner=partner, membership=member, via="task")

    def pair(rng):
        c = rng.choice(customers)
        funds.allocate(actor=actor, customer_pk=c.pk, amount=Decimal("1.00"))
        funds.recover(actor=actor, customer_pk=c.pk, amount=Decimal("1.00"))

    return run_threads(pair)


def raw_ops(partner, customers):
    accounts = {a.kind: a.pk for a in Account.objects.filter(partner=partner)}
    cash = {
        c.pk: Account.objects.get(customer=c, kind=AccountKind.CUSTOMER_CASH).pk for c in customers
    }
    local = threading.local()

    def one(cur, rng, ids, legs, trade):
        cur.execute(
            "SELECT id, balance FROM billing_account WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
            [sorted(ids)],
        )
        cur.fetchall()
        cur.execute(
            "INSERT INTO billing_transfer (trans_id, trade_type, partner_id, amount, remark, request_key, created_at) "
            "VALUES (%s, %s, %s, 1.00, '', '', now()) RETURNING id",
            [f"RAW{uuid.uuid4().hex[:20]}", trade, partner.pk],
        )
        transfer_id = cur.fetchone()[0]
        for account_id, amount in legs:
            cur.execute(
                "UPDATE billing_account SET balance = balance + %s, updated_at = now() WHERE id = %s RETURNING balance",
                [amount, account_id],
            )
            balance = cur.fetchone()[0]
            cur.execute(
                "INSERT INTO billing_posting (transfer_id, account_id, amount, balance_after, created_at) VALUES (%s, %s, %s, %s, now())",
                [transfer_id, account_id, amount, balance],
            )
        cur.execute(
            "INSERT INTO partnercenter_auditevent (created_at, actor_label, partner_id, acting_as_type, acting_as_id, acting_as_label, "
            "action, target_type, target_id, target_label, via, access_key_id) "
            "VALUES (now(), 'bench', %s, '', '', '', 'money.raw', 'billing.transfer', %s, '', 'task', '')",
            [partner.pk, str(transfer_id)],
        )

    def pair(rng):
        if not hasattr(local, "conn"):
            local.conn = raw_connection()
        conn = local.conn
        c = cash[rng.choice(customers).pk]
        ids = [
            accounts[AccountKind.PARTNER_RECHARGE],
            accounts[AccountKind.PARTNER_CREDIT],
            accounts[AccountKind.PARTNER_ALLOCATED],
            c,
        ]
        with conn, conn.cursor() as cur:
            one(
                cur,
                rng,
                ids,
                [(accounts[AccountKind.PARTNER_ALLOCATED], Decimal("-1.00")), (c, Decimal("1.00"))],
                "BEADJUST",
            )
        with conn, conn.cursor() as cur:
            one(
                cur,
                rng,
                [accounts[AccountKind.PARTNER_ALLOCATED], c],
                [(c, Decimal("-1.00")), (accounts[AccountKind.PARTNER_ALLOCATED], Decimal("1.00"))],
                "BERETRIEVE",
            )

    return run_threads(pair)


if __name__ == "__main__":
    partner, member, customers = seed()
    service = service_ops(partner, member, customers)
    raw = raw_ops(partner, customers)
    problems = ledger.verify_ledger()
    print(
        f"service: {service:.0f} ops/s; raw floor: {raw:.0f} ops/s; ledger problems: {len(problems)}"
    )
    print(f"allocation_ratio={service / raw:.3f}")
