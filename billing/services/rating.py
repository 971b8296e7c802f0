"""The hourly rating of 按需 resources, and writing arrears off when money arrives.

Each resource-hour is charged once: the task claims the hour with a conditional UPDATE of the
resource's rated_until (zero rows means another worker has it), and a unique constraint on
(resource, hour) backs that up. A 代售 customer pays from its allocated balance; what the
balance cannot cover becomes debt_amount (the customer is then in arrears) and is written off
(adjustment_amount) when its partner next allocates funds.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from customers.models import AssociationType
from partnercenter.actor import Actor

from .. import ledger
from ..models import (
    AccountKind,
    AccountType,
    BillDetailType,
    ChargingMode,
    ConsumptionRecord,
    Resource,
    ResourceStatus,
    TradeType,
)
from .orders import bill_cycle
from .pricing import effective_discount, price

HOUR = timedelta(hours=1)
MAX_HOURS_PER_RUN = 48  # a resource far behind catches up over a few runs
BATCH = 200


def _hour(dt):
    return dt.replace(minute=0, second=0, microsecond=0)


def rate_due_hours(now=None):
    """Charge every closed hour of every running 按需 resource; returns the hours charged."""
    now = now or timezone.now()
    closed = _hour(now)  # hours before this one have ended
    charged = 0
    last_pk = 0
    while True:
        ids = list(
            Resource.objects.filter(
                pk__gt=last_pk, charging_mode=ChargingMode.ON_DEMAND, rated_until__lt=closed
            )
            .filter(
                Q(status=ResourceStatus.ACTIVE)
                | Q(status=ResourceStatus.RELEASED, rated_until__lt=F("released_at"))
            )
            .order_by("pk")
            .values_list("pk", flat=True)[:BATCH]
        )
        if not ids:
            return charged
        for pk in ids:
            charged += rate_resource(pk, closed)
        last_pk = ids[-1]


def rate_resource(resource_pk, closed):
    """Charge the closed hours of one resource, one transaction per hour."""
    charged = 0
    for _ in range(MAX_HOURS_PER_RUN):
        with transaction.atomic():
            resource = Resource.objects.select_related("spec__product", "customer").get(
                pk=resource_pk
            )
            hour = resource.rated_until
            end = closed
            if resource.released_at is not None:
                end = min(end, _hour(resource.released_at) + HOUR)
            if hour is None or hour + HOUR > end:
                return charged
            claimed = Resource.objects.filter(pk=resource_pk, rated_until=hour).update(
                rated_until=hour + HOUR
            )
            if not claimed:
                return charged  # another worker is rating this resource
            _charge_hour(resource, hour)
            charged += 1
    return charged


def _charge_hour(resource, hour):
    customer = resource.customer
    association = (
        customer.associations.filter(associated_at__lte=hour + HOUR)
        .filter(ended_at__isnull=True)
        .select_related("partner")
        .first()
    )
    resale = association is not None and association.association_type == AssociationType.RESALE
    quoted = price(
        resource.spec.hourly_price * resource.quantity,
        effective_discount(customer, resource.spec.product, hour),
    )
    deducted, debt, transfer = quoted.payable, Decimal("0.00"), None
    if resale:
        cash = ledger.customer_account(customer)
        locked = ledger.lock([cash])
        deducted = min(locked[cash.pk].balance, quoted.payable)
        debt = quoted.payable - deducted
        if deducted > 0:
            transfer, _created = ledger.post_transfer(
                trade_type=TradeType.DEDUCT,
                legs=[
                    (cash, -deducted),
                    (ledger.platform_account(AccountKind.PLATFORM_REVENUE), deducted),
                ],
                actor=Actor(user=None, via="task"),
                amount=deducted,
                partner=association.partner,
                customer=customer,
                remark=f"{resource.resource_id} {timezone.localtime(hour):%Y-%m-%d %H:00}",
                audit_action="money.rating",
            )
    ConsumptionRecord.objects.create(
        customer=customer,
        partner=association.partner if association else None,
        association_type=association.association_type if association else None,
        account_type=AccountType.PARTNER if resale else AccountType.HUAWEI,
        resource=resource,
        spec=resource.spec,
        service_type_code=resource.spec.product.service_type_code,
        resource_type_code=resource.spec.product.resource_type_code,
        region_code=resource.region_code,
        charging_mode=ChargingMode.ON_DEMAND,
        bill_detail_type=BillDetailType.USAGE,
        trade_id=transfer.trans_id if transfer else resource.resource_id[:32],
        consume_time=hour,
        bill_cycle=bill_cycle(hour),
        usage_amount=resource.quantity,
        official_amount=quoted.official,
        discount_amount=quoted.discount,
        payable_amount=quoted.payable,
        amount=deducted,
        debt_amount=debt,
        transfer=transfer,
    )


def write_off_arrears(customer, *, actor, partner, cash):
    """核销欠款: after money reaches a customer in arrears, settle the oldest debts first.

    Runs inside the allocation's transaction, with the customer's balance row already locked."""
    records = list(
        ConsumptionRecord.objects.select_for_update()
        .filter(customer=customer, debt_amount__gt=0)
        .exclude(adjustment_amount=F("debt_amount"))
        .order_by("consume_time", "pk")
    )
    if not records:
        return None
    locked = ledger.lock([cash])
    available = locked[cash.pk].balance
    total = Decimal("0.00")
    for record in records:
        if available - total <= 0:
            break
        take = min(record.debt_amount - record.adjustment_amount, available - total)
        take = take.quantize(Decimal("0.01"))
        if take <= 0:
            continue
        record.adjustment_amount += take
        record.save(update_fields=["adjustment_amount"])
        total += take
    if total <= 0:
        return None
    transfer, _created = ledger.post_transfer(
        trade_type=TradeType.WRITEOFF,
        legs=[(cash, -total), (ledger.platform_account(AccountKind.PLATFORM_REVENUE), total)],
        actor=actor,
        amount=total,
        partner=partner,
        customer=customer,
        remark="arrears write-off",
        audit_action="money.writeoff",
    )
    return transfer
