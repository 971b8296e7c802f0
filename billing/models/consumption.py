"""客户消费: one record per charge (an order payment, an hour of pay-per-use). Not a bill."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .catalogue import ChargingMode


class BillDetailType(models.IntegerChoices):
    NEW_PURCHASE = 1, _("New purchase")  # 新购
    RENEWAL = 2, _("Renewal")  # 续费
    USAGE = 5, _("Usage")  # 使用量


class AccountType(models.IntegerChoices):
    HUAWEI = 0, _("Huawei Cloud account")  # 顾问销售: the customer pays Huawei itself
    PARTNER = 1, _("Partner allocation account")  # 代售: paid from the partner's allocations


def new_record_id():
    return uuid.uuid4().hex


def amount_field(verbose_name):
    # Huawei's resource-level records carry up to 8 decimal places (partner-api.md §3).
    return models.DecimalField(verbose_name, max_digits=24, decimal_places=8, default=0)


class ConsumptionRecord(models.Model):
    record_id = models.CharField(max_length=32, unique=True, default=new_record_id)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="consumption"
    )
    partner = models.ForeignKey(
        "partnercenter.Partner", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    association_type = models.PositiveSmallIntegerField(null=True, blank=True)
    account_type = models.PositiveSmallIntegerField(_("paid from"), choices=AccountType.choices)
    resource = models.ForeignKey(
        "billing.Resource",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consumption",
    )
    order = models.ForeignKey(
        "billing.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="consumption"
    )
    spec = models.ForeignKey("billing.ProductSpec", on_delete=models.PROTECT, related_name="+")
    service_type_code = models.CharField(_("product type"), max_length=64)
    resource_type_code = models.CharField(max_length=64)
    region_code = models.CharField(max_length=32)
    charging_mode = models.PositiveSmallIntegerField(
        _("billing mode"), choices=ChargingMode.choices
    )
    bill_detail_type = models.PositiveSmallIntegerField(
        _("charge type"), choices=BillDetailType.choices
    )
    trade_id = models.CharField(_("order or transaction ID"), max_length=32)
    consume_time = models.DateTimeField(_("consumption time"), db_index=True)
    bill_cycle = models.CharField(_("billing month"), max_length=7)  # YYYY-MM, Beijing time
    usage_amount = models.DecimalField(_("usage"), max_digits=24, decimal_places=8, default=0)
    official_amount = amount_field(_("list price"))
    discount_amount = amount_field(_("discount"))
    payable_amount = amount_field(_("amount payable"))
    amount = amount_field(_("amount deducted"))  # actually deducted from the balance
    debt_amount = amount_field(_("arrears"))  # could not be deducted: the customer owes it
    adjustment_amount = amount_field(_("arrears written off"))  # later written off (核销)
    transfer = models.ForeignKey(
        "billing.Transfer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("consumption record")
        verbose_name_plural = _("consumption records")
        ordering = ["-consume_time", "-id"]
        indexes = [
            models.Index(fields=["partner", "bill_cycle"], name="consumption_partner_cycle_idx"),
            models.Index(
                fields=["customer", "-consume_time"], name="consumption_customer_time_idx"
            ),
        ]
        constraints = [
            # The rating task charges a resource once per hour, however often it runs.
            models.UniqueConstraint(
                fields=["resource", "consume_time"],
                condition=Q(bill_detail_type=5),
                name="rate_each_hour_once",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0, debt_amount__gte=0, adjustment_amount__gte=0),
                name="consumption_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(adjustment_amount__lte=models.F("debt_amount")),
                name="writeoff_within_debt",
            ),
        ]

    def __str__(self):
        return f"{self.trade_id} {self.payable_amount}"

    @property
    def outstanding_debt(self):
        return self.debt_amount - self.adjustment_amount
