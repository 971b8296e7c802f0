"""Both sides of every numeric rule of the billing app (issue 10 §8).

Money amounts (2 decimals, the largest amount) are pinned by the amount parser's own tests.
"""

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from billing.models import ConsumptionRecord, Order, OrderStatus, PeriodType, ProductSpec, Resource
from billing.selectors import consumption_window_start, resources_due, visible_consumption
from billing.services import funds
from billing.services import orders as svc
from billing.services.bills import generate_bills, require_closed_cycle
from partnercenter.errors import DomainError
from partnercenter.models import Notification

from .conftest import fund
from .orders_fixtures import PREPAID

pytestmark = pytest.mark.django_db

SECOND = timedelta(seconds=1)
MINUTE = timedelta(minutes=1)


def beijing(*args):
    return timezone.make_aware(datetime(*args))


# --- credit alerts at 70 %, 85 % and 100 % of the credit limit -------------------------------
#
# Usage is the credit in use × 100 / the limit, cut to a whole percent: 84.99 % is 84 %.


@pytest.fixture
def credit_only(partner, resale):
    fund(partner, credit="1000.00")  # no own money: every yuan allocated is credit in use
    return resale


def alerts(member):
    """The thresholds the member was told about, oldest first ("70%", …), in any language."""
    titles = Notification.objects.filter(recipient=member.user, title__contains="%").order_by("pk")
    return [re.search(r"\d+%", t).group(0) for t in titles.values_list("title", flat=True)]


@pytest.mark.parametrize(
    "allocated, told",
    [
        ("699.99", []),
        ("700.00", ["70%"]),
        ("849.99", ["70%"]),
        ("850.00", ["85%"]),  # 70 and 85 crossed at once: one notice, for the higher one
        ("899.99", ["85%"]),
        ("999.99", ["85%"]),
        ("1000.00", ["100%"]),
    ],
)
def test_one_allocation_is_told_the_highest_threshold_it_reaches(
    admin_member, finance_member, credit_only, actor, allocated, told
):
    funds.allocate(
        actor=actor(finance_member), customer_pk=credit_only.customer_id, amount=allocated
    )
    assert alerts(admin_member) == told
    assert alerts(finance_member) == told


def test_each_threshold_is_told_once_on_the_way_up_and_again_after_falling_below_it(
    admin_member, finance_member, credit_only, actor
):
    customer = credit_only.customer_id
    a = actor(finance_member)

    def allocate(amount):
        funds.allocate(actor=a, customer_pk=customer, amount=amount)

    def recover(amount):
        funds.recover(actor=a, customer_pk=customer, amount=amount)

    def told():
        return sorted(alerts(admin_member), key=lambda p: int(p[:-1]))

    allocate("699.99")  # 69 %
    assert told() == []
    allocate("0.01")  # 70 %
    assert told() == ["70%"]
    allocate("149.99")  # 84.999 %: still 84
    assert told() == ["70%"]
    allocate("0.01")  # 85 %
    assert told() == ["70%", "85%"]
    allocate("149.99")  # 99 %
    allocate("0.01")  # 100 %
    assert told() == ["70%", "85%", "100%"]
    recover("0.01")  # 99 %: below 100 re-arms it, tells nothing
    assert told() == ["70%", "85%", "100%"]
    allocate("0.01")  # 100 % again
    assert told() == ["70%", "85%", "100%", "100%"]
    recover("150.01")  # 84 %: 85 re-armed, 70 still held
    allocate("0.01")  # 85 % again
    assert told() == ["70%", "85%", "85%", "100%", "100%"]
    recover("150.01")  # 69 %
    allocate("300.01")  # 100 %: 70, 85 and 100 crossed in one go, one notice
    assert told() == ["70%", "85%", "85%", "100%", "100%", "100%"]


# --- customer consumption looks back 18 months ------------------------------------------------
#
# The window is this Beijing month and the 17 before it, from the first instant of the oldest.


def consumed(customer, partner, when, amount):
    from billing.catalogue import ensure_catalogue

    ensure_catalogue()
    spec = ProductSpec.objects.get(spec_code="s6.large.2")
    return ConsumptionRecord.objects.create(
        customer=customer,
        partner=partner,
        association_type=2,
        account_type=1,
        spec=spec,
        service_type_code=spec.product.service_type_code,
        resource_type_code=spec.product.resource_type_code,
        region_code="cn-north-4",
        charging_mode=3,
        bill_detail_type=5,
        trade_id=f"T{amount}",
        consume_time=when,
        bill_cycle=timezone.localtime(when).strftime("%Y-%m"),
        official_amount=Decimal(amount),
        payable_amount=Decimal(amount),
        amount=Decimal(amount),
    )


def test_the_oldest_month_of_the_window_is_in_the_one_before_it_is_not(admin_member, resale):
    now = beijing(2026, 11, 15, 12, 0)
    start = beijing(2025, 6, 1, 0, 0)  # November 2026 and the 17 months before it
    assert consumption_window_start(now) == start
    inside = consumed(resale.customer, admin_member.partner, start, "1.01")
    outside = consumed(resale.customer, admin_member.partner, start - SECOND, "2.02")
    seen = set(visible_consumption(admin_member, now=now).values_list("pk", flat=True))
    assert inside.pk in seen and outside.pk not in seen


def test_the_month_filter_accepts_the_18th_month_back_and_refuses_the_19th(
    client, admin_member, resale
):
    oldest = timezone.localtime(consumption_window_start())
    before = timezone.localtime(consumption_window_start() - SECOND)
    consumed(resale.customer, admin_member.partner, oldest + MINUTE, "3.03")
    client.force_login(admin_member.user)
    url = reverse("billing:consumption")
    kept = client.get(url, {"month": oldest.strftime("%Y-%m")}).content.decode()
    assert "客户消费最多查询18个月内的数据" not in kept and "3.03" in kept
    refused = client.get(url, {"month": before.strftime("%Y-%m")}).content.decode()
    assert "客户消费最多查询18个月内的数据" in refused


# --- partner bills: a month is billed once it has ended in Beijing ---------------------------


def test_a_month_can_be_billed_from_midnight_beijing_time_on_the_1st():
    # Given in UTC on purpose: 16:00 UTC on 30 April is midnight of 1 May in Beijing.
    assert require_closed_cycle("2026-04", now=datetime(2026, 4, 30, 16, 0, 0, tzinfo=UTC))
    assert require_closed_cycle("2026-04", now=beijing(2026, 5, 1, 0, 0, 0)) == "2026-04"
    last_second = datetime(2026, 4, 30, 15, 59, 59, tzinfo=UTC)
    with pytest.raises(DomainError, match="has not ended"):
        require_closed_cycle("2026-04", now=last_second)
    with pytest.raises(DomainError, match="has not ended"):
        generate_bills("2026-04", now=last_second)


# --- orders: paid within 7 days, 1–100 items, 1–36 months ------------------------------------


def placed_ago(order, age):
    Order.objects.filter(pk=order.pk).update(
        created_at=F("created_at") - age,
        pending_payment_end_time=F("pending_payment_end_time") - age,
    )


@pytest.fixture
def unpaid(shop, catalogue):
    return svc.place_order(actor=shop, spec_id=catalogue["ecs"].pk, charging_mode=PREPAID)


def test_an_order_placed_6d23h59m_ago_can_still_be_paid_and_is_not_swept(shop, unpaid):
    placed_ago(unpaid, timedelta(days=6, hours=23, minutes=59))
    assert svc.expire_resources() == 0
    assert svc.pay_order(actor=shop, order_id=unpaid.order_id).status == OrderStatus.COMPLETED


def test_an_order_placed_7d_and_1s_ago_is_past_its_window_before_and_after_the_sweep(shop, unpaid):
    placed_ago(unpaid, timedelta(days=7) + SECOND)
    with pytest.raises(DomainError, match="payment window"):
        svc.pay_order(actor=shop, order_id=unpaid.order_id)
    assert Order.objects.get(pk=unpaid.pk).payment_id is None
    assert svc.expire_resources() == 1
    assert Order.objects.get(pk=unpaid.pk).status == OrderStatus.CANCELLED
    with pytest.raises(DomainError):
        svc.pay_order(actor=shop, order_id=unpaid.order_id)


@pytest.mark.parametrize(
    "period_type, period_num, quantity, ok",
    [
        (PeriodType.MONTH, 1, 1, True),
        (PeriodType.MONTH, 1, 100, True),
        (PeriodType.MONTH, 1, 101, False),
        (PeriodType.MONTH, 1, 0, False),
        (PeriodType.MONTH, 36, 1, True),
        (PeriodType.MONTH, 37, 1, False),
        (PeriodType.MONTH, 0, 1, False),
        (PeriodType.YEAR, 3, 1, True),
        (PeriodType.YEAR, 4, 1, False),
    ],
)
def test_an_order_has_1_to_100_items_for_1_to_36_months(
    shop, catalogue, period_type, period_num, quantity, ok
):
    def place():
        return svc.place_order(
            actor=shop,
            spec_id=catalogue["eip"].pk,
            charging_mode=PREPAID,
            period_type=period_type,
            period_num=period_num,
            quantity=quantity,
        )

    if ok:
        assert place().lines.get().quantity == quantity
    else:
        with pytest.raises(DomainError):
            place()
        assert not Order.objects.exists()


# --- resources due for renewal within 7 / 15 / 30 days ---------------------------------------


def test_due_windows_take_resources_expiring_up_to_their_last_second(shop, catalogue):
    order = svc.place_order(actor=shop, spec_id=catalogue["ecs"].pk, charging_mode=PREPAID)
    svc.pay_order(actor=shop, order_id=order.order_id)
    resource = Resource.objects.get(order=order)
    now = timezone.now()
    for days in (7, 15, 30):
        Resource.objects.filter(pk=resource.pk).update(expires_at=now + timedelta(days=days))
        assert resources_due(shop.customer, days, now=now).count() == 1, days
        Resource.objects.filter(pk=resource.pk).update(
            expires_at=now + timedelta(days=days) + SECOND
        )
        assert resources_due(shop.customer, days, now=now).count() == 0, days
