"""What a member may see of orders and consumption: one answer for pages, exports and the API."""

from datetime import timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from customers.models import Association
from customers.selectors import visible_associations
from partnercenter.permissions import OWN_CUSTOMERS_ONLY

from .models import ConsumptionRecord, Order
from .timeutil import start_of_month

# 客户消费 looks back at most 18 months (domain §3.5).
CONSUMPTION_MONTHS = 18


def consumption_window_start(now=None):
    return start_of_month(
        timezone.localtime(now or timezone.now()) - relativedelta(months=CONSUMPTION_MONTHS - 1)
    )


def visible_orders(membership):
    qs = Order.objects.filter(partner_id=membership.partner_id)
    if membership.role in OWN_CUSTOMERS_ONLY:
        qs = qs.filter(customer_id__in=visible_associations(membership).values("customer_id"))
    return qs


def visible_consumption(membership, now=None):
    """The partner's customers' consumption within the 18-month window; an account manager sees
    only its own customers and only from the date each was assigned to it."""
    qs = ConsumptionRecord.objects.filter(
        partner_id=membership.partner_id, consume_time__gte=consumption_window_start(now)
    )
    if membership.role in OWN_CUSTOMERS_ONLY:
        since = Association.objects.filter(
            partner_id=membership.partner_id,
            customer_id=OuterRef("customer_id"),
            ended_at__isnull=True,
            account_manager=membership,
        ).values("account_manager_since")[:1]
        qs = qs.annotate(am_since=Subquery(since)).filter(
            am_since__isnull=False, consume_time__gte=F("am_since")
        )
    return qs


ZERO8 = Value(Decimal("0"), output_field=DecimalField(max_digits=24, decimal_places=8))


def outstanding_debt(customer):
    """Arrears not yet written off."""
    total = ConsumptionRecord.objects.filter(customer=customer).aggregate(
        debt=Coalesce(Sum(F("debt_amount") - F("adjustment_amount")), ZERO8)
    )["debt"]
    return total


def debts_by_customer(customer_ids):
    rows = (
        ConsumptionRecord.objects.filter(customer_id__in=customer_ids)
        .filter(~Q(debt_amount=F("adjustment_amount")))
        .values("customer_id")
        .annotate(debt=Sum(F("debt_amount") - F("adjustment_amount")))
    )
    return {r["customer_id"]: r["debt"] for r in rows if r["debt"] > 0}


def month_consumption_by_customer(partner_id, customer_ids, now=None):
    """本月消费: this month's payable consumption per customer (both association types)."""
    start = start_of_month(timezone.localtime(now or timezone.now()))
    rows = (
        ConsumptionRecord.objects.filter(
            partner_id=partner_id, customer_id__in=customer_ids, consume_time__gte=start
        )
        .values("customer_id")
        .annotate(total=Sum("payable_amount"))
    )
    return {r["customer_id"]: r["total"] for r in rows}


def resources_due(customer, days, now=None):
    from .models import ChargingMode, Resource, ResourceStatus

    now = now or timezone.now()
    return Resource.objects.filter(
        customer=customer,
        charging_mode=ChargingMode.PREPAID,
        status=ResourceStatus.ACTIVE,
        expires_at__gt=now,
        expires_at__lte=now + timedelta(days=days),
    )


def with_account_manager(qs):
    """Consumption records annotated with `account_manager_login`: the login name of the account
    manager now looking after the record's customer for the record's partner (or None)."""
    manager = Association.objects.filter(
        partner_id=OuterRef("partner_id"),
        customer_id=OuterRef("customer_id"),
        ended_at__isnull=True,
    ).values("account_manager__user__account_name")[:1]
    return qs.annotate(account_manager_login=Subquery(manager))


def consumption_sums(qs):
    """消费汇总 rows: consumption summed per customer, product type, resource type and billing
    mode, in a stable order so that pages of the rows do not overlap."""
    return (
        qs.values(
            "customer__customer_id", "service_type_code", "resource_type_code", "charging_mode"
        )
        .annotate(
            official=Sum("official_amount"),
            discount=Sum("discount_amount"),
            payable=Sum("payable_amount"),
            deducted=Sum("amount"),
            debt=Sum("debt_amount"),
            written_off=Sum("adjustment_amount"),
        )
        .order_by(
            "customer__customer_id", "service_type_code", "resource_type_code", "charging_mode"
        )
    )
