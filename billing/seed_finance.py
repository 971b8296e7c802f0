"""Demo business discounts and fund-request contracts, made through the real services.

Idempotent: run it on every start of the demo. Call it after billing.seed (that seeder skips a
partner that already has transfers, and a paid contract here makes one).
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from customers.models import Customer
from partnercenter.actor import Actor
from partnercenter.models import Membership, Partner, Role, User

from .models import BusinessDiscount, ContractEntity, DiscountScope, FundRequestContract, Product
from .services import contracts, discounts

# (customer account name, business name, ratio, days from now it starts, days it lasts, products)
DISCOUNTS = [
    ("demo-customer", "2026年度框架商务折扣", "0.85", -30, 365, None),
    ("hanshan-retail", "2025年度促销商务折扣", "0.90", -400, 365, None),
    ("jinghua-med", "医疗上云专项折扣", "0.80", 15, 180, ["ECS", "EVS"]),
    ("lanhai-logistics", "物流行业计算资源折扣", "0.88", -10, 90, ["ECS"]),
]

CONTRACT_REMARK = "demo"


def _staff_actor():
    user = User.objects.filter(email="staff@demo.test").first()
    return Actor(user=user, via="system") if user is not None else None


def _member_actor(partner, *roles):
    membership = (
        Membership.objects.active()
        .filter(partner=partner, role__in=roles)
        .select_related("user", "partner")
        .order_by("joined_at")
        .first()
    )
    if membership is None:
        return None
    return Actor(user=membership.user, partner=partner, membership=membership, via="system")


def seed_discounts(staff_actor, out):
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    made = 0
    for account_name, name, ratio, start_days, days, codes in DISCOUNTS:
        customer = Customer.objects.filter(account_name=account_name).first()
        if (
            customer is None
            or BusinessDiscount.objects.filter(customer=customer, name=name).exists()
        ):
            continue
        products = list(Product.objects.filter(code__in=codes)) if codes else []
        effective = now + timedelta(days=start_days)
        discounts.create_discount(
            actor=staff_actor,
            name=name,
            customer=customer,
            discount_ratio=Decimal(ratio),
            scope=DiscountScope.PRODUCTS if products else DiscountScope.ALL,
            products=products,
            effective_time=effective,
            expire_time=effective + timedelta(days=days),
        )
        made += 1
    out(f"business discounts: {made} created")


def seed_contracts(staff_actor, out):
    partner = Partner.objects.filter(account_name="yuntu-tech").first()
    if partner is None:
        return
    if FundRequestContract.objects.filter(partner=partner, remark=CONTRACT_REMARK).exists():
        return
    member = _member_actor(partner, Role.FINANCE, Role.ADMIN)
    if member is None:
        return
    today = timezone.localdate()
    paid = contracts.apply_contract(
        actor=member,
        amount=Decimal("20000.00"),
        promised_payment_date=today - timedelta(days=45),
        payer=partner.name,
        contracting_entity=ContractEntity.HUAWEI_CLOUD,
        remark=CONTRACT_REMARK,
        request_key="demo-contract-paid",
    )
    contracts.confirm_contract_payment(actor=staff_actor, contract_id=paid.pk)
    contracts.apply_contract(
        actor=member,
        amount=Decimal("15000.00"),
        promised_payment_date=today + timedelta(days=10),
        payer=partner.name,
        contracting_entity=ContractEntity.HUAWEI_SOFTWARE,
        remark=CONTRACT_REMARK,
        request_key="demo-contract-pending",
    )
    out("fund-request contracts: 1 paid, 1 awaiting payment")


def seed_finance(stdout=None):
    def out(text):
        if stdout is not None:
            stdout.write(text)

    staff_actor = _staff_actor()
    if staff_actor is None:
        return
    seed_discounts(staff_actor, out)
    seed_contracts(staff_actor, out)
