from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from billing.models import BusinessDiscount, ChargingMode, Product, ProductSpec
from billing.services import funds
from customers.models import Authorization, AuthorizationStatus
from partnercenter.actor import Actor
from tests.customers.factories import customer_login


@pytest.fixture
def catalogue(db):
    # The migration seeds the catalogue, but a transactional test elsewhere may have flushed it.
    from billing.catalogue import ensure_catalogue

    ensure_catalogue()
    return {
        "ecs": ProductSpec.objects.get(spec_code="s6.large.2"),  # 185.00 / month, 0.40 / hour
        "eip": ProductSpec.objects.get(spec_code="BW-5M"),  # 115.00 / month, 0.25 / hour
    }


@pytest.fixture
def shop(finance_member, funded, resale, actor):
    """A 代售 customer with its own login and 500.00 allocated to it."""
    funds.allocate(actor=actor(finance_member), customer_pk=resale.customer_id, amount="500.00")
    user = customer_login(resale.customer, "buyer@customer.test")
    return Actor(user=user, customer=resale.customer, ip="10.0.0.3")


def discount(customer, ratio="0.85", days_from=-1, days_to=30, products=None):
    now = timezone.now()
    d = BusinessDiscount.objects.create(
        name="大客户商务折扣",
        customer=customer,
        discount_ratio=Decimal(ratio),
        effective_time=now + timedelta(days=days_from),
        expire_time=now + timedelta(days=days_to),
        scope="products" if products else "all",
    )
    if products:
        d.products.set(Product.objects.filter(code__in=products))
    return d


def authorize(association):
    return Authorization.objects.create(
        partner=association.partner,
        customer=association.customer,
        association=association,
        status=AuthorizationStatus.GRANTED,
    )


PREPAID = ChargingMode.PREPAID
ON_DEMAND = ChargingMode.ON_DEMAND
