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
    # Pretend it has run since last month (so last month's partner bill has lines), then rate it.
    start = (now - timedelta(days=32)).replace(minute=0, second=0, microsecond=0)
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
