import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PartnerKind(models.TextChoices):
    SOLUTION_PROVIDER = "solution_provider", _("Solution provider")  # 解决方案提供商
    DISTRIBUTOR = "distributor", _("Distributor")  # 总经销商
    RESELLER = "reseller", _("Cloud reseller")  # 云经销商


class CountryRegion(models.TextChoices):
    CN = "CN", _("Chinese mainland")
    HK = "HK", _("Hong Kong (China)")
    SG = "SG", _("Singapore")
    TH = "TH", _("Thailand")
    MY = "MY", _("Malaysia")
    ID = "ID", _("Indonesia")
    AE = "AE", _("United Arab Emirates")
    ZA = "ZA", _("South Africa")
    BR = "BR", _("Brazil")


def new_domain_id():
    return uuid.uuid4().hex


class PartnerQuerySet(models.QuerySet):
    def distributors(self):
        return self.filter(kind=PartnerKind.DISTRIBUTOR)


class Partner(models.Model):
    """A partner organisation (伙伴): the tenant that every partner-facing query starts from."""

    name = models.CharField(_("company name"), max_length=200)
    kind = models.CharField(_("partner type"), max_length=32, choices=PartnerKind.choices)
    country_region = models.CharField(
        _("country/region"), max_length=2, choices=CountryRegion.choices, default=CountryRegion.CN
    )
    # A reseller cooperates with at most one distributor at a time.
    distributor = models.ForeignKey(
        "self",
        verbose_name=_("distributor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resellers",
        limit_choices_to={"kind": PartnerKind.DISTRIBUTOR},
    )
    # The account (domain) id the partner API checks X-Domain-Id against.
    domain_id = models.CharField(_("account ID"), max_length=32, unique=True, default=new_domain_id)
    account_name = models.CharField(_("account name"), max_length=64, unique=True)
    contact_name = models.CharField(_("contact name"), max_length=100, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # 敏感操作验证: off by default; the partner admin turns it on (domain §1.4).
    sensitive_op_verification = models.BooleanField(
        _("sensitive-operation verification"), default=False
    )
    # The partner admin can make two-factor sign-in compulsory for every colleague.
    require_mfa = models.BooleanField(
        _("require two-factor authentication for every member"), default=False
    )

    objects = PartnerQuerySet.as_manager()

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(distributor__isnull=True) | Q(kind=PartnerKind.RESELLER),
                name="partner_only_resellers_have_a_distributor",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_distributor(self):
        return self.kind == PartnerKind.DISTRIBUTOR

    @property
    def is_reseller(self):
        return self.kind == PartnerKind.RESELLER

    @property
    def is_solution_provider(self):
        return self.kind == PartnerKind.SOLUTION_PROVIDER


class Program(models.TextChoices):
    SOLUTION_PROVIDER = "solution_provider", _("Solution Provider Program")  # 解决方案提供商计划
    DISTRIBUTION = "distribution", _("Distribution Program")  # 分销计划(总经销商)
    CLOUD_RESELLER = "cloud_reseller", _("Cloud Reseller Program")  # 分销计划(云经销商)


class ProgramStatus(models.TextChoices):
    JOINING = "joining", _("Joining")
    ACTIVE = "active", _("Joined")
    EXITING = "exiting", _("Exiting")
    EXITED = "exited", _("Exited")


class ProgramMembership(models.Model):
    """A partner's place in a partner program; incentives stay valid one year after the exit date."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="programs")
    program = models.CharField(_("program"), max_length=32, choices=Program.choices)
    status = models.CharField(_("status"), max_length=16, choices=ProgramStatus.choices)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    exited_on = models.DateField(_("exited on"), null=True, blank=True)

    class Meta:
        verbose_name = _("program membership")
        verbose_name_plural = _("program memberships")
        ordering = ["program"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "program"], name="program_once_per_partner"),
            models.CheckConstraint(
                condition=Q(exited_on__isnull=True) | Q(status=ProgramStatus.EXITED),
                name="program_exit_date_only_when_exited",
            ),
        ]

    def __str__(self):
        return f"{self.partner} · {self.get_program_display()}"


class Role(models.TextChoices):
    ADMIN = "admin", _("Partner admin")  # 伙伴管理员
    FINANCE = "finance", _("Finance")  # 财务
    ACCOUNT_MANAGER = "account_manager", _("Account manager")  # 客户经理
    SALES = "sales", _("Sales")  # 销售
    VIEWER = "viewer", _("Viewer")  # 只读


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(removed_at__isnull=True)


class Membership(models.Model):
    """A colleague of a partner: user ↔ partner with a role. Removal keeps the row (history)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["joined_at"]
        constraints = [
            # A person works for one partner at a time.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(removed_at__isnull=True),
                name="one_active_membership_per_user",
            ),
        ]

    def __str__(self):
        return f"{self.user} @ {self.partner} ({self.get_role_display()})"

    @property
    def is_active(self):
        return self.removed_at is None


class MemberInvitationStatus(models.TextChoices):
    INVITED = "invited", _("Invited")  # 已邀请
    EXPIRED = "expired", _("Expired")  # 已失效
    BOUND = "bound", _("Bound")  # 已绑定
    UNBOUND = "unbound", _("Unbound")  # 已解绑
    REVOKED = "revoked", _("Revoked")  # 已撤销


def new_token():
    return secrets.token_urlsafe(32)


def default_member_invitation_expiry():
    return timezone.now() + timedelta(days=settings.PC_MEMBER_INVITATION_DAYS)


class MemberInvitation(models.Model):
    """An e-mail invitation for a colleague to join the partner (organisation member invite)."""

    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="member_invitations"
    )
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=MemberInvitationStatus.choices,
        default=MemberInvitationStatus.INVITED,
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("invited at"), default=timezone.now, db_index=True)
    expires_at = models.DateTimeField(_("expires at"), default=default_member_invitation_expiry)
    membership = models.OneToOneField(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitation"
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("member invitation")
        verbose_name_plural = _("member invitations")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "expires_at"], name="memberinv_sweep_idx")]

    def __str__(self):
        return f"{self.email} → {self.partner}"

    @property
    def effective_status(self):
        """Expiry is true at read time, before the sweep has materialised it."""
        if self.status == MemberInvitationStatus.INVITED and self.expires_at <= timezone.now():
            return MemberInvitationStatus.EXPIRED
        return self.status

    def get_effective_status_display(self):
        return MemberInvitationStatus(self.effective_status).label
