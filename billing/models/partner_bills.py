"""伙伴账单: the partner's monthly bill (the partner is the consuming entity for its 代售 customers).

Generated before 12:00 on the 5th (Beijing time) for the previous month; settling it moves the
consumed amount out of the 充值账户 and the 已拨款 total together, so 账户余额 does not change.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PartnerBillStatus(models.TextChoices):
    UNSETTLED = "unsettled", _("Unsettled")  # 未结清
    SETTLED = "settled", _("Settled")  # 已结清


class PartnerBill(models.Model):
    partner = models.ForeignKey(
        "partnercenter.Partner", on_delete=models.PROTECT, related_name="bills"
    )
    bill_cycle = models.CharField(_("billing period"), max_length=7)  # YYYY-MM
    official_amount = models.DecimalField(
        _("list price"), max_digits=24, decimal_places=8, default=0
    )
    discount_amount = models.DecimalField(_("discount"), max_digits=24, decimal_places=8, default=0)
    payable_amount = models.DecimalField(
        _("amount payable"), max_digits=24, decimal_places=8, default=0
    )
    # Deducted from customers' balances (allocated money) — what settlement moves.
    consumed_amount = models.DecimalField(
        _("amount deducted"), max_digits=24, decimal_places=8, default=0
    )
    debt_amount = models.DecimalField(_("arrears"), max_digits=24, decimal_places=8, default=0)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=PartnerBillStatus.choices,
        default=PartnerBillStatus.UNSETTLED,
    )
    generated_at = models.DateTimeField(_("generated at"), default=timezone.now)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    settlement = models.OneToOneField(
        "billing.Transfer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partner_bill",
    )

    class Meta:
        verbose_name = _("partner bill")
        verbose_name_plural = _("partner bills")
        ordering = ["-bill_cycle"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "bill_cycle"], name="one_bill_per_partner_month"
            )
        ]

    def __str__(self):
        return f"{self.partner} {self.bill_cycle}"


class PartnerBillLine(models.Model):
    """One line per customer, product type and billing mode."""

    bill = models.ForeignKey(PartnerBill, on_delete=models.CASCADE, related_name="lines")
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    service_type_code = models.CharField(_("product type"), max_length=64)
    charging_mode = models.PositiveSmallIntegerField(_("billing mode"))
    official_amount = models.DecimalField(max_digits=24, decimal_places=8, default=0)
    discount_amount = models.DecimalField(max_digits=24, decimal_places=8, default=0)
    payable_amount = models.DecimalField(max_digits=24, decimal_places=8, default=0)
    consumed_amount = models.DecimalField(max_digits=24, decimal_places=8, default=0)
    debt_amount = models.DecimalField(max_digits=24, decimal_places=8, default=0)
    records = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["customer_id", "service_type_code", "charging_mode"]

    def __str__(self):
        return f"{self.bill_id}: {self.customer_id} {self.service_type_code}"
