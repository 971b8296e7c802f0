"""Prices after the customer's effective business discount (商务折扣), to the cent."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils import timezone

from ..models import BusinessDiscount, DiscountScope

CENT = Decimal("0.01")


def effective_discount(customer, product, at=None):
    """The best (lowest ratio) business discount in effect for this customer and product, or None."""
    at = at or timezone.now()
    return (
        BusinessDiscount.objects.filter(
            customer=customer, effective_time__lte=at, expire_time__gt=at
        )
        .filter(Q(scope=DiscountScope.ALL) | Q(scope=DiscountScope.PRODUCTS, products=product))
        .order_by("discount_ratio", "pk")
        .first()
    )


@dataclass(frozen=True)
class Price:
    official: Decimal
    discount: Decimal
    payable: Decimal
    business_discount: object | None


def price(list_amount, discount=None):
    official = Decimal(list_amount).quantize(CENT, rounding=ROUND_HALF_UP)
    if discount is None:
        return Price(official, Decimal("0.00"), official, None)
    payable = (official * discount.discount_ratio).quantize(CENT, rounding=ROUND_HALF_UP)
    return Price(official, official - payable, payable, discount)
