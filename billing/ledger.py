"""The one primitive that moves money: post_transfer().

It locks every touched account row with SELECT … FOR UPDATE in primary-key order (so two
transfers never wait on each other in opposite orders), lets the caller's rule check the
locked balances, writes the transfer and its postings, updates the cached balances and writes
the audit event — all in the caller's single transaction.
"""

import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from partnercenter import audit, fastsql

from .errors import RequestKeyReused
from .models import (
    MAY_GO_NEGATIVE,
    ZERO,
    Account,
    AccountKind,
    Posting,
    Transfer,
)
from .money import CENT


def new_trans_id(now=None):
    # Huawei's shape, e.g. RE2007030833010000eb: prefix, yymmddHHMMSS, 6 hex digits.
    now = timezone.localtime(now or timezone.now())
    return f"RE{now:%y%m%d%H%M%S}{secrets.token_hex(3)}"


def _get_or_create(**lookup):
    account = Account.objects.filter(**lookup).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return Account.objects.create(
                allow_negative=lookup["kind"] in MAY_GO_NEGATIVE, **lookup
            )
    except IntegrityError:  # created concurrently: use theirs
        return Account.objects.get(**lookup)


def partner_account(partner, kind):
    return _get_or_create(kind=kind, partner=partner, customer=None)


def customer_account(customer):
    return _get_or_create(kind=AccountKind.CUSTOMER_CASH, customer=customer, partner=None)


def platform_account(kind):
    return _get_or_create(kind=kind, partner=None, customer=None)


@dataclass(frozen=True)
class AccountRef:
    pk: int
    kind: str


# (partner pk, customer pk) → the four account refs. Account rows are never deleted (the ledger
# protects them), so their ids can be remembered for the life of the process; lock() re-reads the
# rows every time, and a miss there drops the entry.
_ACCOUNT_IDS = {}


def funding_accounts(partner, customer):
    """(recharge, credit, allocated, customer cash) refs for a partner and one of its customers."""
    key = (partner.pk, customer.pk)
    refs = _ACCOUNT_IDS.get(key)
    if refs is None:
        refs = tuple(
            AccountRef(a.pk, a.kind) for a in partner_and_customer_accounts(partner, customer)
        )
        if len(_ACCOUNT_IDS) > 50_000:
            _ACCOUNT_IDS.clear()
        _ACCOUNT_IDS[key] = refs
    return refs


def forget_accounts():
    _ACCOUNT_IDS.clear()


def partner_and_customer_accounts(partner, customer):
    """(recharge, credit, allocated, customer cash) in one query, creating any that are missing."""
    rows = {
        (a.kind, a.customer_id): a
        for a in Account.objects.filter(
            Q(partner=partner, customer__isnull=True)
            | Q(customer=customer, kind=AccountKind.CUSTOMER_CASH)
        )
    }
    out = []
    for kind in (
        AccountKind.PARTNER_RECHARGE,
        AccountKind.PARTNER_CREDIT,
        AccountKind.PARTNER_ALLOCATED,
    ):
        out.append(rows.get((kind, None)) or partner_account(partner, kind))
    out.append(rows.get((AccountKind.CUSTOMER_CASH, customer.pk)) or customer_account(customer))
    return tuple(out)


def partner_accounts(partner):
    """The partner's recharge, credit and allocated accounts, creating any that are missing."""
    rows = {a.kind: a for a in Account.objects.filter(partner=partner, customer__isnull=True)}
    return [
        rows.get(kind) or partner_account(partner, kind)
        for kind in (
            AccountKind.PARTNER_RECHARGE,
            AccountKind.PARTNER_CREDIT,
            AccountKind.PARTNER_ALLOCATED,
        )
    ]


def customer_balances(customer_pks):
    """{customer pk: balance} in one query; customers without an account yet are left out."""
    return dict(
        Account.objects.filter(
            customer_id__in=customer_pks, kind=AccountKind.CUSTOMER_CASH
        ).values_list("customer_id", "balance")
    )


@dataclass
class PartnerFunds:
    """The partner's account in its three parts (domain §3.1)."""

    recharge: Decimal
    credit: Decimal
    allocated: Decimal  # shown positive: the amount allocated and not recovered

    @property
    def balance(self):  # 账户余额
        return self.recharge + self.credit - self.allocated

    @property
    def credit_used(self):
        """The part of the credit line in use: what is allocated beyond the partner's own money."""
        return min(self.credit, max(ZERO, self.allocated - self.recharge))

    @property
    def credit_usage_percent(self):
        if self.credit <= 0:
            return 100 if self.allocated > self.recharge else 0
        return int(self.credit_used * 100 / self.credit)


def partner_funds(partner, accounts=None):
    """Read the three parts (from locked rows when a transfer passes them in)."""
    if accounts is None:
        rows = {
            a.kind: a.balance
            for a in Account.objects.filter(partner=partner, customer__isnull=True)
        }
    else:
        rows = {
            a.kind: a.balance
            for a in accounts
            if a.partner_id == partner.pk and a.customer_id is None
        }
    return PartnerFunds(
        recharge=rows.get(AccountKind.PARTNER_RECHARGE, ZERO),
        credit=rows.get(AccountKind.PARTNER_CREDIT, ZERO),
        allocated=-rows.get(AccountKind.PARTNER_ALLOCATED, ZERO),
    )


@dataclass
class LockedAccount:
    """An account row as read under its lock; the transfer updates `balance` in place."""

    pk: int
    kind: str
    partner_id: int | None
    customer_id: int | None
    balance: Decimal


def lock(accounts):
    """Lock rows in primary-key order and return them fresh, keyed by pk."""
    ids = sorted({a.pk for a in accounts})
    sql = (
        "SELECT id, kind, partner_id, customer_id, balance FROM billing_account "
        f"WHERE id IN ({', '.join(['%s'] * len(ids))}) ORDER BY id"
    )
    if connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        rows = cursor.fetchall()
    if len(rows) != len(ids):
        _ACCOUNT_IDS.clear()  # a remembered id no longer exists (a test database was reset)
        raise LookupError("an account to lock does not exist")
    # SQLite hands back floats for numerics; money is Decimal from here on.
    return {
        r[0]: LockedAccount(r[0], r[1], r[2], r[3], Decimal(str(r[4])).quantize(CENT)) for r in rows
    }


# Where a request key came from, for the refusal's message: the API's X-Client-Token keys
# carry this prefix (partnercenter.api.idempotency); every other key is a form's confirm step.
_API_KEY_PREFIX = "api:"


def first_transfer(partner, request_key, *, trade_type, amount, customer=None, counterparty=None):
    """The transfer already made under `request_key`, if any — provided this call is the same
    request (direction, amount, customer or reseller); a different request is refused.

    A repeated confirm step (a double click, a browser retry) gets the first result back; the
    same key with another amount, customer or direction is not a retry but a different request,
    and answering it with the first transfer would tell the person a move succeeded that never
    happened."""
    if not request_key:
        return None
    existing = Transfer.objects.filter(partner=partner, request_key=request_key).first()
    if existing is None:
        return None
    if (
        existing.trade_type != str(trade_type)
        or existing.amount != amount
        or existing.customer_id != (customer.pk if customer is not None else None)
        or existing.counterparty_id != (counterparty.pk if counterparty is not None else None)
    ):
        refuse_reused_key(request_key)
    return existing


def refuse_reused_key(request_key):
    if request_key.startswith(_API_KEY_PREFIX):
        raise RequestKeyReused(_("X-Client-Token was already used for a different request."))
    raise RequestKeyReused(
        _(
            "This confirmation was already used for a different adjustment (another amount, "
            "account or direction). Nothing was moved: start the adjustment again."
        )
    )


def post_transfer(
    *,
    trade_type,
    legs,
    actor,
    amount,
    partner=None,
    customer=None,
    counterparty=None,
    remark="",
    request_key="",
    lock_also=(),
    check=None,
    audit_action=None,
    reverses=None,
):
    """Write one balanced transfer. Call inside transaction.atomic().

    legs: [(account, signed amount)], summing to zero. lock_also: accounts the rule reads but the
    transfer does not post to (the partner's other parts for the 账户余额 check). check(locked):
    the caller's rule, run on the locked rows; it raises DomainError to refuse. Returns
    (transfer, created): a request_key already used returns the first transfer, moving nothing.

    The writes are plain SQL (one INSERT for the transfer, one UPDATE per account, one INSERT for
    the postings): this is the hottest path in the product and the ORM's compile cost dominated it.
    """
    if sum((amt for _acc, amt in legs), ZERO) != 0:
        raise ValueError("a transfer's postings must sum to zero")
    locked = lock([acc for acc, _amt in legs] + list(lock_also))
    if request_key:
        # Checked after the locks: a concurrent duplicate has committed (or failed) by now.
        existing = first_transfer(
            partner,
            request_key,
            trade_type=trade_type,
            amount=amount,
            customer=customer,
            counterparty=counterparty,
        )
        if existing is not None:
            return existing, False
    if check is not None:
        check(locked)
    now = timezone.now()
    values = {
        "trans_id": new_trans_id(now),
        "trade_type": str(trade_type),
        "partner_id": partner.pk if partner is not None else None,
        "customer_id": customer.pk if customer is not None else None,
        "counterparty_id": counterparty.pk if counterparty is not None else None,
        "amount": amount,
        "remark": (remark or "")[:255],
        "request_key": request_key or "",
        "created_by_id": getattr(getattr(actor, "user", None), "pk", None),
        "created_at": now,
        "reverses_id": reverses.pk if reverses is not None else None,
    }
    (transfer_id,) = fastsql.insert(Transfer, [values])
    transfer = Transfer(pk=transfer_id, **values)
    transfer._state.adding = False
    postings = []
    with connection.cursor() as cursor:
        for account, amt in legs:
            row = locked[account.pk]
            row.balance += amt
            postings.append(
                {
                    "transfer_id": transfer_id,
                    "account_id": row.pk,
                    "amount": amt,
                    "balance_after": row.balance,
                    "created_at": now,
                }
            )
        for row in {account.pk: locked[account.pk] for account, _amt in legs}.values():
            cursor.execute(
                "UPDATE billing_account SET balance = %s, updated_at = %s WHERE id = %s",
                [row.balance, now, row.pk],
            )
    fastsql.insert(Posting, postings)
    audit.record(
        audit_action or f"money.{str(trade_type).lower()}",
        actor=actor,
        partner=partner,
        target=transfer,
        after={
            "trans_id": transfer.trans_id,
            "amount": str(amount),
            "customer": customer.customer_id if customer is not None else None,
            "legs": [[a.kind, str(v)] for a, v in legs],
        },
    )
    return transfer, True


def verify_ledger():
    """Problems with the invariants, as readable strings; [] when the books are right."""
    problems = []
    sums = dict(
        Posting.objects.values("account")
        .annotate(total=Sum("amount"))
        .values_list("account", "total")
    )
    for account in Account.objects.all():
        # Decimal(str()) then cents: SQLite (the demo default) sums numerics as floats.
        total = Decimal(str(sums.get(account.pk) or ZERO)).quantize(CENT)
        if total != account.balance:
            problems.append(
                f"account {account.pk} ({account.kind}): balance {account.balance} != postings {total}"
            )
        if account.balance < 0 and not account.allow_negative:
            problems.append(f"account {account.pk} ({account.kind}) is negative: {account.balance}")
    unbalanced = Posting.objects.values("transfer").annotate(total=Sum("amount")).exclude(total=0)
    problems.extend(
        f"transfer {row['transfer']} does not sum to zero"
        for row in unbalanced
        if Decimal(str(row["total"])).quantize(CENT) != 0  # SQLite's float sums
    )
    return problems
