"""合同商务 > 请款合同: a fund-request contract with its payment plan; staff mark it paid → RECHARGE."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ContractEntity(models.TextChoices):
    HUAWEI_SOFTWARE = (
        "hw_software",
        _("Huawei Software Technologies Co., Ltd."),
    )  # 华为软件技术有限公司
    HUAWEI_CLOUD = (
        "hw_cloud",
        _("Huawei Cloud Computing Technologies Co., Ltd."),
    )  # 华为云计算技术有限公司


class ContractStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("Awaiting payment")  # 待付款
    PAID = "paid", _("Paid")  # 已付款
    CANCELLED = "cancelled", _("Cancelled")  # 已取消


def new_contract_no(now=None):
    now = timezone.localtime(now or timezone.now())
    return f"QK{now:%Y%m%d}{secrets.token_hex(3).upper()}"


class FundRequestContract(models.Model):
    contract_no = models.CharField(
        _("contract number"), max_length=32, unique=True, default=new_contract_no
    )
    partner = models.ForeignKey(
        "partnercenter.Partner", on_delete=models.PROTECT, related_name="fund_contracts"
    )
    amount = models.DecimalField(_("contract amount"), max_digits=18, decimal_places=2)
    promised_payment_date = models.DateField(_("promised payment date"))  # 承诺付款时间
    payer = models.CharField(_("payer"), max_length=200)
    contracting_entity = models.CharField(
        _("contracting entity"), max_length=32, choices=ContractEntity.choices
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ContractStatus.choices,
        default=ContractStatus.PENDING_PAYMENT,
    )
    remark = models.CharField(_("remark"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("applied at"), default=timezone.now)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    transfer = models.OneToOneField(
        "billing.Transfer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fund_contract",
    )

    class Meta:
        verbose_name = _("fund-request contract")
        verbose_name_plural = _("fund-request contracts")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="contract_amount_positive")
        ]

    def __str__(self):
        return self.contract_no


class PaymentPlanItem(models.Model):
    """付款计划: the contract's installments (one for the whole amount unless split)."""

    contract = models.ForeignKey(FundRequestContract, on_delete=models.CASCADE, related_name="plan")
    sequence = models.PositiveSmallIntegerField(_("installment"))
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2)
    due_date = models.DateField(_("due date"))
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)

    class Meta:
        ordering = ["contract", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "sequence"], name="plan_sequence_once")
        ]

    def __str__(self):
        return f"{self.contract_id}#{self.sequence}"
