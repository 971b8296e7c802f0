"""The cloud reseller program (分销计划(云经销商)): applications with their double approval,
a distributor's e-mail invitations, its authorisation of a reseller (before any customer's
authorisation for order on behalf) and the reseller's 客户经理 history.

The state machine of an application lives here and nowhere else (ACTIONS); the services move
it with `ResellerApplication.move()`, which refuses anything the table does not allow.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnercenter.errors import InvalidTransition
from partnercenter.models import CountryRegion, PartnerKind


class ApplicationStatus(models.TextChoices):
    PENDING_HUAWEI = "pending_huawei", _("Pending Huawei review")  # 待华为审核
    HUAWEI_REJECTED = "huawei_rejected", _("Rejected by Huawei")  # 华为审核不通过
    PENDING_DISTRIBUTOR = "pending_distributor", _("Pending distributor review")  # 待总经销商审核
    APPROVED = "approved", _("Approved (cooperating)")  # 已通过(合作中)
    DISTRIBUTOR_REJECTED = (
        "distributor_rejected",
        _("Rejected by the distributor"),
    )  # 总经销商已拒绝
    EXITING = "exiting", _("Exiting")  # 退出中
    EXITED = "exited", _("Exited")  # 已退出


S = ApplicationStatus

# The double approval, in one place: Huawei first, then the named distributor; later the exit.
# action → (the states it may start from, the state it leads to)
ACTIONS = {
    "huawei_approve": (frozenset({S.PENDING_HUAWEI}), S.PENDING_DISTRIBUTOR),
    "huawei_reject": (frozenset({S.PENDING_HUAWEI}), S.HUAWEI_REJECTED),
    "distributor_approve": (frozenset({S.PENDING_DISTRIBUTOR}), S.APPROVED),
    "distributor_reject": (frozenset({S.PENDING_DISTRIBUTOR}), S.DISTRIBUTOR_REJECTED),
    "request_exit": (frozenset({S.APPROVED}), S.EXITING),
    "complete_exit": (frozenset({S.EXITING}), S.EXITED),
    "cancel_exit": (frozenset({S.EXITING}), S.APPROVED),
}
# The same table read the other way: from each state, where it may go.
TRANSITIONS = {
    state: frozenset(to for sources, to in ACTIONS.values() if state in sources) for state in S
}
REJECTED = frozenset({S.HUAWEI_REJECTED, S.DISTRIBUTOR_REJECTED})
UNDER_REVIEW = frozenset({S.PENDING_HUAWEI, S.PENDING_DISTRIBUTOR})
# A reseller partner exists from approval on.
WITH_PARTNER = frozenset({S.APPROVED, S.EXITING, S.EXITED})


class ResellerApplicationQuerySet(models.QuerySet):
    def live(self):
        """Every application but the rejected ones: an account has at most one of these."""
        return self.exclude(status__in=REJECTED)


class ResellerApplication(models.Model):
    """An enterprise's application to the cloud reseller program, naming its distributor."""

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reseller_applications",
        verbose_name=_("applicant"),
    )
    company_name = models.CharField(_("company name"), max_length=200)
    credit_code = models.CharField(_("unified social credit code"), max_length=32)
    country_region = models.CharField(
        _("country/region"), max_length=2, choices=CountryRegion.choices
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=100)
    contact_phone = models.CharField(_("mobile"), max_length=32)
    contact_email = models.EmailField(_("e-mail"))
    # The applicant's 账号名 when it applied: the reseller partner's account name on approval.
    account_name = models.CharField(_("account name"), max_length=64)
    distributor = models.ForeignKey(
        "partnercenter.Partner",
        on_delete=models.PROTECT,
        related_name="reseller_applications",
        limit_choices_to={"kind": PartnerKind.DISTRIBUTOR},
        verbose_name=_("distributor"),
    )
    invitation = models.ForeignKey(
        "ResellerInvitation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("invitation"),
    )
    status = models.CharField(
        _("status"), max_length=24, choices=ApplicationStatus.choices, default=S.PENDING_HUAWEI
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    huawei_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    huawei_reviewed_at = models.DateTimeField(_("Huawei reviewed at"), null=True, blank=True)
    huawei_note = models.CharField(_("Huawei review comment"), max_length=500, blank=True)
    distributor_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    distributor_reviewed_at = models.DateTimeField(
        _("distributor reviewed at"), null=True, blank=True
    )
    distributor_reason = models.CharField(_("distributor's reason"), max_length=500, blank=True)
    # The reseller partner created on approval.
    partner = models.OneToOneField(
        "partnercenter.Partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reseller_application",
        verbose_name=_("cloud reseller"),
    )
    exit_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    exit_requested_at = models.DateTimeField(_("exit requested at"), null=True, blank=True)
    exit_reason = models.CharField(_("exit reason"), max_length=500, blank=True)
    exited_at = models.DateTimeField(_("exited at"), null=True, blank=True)

    objects = ResellerApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("cloud reseller application")
        verbose_name_plural = _("cloud reseller applications")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            # An account applies once: only a rejected application may be followed by another.
            models.UniqueConstraint(
                fields=["applicant"],
                condition=~Q(status__in=[S.HUAWEI_REJECTED, S.DISTRIBUTOR_REJECTED]),
                name="one_live_reseller_application_per_account",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status__in=[S.APPROVED, S.EXITING, S.EXITED], partner__isnull=False)
                    | (~Q(status__in=[S.APPROVED, S.EXITING, S.EXITED]) & Q(partner__isnull=True))
                ),
                name="reseller_partner_exactly_from_approval",
            ),
            models.CheckConstraint(
                condition=~Q(status=S.HUAWEI_REJECTED, huawei_note=""),
                name="huawei_rejection_has_a_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status=S.DISTRIBUTOR_REJECTED, distributor_reason=""),
                name="distributor_rejection_has_a_reason",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[S.EXITING, S.EXITED]) | Q(exit_requested_at__isnull=True),
                name="exit_request_only_when_exiting",
            ),
        ]
        indexes = [
            models.Index(
                fields=["distributor", "status", "-submitted_at"], name="resapp_dist_status_idx"
            ),
            models.Index(fields=["status", "-submitted_at"], name="resapp_status_idx"),
        ]

    def __str__(self):
        return f"{self.company_name} → {self.distributor_id} ({self.get_status_display()})"

    def may(self, action):
        return self.status in ACTIONS[action][0]

    def move(self, action):
        """Apply a workflow action, or raise InvalidTransition: the only way a status changes."""
        sources, target = ACTIONS[action]
        if self.status not in sources:
            raise InvalidTransition(
                _("This application is %(status)s and cannot become %(new)s.")
                % {"status": self.get_status_display(), "new": ApplicationStatus(target).label}
            )
        self.status = target

    @property
    def is_rejected(self):
        return self.status in REJECTED

    @property
    def rejection_reason(self):
        if self.status == S.HUAWEI_REJECTED:
            return self.huawei_note
        if self.status == S.DISTRIBUTOR_REJECTED:
            return self.distributor_reason
        return ""


class InvitationStatus(models.TextChoices):
    SENT = "sent", _("Sent")  # 已发送
    APPLIED = "applied", _("Applied")  # 已申请
    EXPIRED = "expired", _("Expired")  # 已失效
    REVOKED = "revoked", _("Revoked")  # 已撤销


INVITATION_DAYS = 7


def new_token():
    return secrets.token_urlsafe(24)


def invitation_expiry(now=None):
    return (now or timezone.now()) + timedelta(days=INVITATION_DAYS)


class ResellerInvitation(models.Model):
    """A distributor's e-mail invitation to join it as a cloud reseller (7 days)."""

    distributor = models.ForeignKey(
        "partnercenter.Partner",
        on_delete=models.CASCADE,
        related_name="reseller_invitations",
        verbose_name=_("distributor"),
    )
    email = models.EmailField(_("e-mail"))
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=InvitationStatus.choices, default=InvitationStatus.SENT
    )
    created_by = models.ForeignKey(
        "partnercenter.Membership",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("inviter"),
    )
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), default=invitation_expiry)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("cloud reseller invitation")
        verbose_name_plural = _("cloud reseller invitations")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["distributor", "-created_at"], name="resinv_dist_time_idx"),
            models.Index(fields=["status", "expires_at"], name="resinv_sweep_idx"),
        ]

    def __str__(self):
        return f"{self.email} ← {self.distributor_id}"

    @property
    def effective_status(self):
        """Expiry is true at read time, before the sweep has materialised it."""
        if self.status == InvitationStatus.SENT and self.expires_at <= timezone.now():
            return InvitationStatus.EXPIRED
        return self.status

    def get_effective_status_display(self):
        return InvitationStatus(self.effective_status).label


class DistributorAuthorization(models.Model):
    """The distributor's authorisation of one of its resellers, needed before the reseller may
    ask a customer for authorisation to order on its behalf (domain §2.8). Revoked rows stay."""

    distributor = models.ForeignKey(
        "partnercenter.Partner", on_delete=models.CASCADE, related_name="+"
    )
    reseller = models.ForeignKey(
        "partnercenter.Partner",
        on_delete=models.CASCADE,
        related_name="distributor_authorizations",
        verbose_name=_("cloud reseller"),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("distributor authorisation")
        verbose_name_plural = _("distributor authorisations")
        ordering = ["-granted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reseller"],
                condition=Q(revoked_at__isnull=True),
                name="one_distributor_authorization_in_force",
            )
        ]

    def __str__(self):
        return f"{self.distributor_id} → {self.reseller_id}"

    @property
    def in_force(self):
        return self.revoked_at is None


class ResellerManagerAssignment(models.Model):
    """分配客户经理 for a reseller: the distributor colleague responsible, with its history."""

    distributor = models.ForeignKey(
        "partnercenter.Partner", on_delete=models.CASCADE, related_name="+"
    )
    reseller = models.ForeignKey(
        "partnercenter.Partner",
        on_delete=models.CASCADE,
        related_name="manager_assignments",
        verbose_name=_("cloud reseller"),
    )
    account_manager = models.ForeignKey(
        "partnercenter.Membership",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("account manager"),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("reseller account manager")
        verbose_name_plural = _("reseller account managers")
        ordering = ["-assigned_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reseller"],
                condition=Q(ended_at__isnull=True),
                name="one_current_reseller_manager",
            )
        ]

    def __str__(self):
        return f"{self.reseller_id}: {self.account_manager_id} from {self.assigned_at:%Y-%m-%d}"
