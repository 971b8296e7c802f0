"""拨款 / 回收 and balances (partner-api.md §3.2, §3.3). Rules live in billing.services.funds
and the selectors the pages use; this module only translates between JSON and them."""

from decimal import Decimal
from typing import Literal

from dateutil.relativedelta import relativedelta
from django.db.models import Case, F, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Field, Query, Router, Schema

from customers.models import Customer
from customers.selectors import visible_associations
from partnercenter.api.errors import parameter_error
from partnercenter.api.idempotency import client_request_key, same_request
from partnercenter.api.schema import (
    Amount,
    Day,
    Id,
    Limit,
    Offset,
    TransferIdOut,
    TransIdOut,
    UtcTime,
    local_day_start,
    money_str,
    page,
    parse_day,
    utc,
    utc_window,
)
from partnercenter.api.scope import acting
from partnercenter.api.security import CUSTOMER, Signed
from partnercenter.permissions import P

from .. import ledger
from ..errors import NotSubCustomer
from ..models import AccountKind, Posting, TradeType
from ..selectors import debts_by_customer, outstanding_debt
from ..services import funds
from ..views.records import adjustment_records

router = Router(tags=["funds"])

OPERATION_TYPES = {
    "SOURCE_OPERATION_BEADJUST": TradeType.BEADJUST,
    "SOURCE_OPERATION_BERETRIEVE": TradeType.BERETRIEVE,
    "SOURCE_OPERATION_BEUNBIND": TradeType.BEUNBIND,
}
OPERATION_OF = {v: k for k, v in OPERATION_TYPES.items()}
# Huawei's own spellings, OPERAIION included.
TRADE_DETAIL_TYPES = {
    TradeType.BEADJUST: "SOURCE_OPERATION_BEADJUST",
    TradeType.BERETRIEVE: "SOURCE_OPERATION_BERETRIEVE",
    TradeType.BEUNBIND: "SOURCE_OPERATION_BEUNBIND",
    TradeType.RECHARGE: "SOURCE_OPERAIION_RECHARGE",
    TradeType.DEDUCT: "SOURCE_OPERAIION_DEDEUCT",
    TradeType.REFUND: "SOURCE_OPERAIION_REFUND",
    TradeType.ADJUST: "SOURCE_OPERAIION_ADJUST",
    TradeType.WRITEOFF: "SOURCE_OPERAIION_ADJUST",
    TradeType.CREDIT: "SOURCE_OPERAIION_CREDIT",
    TradeType.SETTLE: "SOURCE_OPERAIION_DEDEUCT",
}
LEDGER_TRADE_TYPES = Literal[
    "RECHARGE",
    "DEDEUCT",
    "REFUND",
    "RFROZEN",
    "TRANS",
    "ADJUST",
    "BEADJUST",
    "BERETRIEVE",
    "BEUNBIND",
    "BONUSCONVERT",
    "TRADE_MODE_TRANSFER",
]
BALANCE_TYPES = {
    "BALANCE_TYPE_DEBIT": (AccountKind.PARTNER_RECHARGE, AccountKind.PARTNER_ALLOCATED),
    "BALANCE_TYPE_CREDIT": (AccountKind.PARTNER_CREDIT,),
}
ZERO = Decimal("0.00")


# --- allocation and recovery --------------------------------------------------------------------


class AdjustAccountReq(Schema):
    customer_id: Id
    amount: Amount
    indirect_partner_id: Id | None = None


def _customer_pk(customer_id):
    pk = Customer.objects.filter(customer_id=customer_id).values_list("pk", flat=True).first()
    if pk is None:
        raise NotSubCustomer(_("This customer is not one of your customers."))
    return pk


def _move(request, req, service, trade_type):
    caller = request.auth
    _membership, actor = acting(caller, req.indirect_partner_id)
    request_key = client_request_key(request)
    customer_pk = _customer_pk(req.customer_id)
    transfer = service(
        actor=actor, customer_pk=customer_pk, amount=req.amount, request_key=request_key
    )
    same_request(transfer, trade_type=trade_type, amount=req.amount, customer_pk=customer_pk)
    return transfer


@router.post(
    "/v2/accounts/partner-accounts/adjust-amount",
    response=TransferIdOut,
    auth=Signed(perm=P.CUSTOMER_ALLOCATE),
    operation_id="update_customer_account_amount",
    summary=gettext_noop("Allocate funds to a resale customer (拨款)"),
)
def update_customer_account_amount(request, req: AdjustAccountReq):
    transfer = _move(request, req, funds.allocate, TradeType.BEADJUST)
    return {"transfer_id": transfer.trans_id}


@router.post(
    "/v2/accounts/partner-accounts/reclaim",
    response=TransIdOut,
    auth=Signed(perm=P.CUSTOMER_RECOVER),
    operation_id="reclaim_to_partner_account",
    summary=gettext_noop("Recover funds from a resale customer (回收)"),
)
def reclaim_to_partner_account(request, req: AdjustAccountReq):
    transfer = _move(request, req, funds.recover, TradeType.BERETRIEVE)
    return {"trans_id": transfer.trans_id}


# --- the partner's balances ---------------------------------------------------------------------


class AccountBalanceV2(Schema):
    account_id: str
    account_type: int
    amount: Decimal
    currency: str = "CNY"
    designated_amount: Decimal
    credit_amount: Decimal | None = None
    measure_id: int = 1
    memo: str | None = None


class ListPartnerBalancesOut(Schema):
    account_balances: list[AccountBalanceV2]


class BalancesQuery(Schema):
    indirect_partner_id: Id | None = None


def partner_balances(partner):
    """The account types a partner has (1 余额, 2 信用, 8 可拨款). 余额 is the 账户余额 the
    allocation rule checks (充值 + 信用 − 已拨款), so `amount − designated_amount` is what one
    allocation may take, as the contract says."""
    f = ledger.partner_funds(partner)
    accounts = {a.kind: a.pk for a in ledger.partner_accounts(partner)}
    return [
        {
            "account_id": f"{partner.domain_id}-{accounts[AccountKind.PARTNER_RECHARGE]}",
            "account_type": 1,
            "amount": f.balance,
            "designated_amount": ZERO,
            "memo": "账户余额 = 充值账户余额 + 信用账户余额 − 已拨款金额",
        },
        {
            "account_id": f"{partner.domain_id}-{accounts[AccountKind.PARTNER_CREDIT]}",
            "account_type": 2,
            "amount": f.credit - f.credit_used,
            "designated_amount": ZERO,
            "credit_amount": f.credit,
            "memo": "信用账户: 可用额度",
        },
        {
            "account_id": f"{partner.domain_id}-{accounts[AccountKind.PARTNER_ALLOCATED]}",
            "account_type": 8,
            "amount": max(ZERO, f.balance),
            "designated_amount": ZERO,
            "memo": "可拨款",
        },
    ]


@router.get(
    "/v2/accounts/partner-accounts/balances",
    response=ListPartnerBalancesOut,
    auth=Signed(perm=P.FUNDS_VIEW),
    operation_id="list_partner_balances",
    summary=gettext_noop("The partner's own account balances"),
    exclude_none=True,
)
def list_partner_balances(request, q: Query[BalancesQuery]):
    membership, _actor = acting(request.auth, q.indirect_partner_id)
    return {"account_balances": partner_balances(membership.partner)}


# --- 调账记录 -------------------------------------------------------------------------------------


class AdjustRecordsQuery(Schema):
    customer_id: Id | None = None
    operation_type: Literal[tuple(OPERATION_TYPES)] | None = None  # type: ignore[valid-type]
    operation_time_begin: UtcTime | None = None
    operation_time_end: UtcTime | None = None
    trans_id: Id | None = None
    offset: Offset = 0
    limit: Limit = 10
    indirect_partner_id: Id | None = None


class AdjustRecordV3(Schema):
    customer_id: str | None = None
    customer_name: str | None = None
    operation_type: str
    amount: str
    currency: str = "CNY"
    apply_scene: str | None = None
    operation_time: str
    measure_id: int = 1
    trans_id: str
    memo: str | None = None


class ListPartnerAdjustRecordsOut(Schema):
    records: list[AdjustRecordV3]
    total_count: int


def adjust_record_as_api(transfer):
    other = transfer.customer or transfer.counterparty
    other_id = None
    if transfer.customer is not None:
        other_id = transfer.customer.customer_id
    elif transfer.counterparty is not None:
        other_id = transfer.counterparty.domain_id
    return {
        "customer_id": other_id,
        "customer_name": other.name if other is not None else None,
        "operation_type": OPERATION_OF[transfer.trade_type],
        "amount": money_str(transfer.amount),
        "operation_time": utc(transfer.created_at),
        "trans_id": transfer.trans_id,
        "memo": transfer.remark or None,
    }


@router.get(
    "/v3/accounts/partner-accounts/adjust-records",
    response=ListPartnerAdjustRecordsOut,
    auth=Signed(perm=P.ADJUST_RECORDS_VIEW),
    operation_id="list_partner_adjust_records",
    summary=gettext_noop("Allocation and recovery records (调账记录), newest first"),
    exclude_none=True,
)
def list_partner_adjust_records(request, q: Query[AdjustRecordsQuery]):
    membership, _actor = acting(request.auth, q.indirect_partner_id)
    params = {"trans_id": q.trans_id} if q.trans_id else {}
    if q.operation_type:
        params["trade_type"] = OPERATION_TYPES[q.operation_type]
    qs = adjustment_records(membership, params)
    if q.customer_id:
        qs = qs.filter(customer__customer_id=q.customer_id) | qs.filter(
            counterparty__domain_id=q.customer_id
        )
    qs = utc_window(
        qs, "created_at", q.operation_time_begin, q.operation_time_end, "operation_time"
    )
    total, rows = page(
        qs.select_related("customer", "counterparty").order_by("-created_at", "-id"),
        q.offset,
        q.limit,
    )
    return {"records": [adjust_record_as_api(t) for t in rows], "total_count": total}


# --- 收支明细 -------------------------------------------------------------------------------------


class AccountChangeQuery(Schema):
    balance_type: Literal[tuple(BALANCE_TYPES)] | None = None  # type: ignore[valid-type]
    trade_type: LEDGER_TRADE_TYPES | None = None
    trade_time_begin: Day | None = None
    trade_time_end: Day | None = None
    offset: Offset = 0
    limit: Limit = 10
    indirect_partner_id: Id | None = None


class AccountChangeRecord(Schema):
    account_change_id: str
    trade_detail_type: str
    trade_time: str
    trade_id: str
    change_amount: str
    balance_after_change: str
    type: str
    customer_id: str | None = None
    account_name: str | None = None


class ListPartnerAccountChangeRecordsOut(Schema):
    total_count: int
    currency: str = "CNY"
    records: list[AccountChangeRecord]


def _balance_after(account_pks):
    """账户余额 right after each posting: the latest balance of each of the partner's three
    accounts up to that posting, summed (the allocated account is held negative)."""
    parts = [
        Coalesce(
            Subquery(
                Posting.objects.filter(account_id=pk, id__lte=OuterRef("id"))
                .order_by("-id")
                .values("balance_after")[:1]
            ),
            Value(ZERO),
        )
        for pk in account_pks
    ]
    total = parts[0]
    for part in parts[1:]:
        total = total + part
    return total


def account_change_records(partner, q):
    accounts = {a.kind: a.pk for a in ledger.partner_accounts(partner)}
    kinds = BALANCE_TYPES.get(q.balance_type) or tuple(accounts)
    qs = Posting.objects.filter(account_id__in=[accounts[k] for k in kinds])
    today = timezone.localdate()
    # relativedelta: on 29 February, replace(year=…) would raise (a 500 once every four years).
    begin = parse_day(q.trade_time_begin, "trade_time_begin") or today - relativedelta(years=1)
    end = parse_day(q.trade_time_end, "trade_time_end") or today
    if begin > end:
        raise parameter_error("trade_time_begin must not be after trade_time_end")
    qs = qs.filter(
        created_at__gte=local_day_start(begin),
        created_at__lt=local_day_start(end) + timezone.timedelta(days=1),
    )
    if q.trade_type:
        qs = qs.filter(transfer__trade_type=q.trade_type)
    credit_pk = accounts[AccountKind.PARTNER_CREDIT]
    qs = qs.annotate(
        balance_after_change=Case(
            When(account_id=credit_pk, then=F("balance_after")),
            default=_balance_after(
                [
                    accounts[AccountKind.PARTNER_RECHARGE],
                    credit_pk,
                    accounts[AccountKind.PARTNER_ALLOCATED],
                ]
            ),
        )
    )
    return qs.select_related("transfer", "transfer__customer", "transfer__counterparty").order_by(
        "-created_at", "-id"
    )


def account_change_as_api(posting):
    transfer = posting.transfer
    customer_id = account_name = None
    if transfer.trade_type in OPERATION_OF:
        if transfer.customer is not None:
            customer_id, account_name = (
                transfer.customer.customer_id,
                transfer.customer.account_name,
            )
        elif transfer.counterparty is not None:
            customer_id, account_name = transfer.counterparty.domain_id, transfer.counterparty.name
    # The allocated account holds allocations negative: an allocation is the partner's expense.
    return {
        "account_change_id": str(posting.pk),
        "trade_detail_type": TRADE_DETAIL_TYPES.get(transfer.trade_type, transfer.trade_type),
        "trade_time": utc(posting.created_at),
        "trade_id": transfer.trans_id,
        "change_amount": money_str(abs(posting.amount)),
        "balance_after_change": money_str(posting.balance_after_change),
        "type": "1" if posting.amount > 0 else "2",
        "customer_id": customer_id,
        "account_name": account_name,
    }


@router.get(
    "/v2/accounts/partner-accounts/account-change-records",
    response=ListPartnerAccountChangeRecordsOut,
    auth=Signed(perm=P.FUNDS_VIEW),
    operation_id="list_partner_account_change_records",
    summary=gettext_noop("The partner's ledger (收支明细); dates are UTC+8"),
    exclude_none=True,
)
def list_partner_account_change_records(request, q: Query[AccountChangeQuery]):
    membership, _actor = acting(request.auth, q.indirect_partner_id)
    total, rows = page(account_change_records(membership.partner, q), q.offset, q.limit)
    return {"total_count": total, "records": [account_change_as_api(p) for p in rows]}


# --- customers' balances ------------------------------------------------------------------------


class AccountBalanceV3(Schema):
    account_id: str
    account_type: int
    amount: Decimal
    currency: str = "CNY"
    designated_amount: Decimal
    credit_amount: Decimal
    measure_id: int = 1


class ShowCustomerAccountBalancesOut(Schema):
    account_balances: list[AccountBalanceV3]
    debt_amount: Decimal
    measure_id: int = 1
    currency: str = "CNY"


@router.get(
    "/v2/accounts/customer-accounts/balances",
    response=ShowCustomerAccountBalancesOut,
    auth=Signed(caller=CUSTOMER),
    operation_id="show_customer_account_balances",
    summary=gettext_noop("A customer's own balances (called with the customer's access key)"),
)
def show_customer_account_balances(request):
    customer = request.auth.customer
    account = ledger.customer_account(customer)
    return {
        "account_balances": [
            {
                "account_id": f"{customer.customer_id}-{account.pk}",
                "account_type": 1,
                "amount": account.balance,
                "designated_amount": ZERO,
                "credit_amount": ZERO,
            }
        ],
        "debt_amount": outstanding_debt(customer),
    }


class CustomerInfoV2(Schema):
    customer_id: Id


class QueryCustomersBalancesReq(Schema):
    customer_infos: list[CustomerInfoV2] = Field(..., min_length=1, max_length=100)
    indirect_partner_id: Id | None = None


class CustomerBalancesV2(Schema):
    customer_id: str
    debt_amount: Decimal
    amount: Decimal
    currency: str = "CNY"
    measure_id: int = 1


class ListCustomersBalancesDetailOut(Schema):
    customer_balances: list[CustomerBalancesV2]


@router.post(
    "/v2/accounts/customer-accounts/balances/batch-query",
    response=ListCustomersBalancesDetailOut,
    auth=Signed(perm=P.CUSTOMER_LIST_VIEW),
    operation_id="list_customers_balances_detail",
    summary=gettext_noop("Balances and arrears of resale customers; others are silently left out"),
)
def list_customers_balances_detail(request, req: QueryCustomersBalancesReq):
    membership, _actor = acting(request.auth, req.indirect_partner_id)
    wanted = list(dict.fromkeys(info.customer_id for info in req.customer_infos))
    associations = (
        visible_associations(membership)
        .filter(customer__customer_id__in=wanted, association_type=2)
        .select_related("customer")
    )
    customers = {a.customer.customer_id: a.customer for a in associations}
    balances = ledger.customer_balances([c.pk for c in customers.values()])
    debts = debts_by_customer([c.pk for c in customers.values()])
    return {
        "customer_balances": [
            {
                "customer_id": cid,
                "amount": balances.get(customers[cid].pk, ZERO),
                "debt_amount": debts.get(customers[cid].pk, Decimal("0")),
            }
            for cid in wanted
            if cid in customers
        ]
    }
