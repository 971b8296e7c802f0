from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccessKeyStatus(models.TextChoices):
    ACTIVE = "active", _("Enabled")
    DISABLED = "disabled", _("Disabled")


class AccessKeyScope(models.TextChoices):
    # 只读 calls the read operations only; 读写 also the writes (partnercenter.api.operations).
    READ_ONLY = "read_only", _("Read only")
    READ_WRITE = "read_write", _("Read and write")


class AccessKey(models.Model):
    """An AK/SK pair (访问密钥) a partner's or a customer's user signs API requests with.

    The secret is stored encrypted (partnercenter.secretbox), never hashed: the server needs the
    plain SK as the HMAC key to recompute each request's signature. A signed request acts as
    `user`, with that user's role at the owning partner (or as the owning customer).
    """

    access_key_id = models.CharField(_("access key ID"), max_length=40, unique=True)
    secret_encrypted = models.TextField(editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="access_keys",
        verbose_name=_("owner"),
    )
    partner = models.ForeignKey(
        "partnercenter.Partner",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="access_keys",
        verbose_name=_("partner"),
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="access_keys",
        verbose_name=_("customer"),
    )
    description = models.CharField(_("description"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=AccessKeyStatus.choices, default=AccessKeyStatus.ACTIVE
    )
    # Least privilege by default: a key that can move money is asked for explicitly.
    scope = models.CharField(
        _("scope"), max_length=16, choices=AccessKeyScope.choices, default=AccessKeyScope.READ_ONLY
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("access key")
        verbose_name_plural = _("access keys")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(partner__isnull=False, customer__isnull=True)
                | Q(partner__isnull=True, customer__isnull=False),
                name="access_key_one_owner_account",
            )
        ]
        indexes = [models.Index(fields=["user", "status"], name="access_key_user_status_idx")]

    def __str__(self):
        return self.access_key_id

    @property
    def is_active(self):
        return self.status == AccessKeyStatus.ACTIVE

    @property
    def may_write(self):
        return self.scope == AccessKeyScope.READ_WRITE
