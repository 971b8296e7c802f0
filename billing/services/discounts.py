"""商务折扣: staff (华为客户经理) record a customer's business discount as the CRM would; partners
read them on 合同商务 > 商务信息 and on the customer's 商务折扣 tab.

The 折扣状态 (未生效 / 生效中 / 已失效) is never stored: it follows from the dates at read time.
"""

from datetime import UTC
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.selectors import visible_associations
from partnercenter import audit, staff
from partnercenter.errors import DomainError, PermissionRefused
from partnercenter.permissions import P, has_perm

from ..models import BusinessDiscount, ChargingMode, DiscountScope, DiscountType, ProductSpec

STATUSES = ("pending", "active", "expired")
FIELDS = (
    "name",
    "customer_id",
    "discount_type",
    "discount_ratio",
    "scope",
    "effective_time",
    "expire_time",
)


# --- Reading ----------------------------------------------------------------------------------


def visible_discounts(membership):
    """Business discounts of the member's customers (an account manager: its own customers)."""
    if membership is None or not has_perm(membership, P.DISCOUNTS_VIEW):
        return BusinessDiscount.objects.none()
    return BusinessDiscount.objects.filter(
        customer_id__in=visible_associations(membership).values("customer_id")
    )


def filter_by_status(qs, status, now=None):
    """未生效 / 生效中 / 已失效 as a query, with the same boundaries as BusinessDiscount.status_at."""
    now = now or timezone.now()
    if status == "pending":
        return qs.filter(effective_time__gt=now)
    if status == "active":
        return qs.filter(effective_time__lte=now, expire_time__gt=now)
    if status == "expired":
        return qs.filter(expire_time__lte=now)
    return qs


def filter_discounts(qs, params, now=None):
    if params.get("name"):
        qs = qs.filter(name__icontains=params["name"].strip())
    if params.get("customer"):
        text = params["customer"].strip()
        qs = qs.filter(
            Q(customer__name__icontains=text)
            | Q(customer__account_name__iexact=text)
            | Q(customer__customer_id=text)
        )
    if params.get("status"):
        qs = filter_by_status(qs, params["status"], now)
    return qs


def plain(value):
    """A Decimal without trailing zeros and never in exponent form: 0.8500 → '0.85', 50.00 → '50'."""
    return format(value.normalize(), "f")


def percent_off(ratio):
    """0.85 → '15': the share of the list price taken off, as text for display only."""
    return plain((Decimal(1) - ratio) * 100)


_API_CHARGING_MODES = {ChargingMode.PREPAID: "MONTHLY", ChargingMode.ON_DEMAND: "ONDEMAND"}


def _utc(dt):
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def discount_as_api(discount, specs=None):
    """One discount in the partner API's shape (partner-api.md §3.7, list_business_discount_info):
    the commerce header and a PRODUCT_ITEM quote per product spec and billing mode it covers."""
    if specs is None:
        specs = ProductSpec.objects.filter(is_active=True).select_related("product")
        if discount.scope == DiscountScope.PRODUCTS:
            specs = specs.filter(product__in=discount.products.all())
    items = []
    for spec in specs:
        for mode, code in _API_CHARGING_MODES.items():
            items.append(
                {
                    "item_id": f"{discount.commerce_id}-{spec.sku_id}-{mode}",
                    "product_id": spec.sku_id,
                    "product_spec_name": spec.spec_code,
                    "cloud_service_type": spec.product.service_type_code,
                    "cloud_service_type_name": spec.product.name,
                    "charging_mode": code,
                    "preferential_category": 0,
                    "preferential_type": 0,
                    "discount_ratio": discount.discount_ratio,
                    "effective_time": _utc(discount.effective_time),
                    "expire_time": _utc(discount.expire_time),
                }
            )
    return {
        "commerce_id": discount.commerce_id,
        "commerce_code": discount.commerce_id,
        "effective_time": _utc(discount.effective_time),
        "expire_time": _utc(discount.expire_time),
        "product_quoting_items": items,
    }


# --- Staff writes -----------------------------------------------------------------------------


def _require_account_manager(actor):
    if not staff.in_group(getattr(actor, "user", None), staff.ACCOUNT_MANAGER):
        raise PermissionRefused(
            _("Only platform staff in the %(group)s group may do this.")
            % {"group": staff.ACCOUNT_MANAGER}
        )


def clean_ratio(value):
    """A discount ratio 0 < r ≤ 1 with at most 4 decimals (0.85 = the customer pays 85 %)."""
    try:
        ratio = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise DomainError(
            _("Enter the discount ratio, e.g. 0.85."), field="discount_ratio"
        ) from None
    if not ratio.is_finite() or ratio <= 0 or ratio > 1:
        raise DomainError(
            _("The discount ratio must be greater than 0 and at most 1."), field="discount_ratio"
        )
    if ratio != ratio.quantize(Decimal("0.0001")):
        raise DomainError(
            _("The discount ratio can have at most 4 decimal places."), field="discount_ratio"
        )
    return ratio


def validate_discount(discount, products):
    """The rules a business discount must meet, raised as DomainError with the field."""
    discount.name = (discount.name or "").strip()
    if not discount.name:
        raise DomainError(_("Enter the business name."), field="name")
    discount.discount_ratio = clean_ratio(discount.discount_ratio)
    if discount.discount_type not in DiscountType.values:
        raise DomainError(_("Choose the discount type."), field="discount_type")
    if discount.scope not in DiscountScope.values:
        raise DomainError(_("Choose the scope."), field="scope")
    if discount.effective_time is None or discount.expire_time is None:
        raise DomainError(_("Enter the effective and expiry times."), field="expire_time")
    if discount.expire_time <= discount.effective_time:
        raise DomainError(
            _("The expiry time must be later than the effective time."), field="expire_time"
        )
    products = list(products or [])
    if discount.scope == DiscountScope.PRODUCTS and not products:
        raise DomainError(_("Choose at least one product for this scope."), field="products")
    return [] if discount.scope == DiscountScope.ALL else products


def _snapshot(discount, products):
    data = {f: getattr(discount, f) for f in FIELDS}
    data["discount_ratio"] = str(data["discount_ratio"])
    data["effective_time"] = data["effective_time"].isoformat()
    data["expire_time"] = data["expire_time"].isoformat()
    data["products"] = sorted(p.code for p in products)
    return data


# Not durable: no money moves, and the admin's add and change views run inside a transaction
# of their own; this savepoint keeps the row, its products and its audit event together.
@transaction.atomic
def save_discount(*, actor, discount, products=()):
    """Create or change a business discount (the admin's form hands in the unsaved instance)."""
    _require_account_manager(actor)
    products = validate_discount(discount, products)
    creating = discount.pk is None
    before = None
    if not creating:
        old = BusinessDiscount.objects.select_for_update().filter(pk=discount.pk).first()
        if old is None:
            raise DomainError(_("Business discount not found."))
        before = _snapshot(old, old.products.all())
    if creating and discount.created_by_id is None:
        discount.created_by = actor.user
    discount.save()
    discount.products.set(products)
    audit.record(
        "discount.create" if creating else "discount.change",
        actor=actor,
        partner=_current_partner(discount.customer_id),
        target=discount,
        before=before,
        after=_snapshot(discount, products),
    )
    return discount


def create_discount(
    *,
    actor,
    name,
    customer,
    discount_ratio,
    effective_time,
    expire_time,
    scope=DiscountScope.ALL,
    products=(),
    discount_type=DiscountType.HUAWEI_BE,
):
    return save_discount(
        actor=actor,
        discount=BusinessDiscount(
            name=name,
            customer=customer,
            discount_ratio=discount_ratio,
            scope=scope,
            effective_time=effective_time,
            expire_time=expire_time,
            discount_type=discount_type,
        ),
        products=products,
    )


def _current_partner(customer_id):
    from customers.models import Association

    association = (
        Association.objects.current().filter(customer_id=customer_id).select_related("partner")
    ).first()
    return association.partner if association else None
