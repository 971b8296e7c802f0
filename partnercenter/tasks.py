import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import DatabaseError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Notification

log = logging.getLogger(__name__)

BATCH = 500


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=5)
def send_notification_emails(notification_ids):
    """E-mail the pending copies; claiming each row first so two workers never send one twice."""
    sent = 0
    for pk in notification_ids[:BATCH]:
        claimed = Notification.objects.filter(
            pk=pk, email_status=Notification.EmailStatus.PENDING
        ).update(email_status=Notification.EmailStatus.SENT, emailed_at=timezone.now())
        if not claimed:
            continue  # gone, or another worker took it
        n = Notification.objects.select_related("recipient").get(pk=pk)
        with translation.override(n.recipient.language or settings.LANGUAGE_CODE):
            context = {"notification": n, "site_url": settings.SITE_URL}
            text = render_to_string("email/notification.txt", context)
            html = render_to_string("email/notification.html", context)
            subject = f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{n.title}"
        msg = EmailMultiAlternatives(subject, text, to=[n.recipient.email])
        msg.attach_alternative(html, "text/html")
        try:
            msg.send()
            sent += 1
        except OSError:
            log.exception("notification e-mail failed id=%s", pk)
            Notification.objects.filter(pk=pk).update(email_status=Notification.EmailStatus.FAILED)
    return sent


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=5)
def expire_member_invitations():
    """Materialise 已失效 for colleague invitations past their expiry: one UPDATE per batch."""
    from .services.members import expire_invitations

    total = 0
    while True:
        with transaction.atomic():
            n = expire_invitations(limit=BATCH)
        total += n
        if n < BATCH:
            break
    if total:
        log.info("expired %s member invitations", total)
    return total


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=3)
def run_export(job_id):
    """Write one export job's CSV and XLSX; claims the job first, so a second delivery is a no-op.

    The export service catches the exporter's own errors (the job is marked 失败); only a database
    error while claiming reaches Celery's retry.
    """
    from .exports import run_job

    return run_job(job_id)


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=5)
def purge_expired_exports():
    """Delete export files and rows past their 3 days, one bounded batch at a time; fail the stale."""
    from .exports import fail_stale, purge_expired

    failed = fail_stale()
    total = 0
    while True:
        n = purge_expired(limit=BATCH)
        total += n
        if n < BATCH:
            break
    if total or failed:
        log.info("purged %s expired exports, failed %s stale ones", total, failed)
    return total


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=5)
def purge_used_signatures():
    """Forget used API signatures whose X-Sdk-Date has left the 15-minute window, in batches."""
    from .api.replay import purge_expired

    total = 0
    while True:
        n = purge_expired(limit=BATCH)
        total += n
        if n < BATCH:
            break
    if total:
        log.info("purged %s used API signatures", total)
    return total
