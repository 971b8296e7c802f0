import logging

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError, transaction

from partnercenter.emails import send_templated

from .models import Invitation

log = logging.getLogger(__name__)
BATCH = 500


@shared_task(autoretry_for=(DatabaseError, OSError), retry_backoff=True, max_retries=5)
def send_customer_invitation(invitation_id):
    from .services.invitations import email_context

    invitation = (
        Invitation.objects.select_related("partner", "created_by__user")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or not invitation.email:
        return False
    inviter = invitation.created_by.user if invitation.created_by else None
    send_templated(
        "customers/email/invitation",
        invitation.email,
        email_context(invitation),
        language=(inviter.language if inviter else "") or settings.LANGUAGE_CODE,
    )
    log.info("customer invitation e-mailed id=%s", invitation_id)
    return True


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=3)
def run_invitation_batch(batch_id):
    from .services.invitations import run_batch

    return run_batch(batch_id)


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=5)
def expire_customer_invitations():
    from .services.invitations import expire_invitations

    total = 0
    while True:
        with transaction.atomic():
            n = expire_invitations(limit=BATCH)
        total += n
        if n < BATCH:
            break
    return total
