"""Customers and their relationship with a partner (关联).

A Customer is a cloud customer account; its people sign in as CustomerUsers. An Association
ties it to at most one partner at a time (a partial unique constraint, not only a check), with
a type: 顾问销售 (referral, API code 1) or 代售 (resale, API code 2).
"""

import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnercenter.models import CountryRegion


class AssociationType(models.IntegerChoices):
    REFERRAL = 1, _("Referral sales")  # 顾问销售
    RESALE = 2, _("Resale")  # 代售


class CustomerKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    INDIVIDUAL = "individual", _("Individual")


def new_customer_id():
    return uuid.uuid4().hex


class Customer(models.Model):
    name = models.CharField(_("customer name"), max_length=200)
    kind = models.CharField(
        _("customer type"),
        max_length=16,
        choices=CustomerKind.choices,
        default=CustomerKind.ENTERPRISE,
    )
    account_name = models.CharField(_("account name"), max_length=64, unique=True)
    # 客户ID: the account (domain) id Huawei shows and the API uses.
    customer_id = models.CharField(
        _("customer ID"), max_length=32, unique=True, default=new_customer_id
    )
    email = models.EmailField(_("e-mail"), blank=True)
    mobile = models.CharField(_("mobile"), max_length=32, blank=True)
    country_region = models.CharField(
        _("country/region"), max_length=2, choices=CountryRegion.choices, default=CountryRegion.CN
    )
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)
    # Frozen accounts cannot be funded (拨款/回收) or disassociated until unfrozen.
    is_frozen = models.BooleanField(_("frozen"), default=False)
    # The user's id on the partner's own sales platform (xaccount_id) and that platform's
    # identifier (xaccount_type), given when the partner creates the customer through the API.
    xaccount_id = models.CharField(_("partner platform user ID"), max_length=64, blank=True)
    xaccount_type = models.CharField(_("partner platform identifier"), max_length=64, blank=True)
    # 敏感操作验证 on the customer's side (domain §1.4): off by default, set in its own console.
    sensitive_op_verification = models.BooleanField(
        _("sensitive-operation verification"), default=False
    )

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["name"], name="customer_name_idx")]
        constraints = [
            # One platform user is one customer: a retried create finds the first one.
            models.UniqueConstraint(
                fields=["xaccount_type", "xaccount_id"],
                condition=~Q(xaccount_id=""),
                name="customer_xaccount_once",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.account_name})"

    @property
    def current_association(self):
        return self.associations.filter(ended_at__isnull=True).select_related("partner").first()


class CustomerUser(models.Model):
    """A login of a customer account (the customer's own people)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="customer_login"
    )
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="logins")
    is_owner = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("customer login")
        verbose_name_plural = _("customer logins")

    def __str__(self):
        return f"{self.user} → {self.customer}"


class AssociationQuerySet(models.QuerySet):
    def current(self):
        return self.filter(ended_at__isnull=True)

    def for_partner(self, partner):
        return self.filter(partner=partner)


class Association(models.Model):
    """A customer's relationship with one partner; ended (never deleted) on disassociation."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="associations")
    partner = models.ForeignKey(
        "partnercenter.Partner", on_delete=models.PROTECT, related_name="associations"
    )
    association_type = models.PositiveSmallIntegerField(
        _("association type"), choices=AssociationType.choices
    )
    associated_at = models.DateTimeField(_("associated at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    # 客户经理: the partner colleague responsible; an account manager sees only these customers.
    account_manager = models.ForeignKey(
        "partnercenter.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_associations",
        verbose_name=_("account manager"),
    )
    account_manager_since = models.DateTimeField(null=True, blank=True)
    tag = models.CharField(_("tag"), max_length=64, blank=True)
    invitation = models.ForeignKey(
        "Invitation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = AssociationQuerySet.as_manager()

    class Meta:
        verbose_name = _("association")
        verbose_name_plural = _("associations")
        ordering = ["-associated_at"]
        constraints = [
            # A customer has at most one partner at a time.
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(ended_at__isnull=True),
                name="one_partner_per_customer",
            ),
            models.CheckConstraint(
                condition=Q(association_type__in=[1, 2]), name="association_type_known"
            ),
        ]
        indexes = [
            models.Index(fields=["partner", "-associated_at"], name="assoc_partner_time_idx"),
            models.Index(fields=["partner", "account_manager"], name="assoc_partner_am_idx"),
        ]

    def __str__(self):
        return f"{self.customer} ↔ {self.partner} ({self.get_association_type_display()})"

    @property
    def is_resale(self):
        return self.association_type == AssociationType.RESALE

    @property
    def is_current(self):
        return self.ended_at is None


class AccountManagerAssignment(models.Model):
    """History of 分配客户经理 on an association."""

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="am_history"
    )
    account_manager = models.ForeignKey(
        "partnercenter.Membership", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-assigned_at"]

    def __str__(self):
        return f"{self.association_id}: {self.account_manager_id} from {self.assigned_at:%Y-%m-%d}"


class InvitationKind(models.TextChoices):
    ONLINE = "online", _("Online e-mail invitation")  # 线上邀请
    OFFLINE = "offline", _("Offline link / QR code")  # 线下邀请 (通用邀请链接)


class InvitationStatus(models.TextChoices):
    SENT = "sent", _("Sent")  # 已发送
    ASSOCIATED = "associated", _("Associated")  # 已关联
    EXPIRED = "expired", _("Expired")  # 已失效
    REVOKED = "revoked", _("Revoked")  # 已撤销
    FAILED = "failed", _("Association failed")  # 关联失败


def new_invitation_token():
    return secrets.token_urlsafe(24)


class Invitation(models.Model):
    """An invitation link. Online ones go to one e-mail and expire after 7 days; offline
    (generic) links carry a tag, never expire and can be used by many customers."""

    partner = models.ForeignKey(
        "partnercenter.Partner", on_delete=models.CASCADE, related_name="customer_invitations"
    )
    kind = models.CharField(_("invitation type"), max_length=16, choices=InvitationKind.choices)
    association_type = models.PositiveSmallIntegerField(
        _("association type"), choices=AssociationType.choices
    )
    email = models.EmailField(_("e-mail"), blank=True)
    mobile = models.CharField(_("mobile"), max_length=32, blank=True)
    tag = models.CharField(_("tag"), max_length=64, blank=True)
    token = models.CharField(
        max_length=64, unique=True, default=new_invitation_token, editable=False
    )
    status = models.CharField(
        _("status"), max_length=16, choices=InvitationStatus.choices, default=InvitationStatus.SENT
    )
    failure_reason = models.CharField(_("failure reason"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        "partnercenter.Membership",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("inviter"),
    )
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    associated_customer = models.ForeignKey(
        Customer, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    associated_at = models.DateTimeField(null=True, blank=True)
    batch = models.ForeignKey(
        "InvitationBatch",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
    )
    uses = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("customer invitation")
        verbose_name_plural = _("customer invitations")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["partner", "-created_at"], name="inv_partner_time_idx"),
            models.Index(fields=["status", "expires_at"], name="inv_sweep_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="offline", expires_at__isnull=True)
                | Q(kind="online", expires_at__isnull=False),
                name="online_invitations_expire_offline_never",
            )
        ]

    def __str__(self):
        return self.email or self.tag or self.token[:8]

    @property
    def effective_status(self):
        """Expiry is true at read time, before the sweep has materialised it."""
        if (
            self.kind == InvitationKind.ONLINE
            and self.status in (InvitationStatus.SENT, InvitationStatus.FAILED)
            and self.expires_at is not None
            and self.expires_at <= timezone.now()
        ):
            return InvitationStatus.EXPIRED
        return self.status

    def get_effective_status_display(self):
        return InvitationStatus(self.effective_status).label

    @property
    def is_online(self):
        return self.kind == InvitationKind.ONLINE


ONLINE_INVITATION_DAYS = 7


def online_expiry(now=None):
    return (now or timezone.now()) + timedelta(days=ONLINE_INVITATION_DAYS)


class InvitationBatch(models.Model):
    """A batch of online invitations sent by a background job, with its progress."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Sending")
        DONE = "done", _("Completed")

    partner = models.ForeignKey("partnercenter.Partner", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        "partnercenter.Membership", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    association_type = models.PositiveSmallIntegerField(choices=AssociationType.choices)
    lines = models.JSONField(default=list)  # [{"email":…, "mobile":…}]
    results = models.JSONField(default=list)  # [{"email":…, "ok": bool, "message": …}]
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"batch {self.pk} ({self.processed}/{self.total})"

    @property
    def progress_percent(self):
        return 100 if not self.total else int(self.processed * 100 / self.total)

    @property
    def succeeded(self):
        return sum(1 for r in self.results if r.get("ok"))

    @property
    def failed(self):
        return sum(1 for r in self.results if not r.get("ok"))


class NoticeSignature(models.Model):
    """The customer's acceptance of 《客户关联华为云合作伙伴须知》: version, time, user, IP."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="notice_signatures"
    )
    association = models.ForeignKey(
        Association, on_delete=models.SET_NULL, null=True, related_name="notice_signatures"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    association_type = models.PositiveSmallIntegerField(choices=AssociationType.choices)
    version = models.CharField(max_length=32)
    language = models.CharField(max_length=10)
    signed_at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-signed_at"]

    def __str__(self):
        return f"{self.customer_id} signed {self.version}"


class EventType(models.TextChoices):
    ASSOCIATE = "associate", _("Associate")  # 关联
    SWITCH_TYPE = "switch_type", _("Switch association type")  # 切换关联类型
    DISASSOCIATE = "disassociate", _("Disassociate")  # 解除关联


class Initiator(models.TextChoices):
    PARTNER = "partner", _("Partner")  # 伙伴
    CUSTOMER = "customer", _("Customer")  # 客户


class EventStatus(models.TextChoices):
    PENDING = "pending", _("Pending")  # 待处理
    AGREED = "agreed", _("Agreed")  # 已同意
    REFUSED = "refused", _("Refused")  # 已拒绝
    CANCELLED = "cancelled", _("Cancelled")  # 已取消
    COMPLETED = "completed", _("Completed")  # 已完成


class AssociationEvent(models.Model):
    """关联关系操作记录: association, type switches and disassociations, and their handling."""

    partner = models.ForeignKey(
        "partnercenter.Partner", on_delete=models.CASCADE, related_name="association_events"
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="association_events"
    )
    association = models.ForeignKey(
        Association, on_delete=models.SET_NULL, null=True, related_name="events"
    )
    event_type = models.CharField(_("event type"), max_length=16, choices=EventType.choices)
    initiator = models.CharField(_("initiator"), max_length=16, choices=Initiator.choices)
    from_type = models.PositiveSmallIntegerField(
        choices=AssociationType.choices, null=True, blank=True
    )
    to_type = models.PositiveSmallIntegerField(
        choices=AssociationType.choices, null=True, blank=True
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=EventStatus.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handling_reason = models.CharField(_("handling note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("association event")
        verbose_name_plural = _("association events")
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["partner", "-requested_at"], name="assocevent_partner_time_idx"),
            models.Index(
                fields=["customer", "event_type", "initiator"], name="assocevent_customer_idx"
            ),
        ]
        constraints = [
            # At most one open request per customer: a second one waits for the first to end.
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(status="pending") & ~Q(event_type="associate"),
                name="one_pending_request_per_customer",
            )
        ]

    def __str__(self):
        return f"{self.get_event_type_display()} · {self.customer_id} · {self.get_status_display()}"


class AuthorizationStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting customer")  # 待客户确认
    GRANTED = "granted", _("Authorised")  # 已授权
    REFUSED = "refused", _("Refused")  # 已拒绝
    CANCELLED = "cancelled", _("Cancelled")  # 已取消


class Authorization(models.Model):
    """申请客户授权: the customer's consent to order on its behalf (代售 only)."""

    partner = models.ForeignKey(
        "partnercenter.Partner", on_delete=models.CASCADE, related_name="customer_authorizations"
    )
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="authorizations")
    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="authorizations"
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AuthorizationStatus.choices,
        default=AuthorizationStatus.PENDING,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("customer authorisation")
        verbose_name_plural = _("customer authorisations")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["association"],
                condition=Q(status__in=["pending", "granted"]),
                name="one_open_authorization_per_association",
            )
        ]

    def __str__(self):
        return f"{self.customer_id} → {self.partner_id}: {self.status}"
