"""Orders (代客下单 or the customer's own): 待支付 → 已完成 when paid, or 已取消."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .catalogue import ChargingMode


class OrderStatus(models.IntegerChoices):
    # The API's codes (partner-api.md §3.6).
    PENDING_REVIEW = 1, _("Pending review")  # 待审核
    PROCESSING = 3, _("Processing")  # 处理中
    CANCELLED = 4, _("Cancelled")  # 已取消
    COMPLETED = 5, _("Completed")  # 已完成
    PENDING_PAYMENT = 6, _("Pending payment")  # 待支付


class OrderType(models.IntegerChoices):
    NEW = 1, _("New purchase")  # 新购
    RENEW = 2, _("Renewal")  # 续订
    CHANGE = 3, _("Change")  # 变更
    UNSUBSCRIBE = 4, _("Unsubscription")  # 退订


class OrderSource(models.IntegerChoices):
    CUSTOMER = 1, _("Customer")
    AGENT = 2, _("Partner on behalf (代客下单)")


class PeriodType(models.IntegerChoices):
    # Order-line enum of the API (not the bill one).
    MONTH = 2, _("Month")
    YEAR = 3, _("Year")
    HOUR = 4, _("Hour")


def new_order_id(now=None):
    # Huawei's shape, e.g. CS170926155954NO7: CS, yymmddHHMMSS, then a short random suffix.
    now = timezone.localtime(now or timezone.now())
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return f"CS{now:%y%m%d%H%M%S}{''.join(secrets.choice(alphabet) for _ in range(5))}"


class Order(models.Model):
    order_id = models.CharField(_("order ID"), max_length=32, unique=True, default=new_order_id)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="orders"
    )
    # The partner the customer was associated with when ordering (None for a direct customer).
    partner = models.ForeignKey(
        "partnercenter.Partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="customer_orders",
    )
    order_type = models.PositiveSmallIntegerField(
        _("order type"), choices=OrderType.choices, default=OrderType.NEW
    )
    status = models.PositiveSmallIntegerField(_("order status"), choices=OrderStatus.choices)
    source_type = models.PositiveSmallIntegerField(
        _("order source"), choices=OrderSource.choices, default=OrderSource.CUSTOMER
    )
    charging_mode = models.PositiveSmallIntegerField(
        _("billing mode"), choices=ChargingMode.choices
    )
    service_type_code = models.CharField(_("product type"), max_length=64)
    official_amount = models.DecimalField(_("list price"), max_digits=18, decimal_places=2)
    discount_amount = models.DecimalField(_("discount"), max_digits=18, decimal_places=2, default=0)
    amount_after_discount = models.DecimalField(
        _("amount payable"), max_digits=18, decimal_places=2
    )
    business_discount = models.ForeignKey(
        "billing.BusinessDiscount",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("order time"), default=timezone.now, db_index=True)
    pending_payment_end_time = models.DateTimeField(_("pay by"), null=True, blank=True)
    paid_at = models.DateTimeField(_("payment time"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    payment = models.OneToOneField(
        "billing.Transfer", on_delete=models.PROTECT, null=True, blank=True, related_name="order"
    )

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["partner", "-created_at"], name="order_partner_time_idx"),
            models.Index(fields=["customer", "status"], name="order_customer_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    official_amount__gte=0, discount_amount__gte=0, amount_after_discount__gte=0
                ),
                name="order_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[1, 3, 4, 5, 6]), name="order_status_known"
            ),
        ]

    def __str__(self):
        return self.order_id

    @property
    def is_pending_payment(self):
        return self.status == OrderStatus.PENDING_PAYMENT


def new_line_id():
    return secrets.token_hex(8)


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    line_id = models.CharField(max_length=32, unique=True, default=new_line_id)
    spec = models.ForeignKey("billing.ProductSpec", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    period_type = models.PositiveSmallIntegerField(_("period"), choices=PeriodType.choices)
    period_num = models.PositiveIntegerField(_("periods"), default=1)
    official_amount = models.DecimalField(max_digits=18, decimal_places=2)
    discount_amount = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    amount_after_discount = models.DecimalField(max_digits=18, decimal_places=2)
    effective_time = models.DateTimeField(null=True, blank=True)
    expire_time = models.DateTimeField(null=True, blank=True)
    resource_name = models.CharField(_("resource name"), max_length=100, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.order_id}/{self.line_id}"
