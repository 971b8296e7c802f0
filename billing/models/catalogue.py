"""The cloud product catalogue (seeded, editable in the admin) and customers' resources."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class ChargingMode(models.IntegerChoices):
    PREPAID = 1, _("Yearly/monthly")  # 包年/包月
    ON_DEMAND = 3, _("Pay-per-use")  # 按需


def _localised(obj, field):
    lang = (get_language() or "zh-hans").lower()
    return getattr(obj, f"{field}_en") if lang.startswith("en") else getattr(obj, f"{field}_zh")


class Product(models.Model):
    code = models.CharField(_("code"), max_length=16, unique=True)  # ECS, EVS, EIP, OBS, RDS
    service_type_code = models.CharField(
        _("cloud service type"), max_length=64
    )  # hws.service.type.ec2
    resource_type_code = models.CharField(_("resource type"), max_length=64)  # hws.resource.type.vm
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    description_zh = models.CharField(_("description (Chinese)"), max_length=255, blank=True)
    description_en = models.CharField(_("description (English)"), max_length=255, blank=True)
    is_active = models.BooleanField(_("on sale"), default=True)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["sort", "code"]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def name(self):
        return _localised(self, "name")

    @property
    def description(self):
        return _localised(self, "description")


def new_product_id():
    return uuid.uuid4().hex[:20]


class ProductSpec(models.Model):
    """A sellable specification with its list prices (元): per month prepaid, per hour on demand."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="specs")
    # The API's product_id (a spec is what Huawei calls a product).
    sku_id = models.CharField(_("product ID"), max_length=32, unique=True, default=new_product_id)
    spec_code = models.CharField(_("specification code"), max_length=64)
    description_zh = models.CharField(_("specification (Chinese)"), max_length=255)
    description_en = models.CharField(_("specification (English)"), max_length=255)
    monthly_price = models.DecimalField(
        _("yearly/monthly price per month"), max_digits=18, decimal_places=2
    )
    hourly_price = models.DecimalField(
        _("pay-per-use price per hour"), max_digits=18, decimal_places=2
    )
    is_active = models.BooleanField(_("on sale"), default=True)

    class Meta:
        verbose_name = _("product specification")
        verbose_name_plural = _("product specifications")
        ordering = ["product__sort", "monthly_price"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "spec_code"], name="spec_code_once_per_product"
            ),
            models.CheckConstraint(
                condition=Q(monthly_price__gt=0) & Q(hourly_price__gt=0),
                name="spec_prices_positive",
            ),
        ]

    def __str__(self):
        return f"{self.product.code} {self.spec_code}"

    @property
    def description(self):
        return _localised(self, "description")


class ResourceStatus(models.TextChoices):
    ACTIVE = "active", _("Running")
    EXPIRED = "expired", _("Expired")
    RELEASED = "released", _("Released")


def new_resource_id():
    return str(uuid.uuid4())


class Resource(models.Model):
    """A customer's cloud resource: 包年/包月 with an expiry, or 按需 rated every hour."""

    resource_id = models.CharField(
        _("resource ID"), max_length=64, unique=True, default=new_resource_id
    )
    name = models.CharField(_("resource name"), max_length=100)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="resources"
    )
    spec = models.ForeignKey(ProductSpec, on_delete=models.PROTECT, related_name="+")
    charging_mode = models.PositiveSmallIntegerField(
        _("billing mode"), choices=ChargingMode.choices
    )
    region_code = models.CharField(_("region"), max_length=32, default="cn-north-4")
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    status = models.CharField(
        _("status"), max_length=16, choices=ResourceStatus.choices, default=ResourceStatus.ACTIVE
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    # 按需: charged up to (not including) this hour; the rating task moves it forward.
    rated_until = models.DateTimeField(null=True, blank=True)
    order = models.ForeignKey(
        "billing.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="resources"
    )

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["-started_at"]
        indexes = [
            models.Index(
                fields=["customer", "status", "expires_at"], name="resource_customer_expiry_idx"
            ),
            models.Index(
                fields=["charging_mode", "status", "rated_until"], name="resource_rating_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(charging_mode=3) | Q(expires_at__isnull=False),
                name="prepaid_resources_expire",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.resource_id[:8]})"
