"""The ledger: accounts, transfers and postings, plus the records money requests leave behind.

Every movement of money is one Transfer whose Postings sum to zero, written in one transaction
that locks the touched Account rows in primary-key order. Postings are append-only (a database
trigger refuses UPDATE and DELETE) and a deferred constraint trigger refuses a transfer whose
postings do not sum to zero; a mistake is corrected by a reversing transfer. Account.balance is
a cache of the sum of its postings, updated in the same transaction.

The partner's 账户余额 = 充值账户余额 + 信用账户余额 − 已拨款金额. The 已拨款 account holds minus the
amount allocated and not yet recovered, so an allocation is simply −x there and +x on the
customer's balance, and a customer's consumption never touches the partner's accounts.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ZERO = Decimal("0.00")


def money_field(verbose_name, **kw):
    return models.DecimalField(verbose_name, max_digits=18, decimal_places=2, **kw)


class AccountKind(models.TextChoices):
    PARTNER_RECHARGE = "partner_recharge", _("Recharge account")  # 充值账户
    PARTNER_CREDIT = "partner_credit", _("Credit account")  # 信用账户
    PARTNER_ALLOCATED = "partner_allocated", _("Allocated funds")  # 已拨款 (held negative)
    CUSTOMER_CASH = "customer_cash", _("Customer balance")  # 客户余额 (伙伴拨款账户)
    PLATFORM_FUNDING = "platform_funding", _("Platform: incoming funds")
    PLATFORM_CREDIT = "platform_credit", _("Platform: credit lines granted")
    PLATFORM_REVENUE = "platform_revenue", _("Platform: consumption revenue")
    PLATFORM_ADJUSTMENT = "platform_adjustment", _("Platform: corrections")


PARTNER_KINDS = {
    AccountKind.PARTNER_RECHARGE,
    AccountKind.PARTNER_CREDIT,
    AccountKind.PARTNER_ALLOCATED,
}
PLATFORM_KINDS = {
    AccountKind.PLATFORM_FUNDING,
    AccountKind.PLATFORM_CREDIT,
    AccountKind.PLATFORM_REVENUE,
    AccountKind.PLATFORM_ADJUSTMENT,
}
# Accounts whose balance may be below zero: 已拨款 is negative by construction, and the
# platform's accounts are the other side of money entering the system.
MAY_GO_NEGATIVE = PLATFORM_KINDS | {AccountKind.PARTNER_ALLOCATED}


class Account(models.Model):
    kind = models.CharField(_("account type"), max_length=32, choices=AccountKind.choices)
    partner = models.ForeignKey(
        "partnercenter.Partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accounts",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accounts",
    )
    currency = models.CharField(max_length=3, default="CNY")
    balance = money_field(_("balance"), default=ZERO)
    allow_negative = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.CheckConstraint(
                condition=Q(allow_negative=True) | Q(balance__gte=0), name="account_not_negative"
            ),
            models.UniqueConstraint(
                fields=["kind", "partner"],
                condition=Q(customer__isnull=True, partner__isnull=False),
                name="one_partner_account_per_kind",
            ),
            models.UniqueConstraint(
                fields=["kind", "customer"],
                condition=Q(customer__isnull=False),
                name="one_customer_account_per_kind",
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(customer__isnull=True, partner__isnull=True),
                name="one_platform_account_per_kind",
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        kind__in=["partner_recharge", "partner_credit", "partner_allocated"],
                        partner__isnull=False,
                        customer__isnull=True,
                    )
                    | Q(kind="customer_cash", customer__isnull=False, partner__isnull=True)
                    | Q(kind__startswith="platform_", partner__isnull=True, customer__isnull=True)
                ),
                name="account_holder_matches_kind",
            ),
        ]

    def __str__(self):
        holder = self.customer or self.partner or _("platform")
        return f"{holder} · {self.get_kind_display()}"


class TradeType(models.TextChoices):
    RECHARGE = "RECHARGE", _("Recharge")  # 充值
    BEADJUST = "BEADJUST", _("Allocation")  # 拨款
    BERETRIEVE = "BERETRIEVE", _("Recovery")  # 回收
    BEUNBIND = "BEUNBIND", _("Unbinding recovery")  # 解绑回收
    ADJUST = "ADJUST", _("Adjustment")  # 调账 (staff correction)
    CREDIT = "CREDIT", _("Credit limit change")  # 信用额度调整
    DEDUCT = "DEDEUCT", _("Consumption")  # 消费 (Huawei's spelling)
    REFUND = "REFUND", _("Refund")  # 退款
    WRITEOFF = "WRITEOFF", _("Arrears write-off")  # 核销欠款
    SETTLE = "SETTLE", _("Bill settlement")  # 伙伴账单结算


# 调账记录 shows these (domain §3.3): allocation, recovery and unbinding recovery.
ADJUSTMENT_RECORD_TYPES = (TradeType.BEADJUST, TradeType.BERETRIEVE, TradeType.BEUNBIND)


class Transfer(models.Model):
    """One business event that moves money; its postings sum to zero."""

    trans_id = models.CharField(_("transaction ID"), max_length=32, unique=True)
    trade_type = models.CharField(_("trade type"), max_length=16, choices=TradeType.choices)
    partner = models.ForeignKey(
        "partnercenter.Partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers",
    )
    # The reseller on the other side of a distributor's allocation or recovery.
    counterparty = models.ForeignKey(
        "partnercenter.Partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="counterparty_transfers",
    )
    amount = money_field(_("amount"))
    remark = models.CharField(_("remark"), max_length=255, blank=True)
    request_key = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    reverses = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversals"
    )

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="transfer_amount_positive"),
            # A repeated form post or API retry with the same request id moves money once.
            models.UniqueConstraint(
                fields=["partner", "request_key"],
                condition=~Q(request_key=""),
                name="transfer_request_once",
            ),
        ]
        indexes = [
            models.Index(
                fields=["partner", "trade_type", "-created_at"], name="transfer_partner_type_idx"
            ),
            models.Index(fields=["customer", "-created_at"], name="transfer_customer_idx"),
        ]

    def __str__(self):
        return f"{self.trans_id} {self.trade_type} {self.amount}"


class Posting(models.Model):
    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, related_name="postings")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="postings")
    amount = money_field(_("change amount"))
    balance_after = money_field(_("balance after change"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
        ordering = ["-id"]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="posting_not_zero")]
        indexes = [models.Index(fields=["account", "-created_at"], name="posting_account_time_idx")]

    def __str__(self):
        return f"{self.account_id} {self.amount:+}"


class RemittanceStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class RemittanceClaim(models.Model):
    """汇款认领: the partner declares an offline transfer; staff confirm it into a RECHARGE."""

    partner = models.ForeignKey(
        "partnercenter.Partner", on_delete=models.PROTECT, related_name="remittance_claims"
    )
    amount = money_field(_("amount"))
    remitted_on = models.DateField(_("remittance date"))
    payer = models.CharField(_("payer"), max_length=200)
    reference = models.CharField(_("bank reference"), max_length=100)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=RemittanceStatus.choices,
        default=RemittanceStatus.PENDING,
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    claimed_at = models.DateTimeField(_("claimed at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=255, blank=True)
    transfer = models.OneToOneField(
        Transfer, on_delete=models.PROTECT, null=True, blank=True, related_name="remittance"
    )

    class Meta:
        verbose_name = _("remittance claim")
        verbose_name_plural = _("remittance claims")
        ordering = ["-claimed_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="remittance_amount_positive"),
            # The same bank reference cannot be claimed twice while a claim is open or done.
            models.UniqueConstraint(
                fields=["reference"],
                condition=~Q(status="rejected"),
                name="remittance_reference_once",
            ),
        ]

    def __str__(self):
        return f"{self.partner} {self.amount} ({self.reference})"


class CreditLimitChange(models.Model):
    """The channel manager's credit-limit decisions, with the reason (and the transfer they made)."""

    partner = models.ForeignKey(
        "partnercenter.Partner", on_delete=models.PROTECT, related_name="credit_changes"
    )
    old_limit = money_field(_("old limit"))
    new_limit = money_field(_("new limit"))
    reason = models.CharField(_("reason"), max_length=255)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    transfer = models.OneToOneField(
        Transfer, on_delete=models.PROTECT, null=True, blank=True, related_name="credit_change"
    )

    class Meta:
        verbose_name = _("credit limit change")
        verbose_name_plural = _("credit limit changes")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(new_limit__gte=0), name="credit_limit_not_negative")
        ]

    def __str__(self):
        return f"{self.partner}: {self.old_limit} → {self.new_limit}"


class ManualAdjustment(models.Model):
    """A staff correction (ADJUST) of a partner's recharge account, always with a reason."""

    partner = models.ForeignKey(
        "partnercenter.Partner", on_delete=models.PROTECT, related_name="manual_adjustments"
    )
    amount = money_field(_("amount (negative to deduct)"))
    reason = models.CharField(_("reason"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    transfer = models.OneToOneField(
        Transfer, on_delete=models.PROTECT, null=True, blank=True, related_name="manual_adjustment"
    )

    class Meta:
        verbose_name = _("manual adjustment")
        verbose_name_plural = _("manual adjustments")
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="adjustment_not_zero")]

    def __str__(self):
        return f"{self.partner} {self.amount:+}"


class CreditAlertState(models.Model):
    """The highest credit-usage threshold already notified, so each crossing is told once."""

    partner = models.OneToOneField(
        "partnercenter.Partner", on_delete=models.CASCADE, related_name="credit_alert_state"
    )
    notified_threshold = models.PositiveSmallIntegerField(default=0)

    def __str__(self):
        return f"{self.partner_id}: {self.notified_threshold}%"
