from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class VerificationCode(models.Model):
    """A 6-digit code e-mailed for one sensitive operation (domain §1.4), for people without an
    authenticator app. Only its hash is kept; it is good for a few minutes, a few tries and one
    operation (partnercenter.verification holds the rules)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("user"),
    )
    code_hash = models.CharField(max_length=128)
    email = models.EmailField(_("sent to"))
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("verification code")
        verbose_name_plural = _("verification codes")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="verifcode_user_time_idx")]

    def __str__(self):
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M:%S}"
