"""客户消费 over the partner API (partner-api.md §3.5): resource-level fee records, the customers
with consumption in a month, and the monthly summary. What a member may see is decided by
billing.selectors (the same answer the 客户消费 page gets); this module only translates."""

from decimal import Decimal
from typing import Literal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Query, Router, Schema

from partnercenter.api.errors import parameter_error
from partnercenter.api.schema import (
    Day,
    Id,
    Limit,
    Month,
    Offset,
    Text,
    local_day_start,
    page,
    parse_day,
    utc,
)
from partnercenter.api.scope import acting
from partnercenter.api.security import Signed
from partnercenter.permissions import P

from ..models import ChargingMode
from ..selectors import consumption_sums, visible_consumption, with_account_manager
from ..views.bills import product_names

router = Router(tags=["bills"])

ZERO = Decimal("0")
# The bill-side period_type enum (19 year, 20 month, 24 day, 25 hour): a 包年/包月 charge is
# recorded in months, a 按需 charge per hour.
BILL_PERIOD_TYPES = {ChargingMode.PREPAID: 20, ChargingMode.ON_DEMAND: 25}
# Every record here is a charge (bill_type 0): unsubscriptions (1) and Huawei write-offs (2) are
# not modelled, so asking for them finds nothing.
CONSUMPTION_BILL_TYPE = "0"


# --- 消费明细: resource-level fee records ---------------------------------------------------------


class BillDetailQuery(Schema):
    bill_cycle: Month
    customer_id: Id | None = None
    service_type_code: Id | None = None
    region_code: Id | None = None
    charging_mode: int | None = None
    bill_detail_type: int | None = None
    resource_id: Id | None = None
    resource_name: Text | None = None
    trade_id: Id | None = None
    account_manager_id: Id | None = None
    association_type: Literal["1", "2"] | None = None
    offset: Offset = 0
    limit: Limit = 10
    indirect_partner_id: Id | None = None
    bill_date_begin: Day | None = None
    bill_date_end: Day | None = None


class SubCustomerMonthlyBillDetail(Schema):
    bill_cycle: str
    customer_id: str
    association_type: str | None = None
    service_type_code: str
    resource_type_code: str
    service_type_name: str | None = None
    charging_mode: int
    trade_time: str
    trade_id: str
    id: str
    bill_detail_type: int
    resource_id: str | None = None
    resource_name: str | None = None
    product_spec_desc: str | None = None
    region_code: str
    product_id: str | None = None
    product_name: str | None = None
    consume_time: str
    usage_amount: Decimal
    official_amount: Decimal
    official_discount_amount: Decimal
    payment_amount: Decimal
    cash_amount: Decimal
    credit_amount: Decimal
    coupon_amount: Decimal
    flexipurchase_coupon_amount: Decimal
    stored_value_card_amount: Decimal
    debt_amount: Decimal
    writeoff_amount: Decimal
    period_type: int | None = None
    account_manager_id: str | None = None
    partner_id: str | None = None
    order_type: int | None = None


class ListSubCustomerBillDetailOut(Schema):
    total_count: int
    currency: str = "CNY"
    fee_records: list[SubCustomerMonthlyBillDetail]


def _bill_days(q):
    """The optional day range inside bill_cycle, as [start, end) aware datetimes, or None."""
    begin = parse_day(q.bill_date_begin, "bill_date_begin")
    end = parse_day(q.bill_date_end, "bill_date_end")
    names = {"begin": "bill_date_begin", "end": "bill_date_end", "month": "bill_cycle"}
    if begin is None and end is None:
        return None
    if begin is None or end is None:
        raise parameter_error(_("%(begin)s and %(end)s must be sent together") % names)
    if begin.strftime("%Y-%m") != q.bill_cycle or end.strftime("%Y-%m") != q.bill_cycle:
        raise parameter_error(_("%(begin)s and %(end)s must fall in %(month)s") % names)
    if begin > end:
        raise parameter_error(_("%(begin)s must not be after %(end)s") % names)
    return local_day_start(begin), local_day_start(end) + timezone.timedelta(days=1)


def fee_records(membership, q):
    qs = visible_consumption(membership).filter(bill_cycle=q.bill_cycle)
    exact = {
        "customer__customer_id": q.customer_id,
        "service_type_code": q.service_type_code,
        "region_code": q.region_code,
        "charging_mode": q.charging_mode,
        "bill_detail_type": q.bill_detail_type,
        "resource__resource_id": q.resource_id,
        "trade_id": q.trade_id,
        "association_type": int(q.association_type) if q.association_type else None,
    }
    qs = qs.filter(**{k: v for k, v in exact.items() if v is not None})
    if q.resource_name:
        qs = qs.filter(resource__name__icontains=q.resource_name)
    days = _bill_days(q)
    if days is not None:
        qs = qs.filter(consume_time__gte=days[0], consume_time__lt=days[1])
    qs = with_account_manager(qs)
    if q.account_manager_id:
        qs = qs.filter(account_manager_login__iexact=q.account_manager_id)
    return qs.select_related("customer", "partner", "spec__product", "resource", "order").order_by(
        "-consume_time", "-pk"
    )


def fee_record_as_api(record, names):
    spec, resource = record.spec, record.resource
    return {
        "bill_cycle": record.bill_cycle,
        "customer_id": record.customer.customer_id,
        "association_type": str(record.association_type) if record.association_type else None,
        "service_type_code": record.service_type_code,
        "resource_type_code": record.resource_type_code,
        "service_type_name": names.get(record.service_type_code),
        "charging_mode": record.charging_mode,
        "trade_time": utc(record.created_at),
        "trade_id": record.trade_id,
        "id": record.record_id,
        "bill_detail_type": record.bill_detail_type,
        "resource_id": resource.resource_id if resource else None,
        "resource_name": resource.name if resource else None,
        "product_spec_desc": spec.description,
        "region_code": record.region_code,
        "product_id": spec.sku_id,
        "product_name": spec.product.name,
        "consume_time": utc(record.consume_time),
        "usage_amount": record.usage_amount,
        "official_amount": record.official_amount,
        "official_discount_amount": record.discount_amount,
        "payment_amount": record.payable_amount,
        # The balance paid what was deducted; credit, vouchers and cards never pay a charge here.
        "cash_amount": record.amount,
        "credit_amount": ZERO,
        "coupon_amount": ZERO,
        "flexipurchase_coupon_amount": ZERO,
        "stored_value_card_amount": ZERO,
        "debt_amount": record.debt_amount,
        "writeoff_amount": record.adjustment_amount,
        "period_type": BILL_PERIOD_TYPES.get(record.charging_mode),
        "account_manager_id": record.account_manager_login,
        "partner_id": record.partner.domain_id if record.partner else None,
        "order_type": record.order.order_type if record.order else None,
    }


@router.get(
    "/v2/bills/subcustomer-bills/res-fee-records",
    response=ListSubCustomerBillDetailOut,
    auth=Signed(perm=P.CONSUMPTION_VIEW),
    operation_id="list_sub_customer_bill_detail",
    summary=gettext_noop(
        "Customers' resource-level consumption records (客户消费明细) of one month"
    ),
    exclude_none=True,
)
def list_sub_customer_bill_detail(request, q: Query[BillDetailQuery]):
    membership, _actor = acting(request.auth, q.indirect_partner_id)
    total, rows = page(fee_records(membership, q), q.offset, q.limit)
    names = product_names()
    return {"total_count": total, "fee_records": [fee_record_as_api(r, names) for r in rows]}


# --- Customers with consumption in a month --------------------------------------------------------


class ListConsumeSubCustomersReq(Schema):
    bill_cycle: Month
    offset: Offset = 0
    limit: Limit = 10


class SubCustomerInfoV3(Schema):
    customer_id: str


class ListConsumeSubCustomersOut(Schema):
    sub_customers: list[SubCustomerInfoV3]
    total_count: int


@router.post(
    "/v2/bills/subcustomer-bills/res-fee-records/sub-customers/query",
    response=ListConsumeSubCustomersOut,
    auth=Signed(perm=P.CONSUMPTION_VIEW),
    operation_id="list_consume_sub_customers",
    summary=gettext_noop("Customers with consumption in a billing month"),
)
def list_consume_sub_customers(request, req: ListConsumeSubCustomersReq):
    membership, _actor = acting(request.auth)
    customers = (
        visible_consumption(membership)
        .filter(bill_cycle=req.bill_cycle)
        .values_list("customer__customer_id", flat=True)
        .distinct()
        .order_by("customer__customer_id")
    )
    total, ids = page(customers, req.offset, req.limit)
    return {"sub_customers": [{"customer_id": i} for i in ids], "total_count": total}


# --- 消费汇总: the monthly summary ----------------------------------------------------------------


class MonthlySumQuery(Schema):
    customer_id: Id | None = None
    cycle: Month
    cloud_service_type: Id | None = None
    charge_mode: Literal["1", "3", "11"] | None = None
    offset: Offset = 0
    limit: Limit = 10
    bill_type: Literal["0", "1", "2"] | None = None
    indirect_partner_id: Id | None = None


class BalanceTypeDeductSumV2(Schema):
    balance_type: str
    amount: Decimal
    bill_type: str


class BillSumInfoV2(Schema):
    customer_id: str
    cloud_service_type: str
    cloud_service_type_name: str | None = None
    bill_type: str
    charge_mode: str
    amount: Decimal
    debt_amount: Decimal
    adjustment_amount: Decimal
    discount_amount: Decimal
    measure_id: int = 1
    account_details: list[BalanceTypeDeductSumV2]
    resource_type_code: str


class ListSubcustomerMonthlyBillsOut(Schema):
    bill_sums: list[BillSumInfoV2]
    count: int
    currency: str = "CNY"


def consumption_sum_as_api(row, names):
    """One 消费汇总 row in BillSumInfoV2's shape; `amount` is what the balance actually paid."""
    return {
        "customer_id": row["customer__customer_id"],
        "cloud_service_type": row["service_type_code"],
        "cloud_service_type_name": names.get(row["service_type_code"]),
        "bill_type": CONSUMPTION_BILL_TYPE,
        "charge_mode": str(row["charging_mode"]),
        "amount": row["deducted"],
        "debt_amount": row["debt"],
        "adjustment_amount": row["written_off"],
        "discount_amount": row["discount"],
        "account_details": [
            {
                "balance_type": "BALANCE_TYPE_DEBIT",
                "amount": row["deducted"],
                "bill_type": CONSUMPTION_BILL_TYPE,
            }
        ],
        "resource_type_code": row["resource_type_code"],
    }


@router.get(
    "/v2/bills/partner-bills/subcustomer-bills/monthly-sum",
    response=ListSubcustomerMonthlyBillsOut,
    auth=Signed(perm=P.CONSUMPTION_VIEW),
    operation_id="list_subcustomer_monthly_bills",
    summary=gettext_noop(
        "Customers' monthly consumption summary (消费汇总), with arrears and write-offs"
    ),
    exclude_none=True,
)
def list_subcustomer_monthly_bills(request, q: Query[MonthlySumQuery]):
    membership, _actor = acting(request.auth, q.indirect_partner_id)
    qs = visible_consumption(membership).filter(bill_cycle=q.cycle)
    if q.bill_type not in (None, CONSUMPTION_BILL_TYPE):
        qs = qs.none()
    if q.customer_id:
        qs = qs.filter(customer__customer_id=q.customer_id)
    if q.cloud_service_type:
        qs = qs.filter(service_type_code=q.cloud_service_type)
    if q.charge_mode:
        qs = qs.filter(charging_mode=int(q.charge_mode))
    total, rows = page(consumption_sums(qs), q.offset, q.limit)
    names = product_names()
    return {"count": total, "bill_sums": [consumption_sum_as_api(r, names) for r in rows]}
