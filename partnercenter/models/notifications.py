from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationCategory(models.TextChoices):
    ORGANISATION = "organisation", _("Organisation and colleagues")
    CUSTOMERS = "customers", _("Customers and association")
    FUNDS = "funds", _("Funds and credit")
    ORDERS = "orders", _("Orders and consumption")
    RESELLERS = "resellers", _("Cloud resellers")
    SECURITY = "security", _("Account security")


class Notification(models.Model):
    """An in-app message (站内信); the e-mail copy is sent by a task after commit."""

    class EmailStatus(models.TextChoices):
        NONE = "none", _("Not e-mailed")
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    category = models.CharField(_("category"), max_length=32, choices=NotificationCategory.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email_status = models.CharField(
        max_length=16, choices=EmailStatus.choices, default=EmailStatus.NONE
    )
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notif_recipient_time_idx"),
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notif_unread_idx",
            ),
        ]

    def __str__(self):
        return self.title


class NotificationPreference(models.Model):
    """Per user and category: whether the in-app message is also e-mailed (default yes)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_prefs"
    )
    category = models.CharField(max_length=32, choices=NotificationCategory.choices)
    email = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "category"], name="one_pref_per_category")
        ]

    def __str__(self):
        return f"{self.user_id}:{self.category}={'email' if self.email else 'in-app'}"
