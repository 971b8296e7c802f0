from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# Export records are kept 3 days (domain §1.5), then the hourly sweep deletes rows and files.
EXPORT_KEEP_DAYS = 3


def default_export_expiry():
    return timezone.now() + timedelta(days=EXPORT_KEEP_DAYS)


class ExportStatus(models.TextChoices):
    # A context of their own: "Pending"/"Failed" already mean 待发送/发送失败 for e-mails.
    PENDING = "pending", pgettext_lazy("export status", "Pending")
    RUNNING = "running", pgettext_lazy("export status", "Exporting")
    DONE = "done", pgettext_lazy("export status", "Completed")
    FAILED = "failed", pgettext_lazy("export status", "Failed")


ACTIVE_EXPORT_STATUSES = (ExportStatus.PENDING, ExportStatus.RUNNING)


class ExportJob(models.Model):
    """One background export (导出记录): a CSV and an XLSX written by a Celery task.

    `kind` names an exporter registered in partnercenter.exports; `params` is what that exporter
    reads back (the list page's filters and the selected ids). Rows are deleted with their files
    once `expires_at` has passed.
    """

    partner = models.ForeignKey(
        "partnercenter.Partner",
        on_delete=models.CASCADE,
        related_name="export_jobs",
        verbose_name=_("partner"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="export_jobs",
    )
    kind = models.CharField(max_length=64)
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    csv_file = models.FileField(upload_to="exports/%Y/%m/%d/", blank=True, max_length=255)
    xlsx_file = models.FileField(upload_to="exports/%Y/%m/%d/", blank=True, max_length=255)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), default=default_export_expiry)

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["partner", "created_at"], name="export_partner_time_idx"),
            models.Index(fields=["status", "expires_at"], name="export_sweep_idx"),
        ]

    def __str__(self):
        return f"{self.kind} #{self.pk}"

    @property
    def progress_percent(self):
        """0–100 for the progress bar; a finished job is 100 even if it had no rows."""
        if self.status == ExportStatus.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, self.processed * 100 // self.total)

    @property
    def is_active(self):
        return self.status in ACTIVE_EXPORT_STATUSES

    @property
    def is_expired(self):
        return self.expires_at <= timezone.now()

    @property
    def is_downloadable(self):
        return self.status == ExportStatus.DONE and not self.is_expired

    @property
    def kind_label(self):
        from partnercenter.exports import get

        spec = get(self.kind)
        return spec.label if spec is not None else self.kind
