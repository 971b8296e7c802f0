"""商务折扣: discounts the Huawei account manager applied for in CRM, recorded by staff."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DiscountType(models.IntegerChoices):
    HUAWEI_BE = 605, _("Contract business discount (Huawei Cloud BE)")
    DISTRIBUTOR_BE = 606, _("Contract business discount (distributor BE)")


class DiscountScope(models.TextChoices):
    ALL = "all", _("All products")
    PRODUCTS = "products", _("Chosen products")


def new_commerce_id():
    return uuid.uuid4().hex[:16]


class BusinessDiscount(models.Model):
    commerce_id = models.CharField(
        _("business ID"), max_length=32, unique=True, default=new_commerce_id
    )
    name = models.CharField(_("business name"), max_length=200)  # 商务名称
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="business_discounts"
    )
    discount_type = models.PositiveSmallIntegerField(
        _("discount type"), choices=DiscountType.choices, default=DiscountType.HUAWEI_BE
    )
    # The share of the list price the customer pays, e.g. 0.85 = 15 % off.
    discount_ratio = models.DecimalField(_("discount ratio"), max_digits=5, decimal_places=4)
    scope = models.CharField(
        _("scope"), max_length=16, choices=DiscountScope.choices, default=DiscountScope.ALL
    )
    products = models.ManyToManyField("billing.Product", blank=True, verbose_name=_("products"))
    effective_time = models.DateTimeField(_("effective from"))
    expire_time = models.DateTimeField(_("expires at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("business discount")
        verbose_name_plural = _("business discounts")
        ordering = ["-effective_time", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(discount_ratio__gt=0, discount_ratio__lte=1),
                name="discount_ratio_in_range",
            ),
            models.CheckConstraint(
                condition=Q(expire_time__gt=models.F("effective_time")),
                name="discount_period_valid",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.discount_ratio})"

    def status_at(self, now=None):
        """未生效 / 生效中 / 已失效, from the dates at read time."""
        now = now or timezone.now()
        if now < self.effective_time:
            return "pending"
        if now >= self.expire_time:
            return "expired"
        return "active"

    @property
    def status(self):
        return self.status_at()

    def get_status_display(self):
        return {
            "pending": _("Not yet effective"),
            "active": _("In effect"),
            "expired": _("Expired"),
        }[self.status]
