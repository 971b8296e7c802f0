"""Demo money: top-ups, credit limits and allocations, made through the same services."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from customers.models import Association
from partnercenter.actor import Actor
from partnercenter.models import Membership, Partner, Role, User

from .models import RemittanceClaim, Transfer
from .services import funds, staff

FUNDING = {
    # partner account: (remittance, credit limit, {customer account name: allocation})
    "yuntu-tech": (
        "50000.00",
        "20000.00",
        {"demo-customer": "1000.00", "hanshan-retail": "3200.00", "lanhai-logistics": "800.50"},
    ),
    "xinghe-data": ("8000.00", "5000.00", {"beichen-auto": "1500.00"}),
    "hualian-dist": ("100000.00", "50000.00", {"dongsheng-mfg": "2000.00"}),
}


def seed(stdout=None):
    staff_user = User.objects.get(email="staff@demo.test")
    staff_actor = Actor(user=staff_user, via="system")
    today = timezone.localdate()
    for account_name, (remit, limit, allocations) in FUNDING.items():
        partner = Partner.objects.get(account_name=account_name)
        if Transfer.objects.filter(partner=partner).exists():
            continue
        claim = staff.claim_remittance(
            actor=_member_actor(partner, Role.FINANCE) or _member_actor(partner, Role.ADMIN),
            amount=remit,
            remitted_on=today - timedelta(days=20),
            payer=partner.name,
            reference=f"DEMO-{account_name.upper()}-001",
        )
        staff.confirm_remittance(actor=staff_actor, claim_id=claim.pk, note="demo")
        staff.set_credit_limit(
            actor=staff_actor, partner=partner, new_limit=limit, reason="年度授信 (demo)"
        )
        member = _member_actor(partner, Role.FINANCE) or _member_actor(partner, Role.ADMIN)
        for customer_account, amount in allocations.items():
            association = (
                Association.objects.current()
                .filter(partner=partner, customer__account_name=customer_account)
                .first()
            )
            if association is not None:
                funds.allocate(
                    actor=member,
                    customer_pk=association.customer_id,
                    amount=Decimal(amount),
                    remark="demo",
                )
        # One claim still waiting for staff, to show the flow.
        if not RemittanceClaim.objects.filter(partner=partner, status="pending").exists():
            staff.claim_remittance(
                actor=member,
                amount="5000.00",
                remitted_on=today - timedelta(days=1),
                payer=partner.name,
                reference=f"DEMO-{account_name.upper()}-002",
            )
    recovered_demo(staff_actor)


def recovered_demo(staff_actor):
    """A recovery on the demo customer, so its 调账记录 shows both directions."""
    yuntu = Partner.objects.get(account_name="yuntu-tech")
    if Transfer.objects.filter(partner=yuntu, trade_type="BERETRIEVE").exists():
        return
    association = (
        Association.objects.current()
        .filter(partner=yuntu, customer__account_name="hanshan-retail")
        .first()
    )
    if association is not None:
        funds.recover(
            actor=_member_actor(yuntu, Role.FINANCE),
            customer_pk=association.customer_id,
            amount=Decimal("200.00"),
            remark="demo",
        )


def _member_actor(partner, role):
    member = (
        Membership.objects.active()
        .filter(partner=partner, role=role)
        .select_related("user", "partner")
        .first()
    )
    if member is None:
        return None
    return Actor(user=member.user, partner=partner, membership=member, via="system")


def seed_orders(stdout=None):
    """Demo orders, resources and consumption, through the order and rating services."""
    from datetime import timedelta

    from customers.models import Customer
    from partnercenter.actor import Actor

    from .models import ChargingMode, Order, ProductSpec, Resource
    from .services import orders as order_services
    from .services.rating import HOUR, rate_resource

    if Order.objects.exists():
        return
    from .catalogue import ensure_catalogue

    ensure_catalogue()
    now = timezone.now()
    ecs = ProductSpec.objects.get(spec_code="s6.large.2")
    eip = ProductSpec.objects.get(spec_code="BW-5M")
    evs = ProductSpec.objects.get(spec_code="SSD-100")

    def actor_for(account_name):
        customer = Customer.objects.get(account_name=account_name)
        login = customer.logins.select_related("user").first()
        return Actor(user=login.user if login else None, customer=customer, via="system"), customer

    demo_actor, demo = actor_for("demo-customer")
    paid = order_services.place_order(
        actor=demo_actor,
        spec_id=ecs.pk,
        charging_mode=ChargingMode.PREPAID,
        period_num=1,
        quantity=1,
        name="web-server-01",
    )
    order_services.pay_order(actor=demo_actor, order_id=paid.order_id)
    order_services.place_order(
        actor=demo_actor,
        spec_id=evs.pk,
        charging_mode=ChargingMode.PREPAID,
        period_num=3,
        quantity=1,
        name="data-disk-01",
    )  # left 待支付
    # A resource close to expiry, for the 7/15/30-day counters.
    Resource.objects.filter(order=paid).update(expires_at=now + timedelta(days=5))

    hanshan_actor, _hanshan = actor_for("hanshan-retail")
    on_demand = order_services.place_order(
        actor=hanshan_actor,
        spec_id=eip.pk,
        charging_mode=ChargingMode.ON_DEMAND,
        quantity=1,
        name="eip-shop",
    )
    # Pretend it has run for the last day and a half, then rate it hour by hour (last month's
    # partner bill gets its lines from the customer book, seed_book_money: rating a month of
    # hours one transaction each made the seed slow).
    start = (now - timedelta(hours=36)).replace(minute=0, second=0, microsecond=0)
    Resource.objects.filter(order=on_demand).update(started_at=start, rated_until=start)
    closed = now.replace(minute=0, second=0, microsecond=0)
    for resource in Resource.objects.filter(order=on_demand):
        while rate_resource(resource.pk, closed):
            pass

    # A resale customer with no funds yet: its usage becomes arrears (欠款) until its partner allocates.
    jinghua = Customer.objects.get(account_name="jinghua-med")
    server = Resource.objects.create(
        name="erp-db",
        customer=jinghua,
        spec=ProductSpec.objects.get(spec_code="mysql.x1.large.2"),
        charging_mode=ChargingMode.ON_DEMAND,
        started_at=now - 10 * HOUR,
        rated_until=(now - 10 * HOUR).replace(minute=0, second=0, microsecond=0),
    )
    rate_resource(server.pk, closed)
    # A referral customer pays Huawei itself: its usage shows in 客户消费 without touching any balance.
    qingniao = Customer.objects.get(account_name="qingniao-edu")
    vm = Resource.objects.create(
        name="lms-app",
        customer=qingniao,
        spec=ecs,
        charging_mode=ChargingMode.ON_DEMAND,
        started_at=now - 20 * HOUR,
        rated_until=(now - 20 * HOUR).replace(minute=0, second=0, microsecond=0),
    )
    rate_resource(vm.pk, closed)


# --- Money and usage for 云途科技's customer book (customers.seed.seed_book) ----------------------
# Enough allocations, orders, consumption and last month's bill lines that each of those lists
# runs past page one. Money moves only through the services (allocate, recover, pay), so every
# balance stays the sum of its postings; usage that moves no money (顾问销售 customers pay Huawei
# themselves) is bulk-inserted.

BOOK_PARTNER = "yuntu-tech"


def _previous_month_at(i, now):
    """A moment in the previous Beijing-time month, a different day for each i."""
    first = timezone.localtime(now).replace(day=1, hour=10, minute=0, second=0, microsecond=0)
    return first - timedelta(days=1 + i % 27, hours=i % 7)


def seed_book_money(stdout=None):
    partner = Partner.objects.filter(account_name=BOOK_PARTNER).first()
    if partner is None:
        return
    book = list(
        Association.objects.current()
        .filter(partner=partner, customer__account_name__startswith="yt-book-")
        .select_related("customer")
        .order_by("customer__account_name")
    )
    now = timezone.now()
    _book_resale(partner, [a for a in book if a.is_resale], now)
    _book_referral([a for a in book if not a.is_resale], now)


def _book_resale(partner, associations, now):
    """Each 代售 customer: an allocation, a prepaid order paid from it (last month), some recoveries."""
    from .models import ChargingMode, ConsumptionRecord, Order, ProductSpec, Resource
    from .services import orders as order_services
    from .services.orders import bill_cycle

    done = set(
        Order.objects.filter(customer__in=[a.customer_id for a in associations]).values_list(
            "customer_id", flat=True
        )
    )
    todo = [a for a in associations if a.customer_id not in done]
    if not todo:
        return
    finance = _member_actor(partner, Role.FINANCE) or _member_actor(partner, Role.ADMIN)
    specs = list(
        ProductSpec.objects.filter(spec_code__in=["s6.large.2", "BW-5M", "SSD-100"]).order_by("pk")
    )
    for i, association in enumerate(todo):
        customer = association.customer
        funds.allocate(
            actor=finance,
            customer_pk=customer.pk,
            amount=Decimal(300 + 25 * (i % 9)),
            remark="demo",
        )
        buyer = Actor(user=None, customer=customer, via="system")
        order = order_services.place_order(
            actor=buyer,
            spec_id=specs[i % len(specs)].pk,
            charging_mode=ChargingMode.PREPAID,
            period_num=1,
            quantity=1,
            name=f"{customer.account_name}-{i % 3 + 1:02d}",
        )
        order_services.pay_order(actor=buyer, order_id=order.order_id)
        if i % 4 == 0:
            funds.recover(
                actor=finance, customer_pk=customer.pk, amount=Decimal("20.00"), remark="demo"
            )
        # Bought last month: last month's partner bill lists the purchase.
        when = _previous_month_at(i, now)
        Order.objects.filter(pk=order.pk).update(created_at=when, paid_at=when)
        ConsumptionRecord.objects.filter(order=order).update(
            consume_time=when, bill_cycle=bill_cycle(when), created_at=when
        )
        Resource.objects.filter(order=order).update(
            started_at=when, expires_at=when + timedelta(days=31)
        )


def _book_referral(associations, now):
    """Each 顾问销售 customer ran a pay-per-use resource for a few hours last month and this month:
    orders, released resources and hourly consumption records, bulk-inserted (no balance moves)."""
    from .models import (
        AccountType,
        BillDetailType,
        ChargingMode,
        ConsumptionRecord,
        Order,
        OrderLine,
        OrderSource,
        OrderStatus,
        PeriodType,
        ProductSpec,
        Resource,
        ResourceStatus,
    )
    from .services.orders import bill_cycle

    done = set(
        Order.objects.filter(customer__in=[a.customer_id for a in associations]).values_list(
            "customer_id", flat=True
        )
    )
    todo = [a for a in associations if a.customer_id not in done]
    if not todo:
        return
    specs = list(
        ProductSpec.objects.filter(spec_code__in=["s6.large.2", "BW-5M"])
        .select_related("product")
        .order_by("pk")
    )
    runs = []  # (association, spec, start, hours)
    for i, association in enumerate(todo):
        spec = specs[i % len(specs)]
        runs.append((association, spec, _previous_month_at(i + 3, now), 3))
        start = now - timedelta(hours=6 + i % 12)  # recent hours, most often this month
        runs.append((association, spec, start.replace(minute=0, second=0, microsecond=0), 2))
    orders = Order.objects.bulk_create(
        Order(
            customer=a.customer,
            partner=a.partner,
            status=OrderStatus.COMPLETED,
            source_type=OrderSource.CUSTOMER,
            charging_mode=ChargingMode.ON_DEMAND,
            service_type_code=spec.product.service_type_code,
            official_amount=0,
            amount_after_discount=0,
            created_at=start,
            paid_at=start,
        )
        for a, spec, start, _h in runs
    )
    if orders and orders[0].pk is None:  # a backend that does not return ids
        by_key = {
            (o.customer_id, o.created_at): o
            for o in Order.objects.filter(customer__in=[a.customer_id for a in todo])
        }
        orders = [by_key[(a.customer_id, start)] for a, _s, start, _h in runs]
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            spec=spec,
            period_type=PeriodType.HOUR,
            official_amount=spec.hourly_price,
            amount_after_discount=spec.hourly_price,
            effective_time=start,
        )
        for order, (_a, spec, start, _h) in zip(orders, runs, strict=True)
    )
    resources = Resource.objects.bulk_create(
        Resource(
            name=f"{a.customer.account_name}-{order.order_id[-4:].lower()}",
            customer=a.customer,
            spec=spec,
            charging_mode=ChargingMode.ON_DEMAND,
            status=ResourceStatus.RELEASED,
            started_at=start,
            released_at=start + timedelta(hours=hours),
            rated_until=start + timedelta(hours=hours),
            order=order,
        )
        for order, (a, spec, start, hours) in zip(orders, runs, strict=True)
    )
    if resources and resources[0].pk is None:
        by_order = {
            r.order_id: r for r in Resource.objects.filter(order__in=[o.pk for o in orders])
        }
        resources = [by_order[o.pk] for o in orders]
    ConsumptionRecord.objects.bulk_create(
        ConsumptionRecord(
            customer=a.customer,
            partner=a.partner,
            association_type=a.association_type,
            account_type=AccountType.HUAWEI,
            resource=resource,
            spec=spec,
            service_type_code=spec.product.service_type_code,
            resource_type_code=spec.product.resource_type_code,
            region_code=resource.region_code,
            charging_mode=ChargingMode.ON_DEMAND,
            bill_detail_type=BillDetailType.USAGE,
            trade_id=resource.resource_id[:32],
            consume_time=start + timedelta(hours=h),
            bill_cycle=bill_cycle(start + timedelta(hours=h)),
            usage_amount=1,
            official_amount=spec.hourly_price,
            payable_amount=spec.hourly_price,
            amount=spec.hourly_price,
        )
        for resource, (a, spec, start, hours) in zip(resources, runs, strict=True)
        for h in range(hours)
    )
