"""E-mails that are not notifications: invitation links. Sent by tasks, after commit."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import DatabaseError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import MemberInvitation

log = logging.getLogger(__name__)


def send_templated(template_prefix, to, context, *, language=None):
    with translation.override(language or settings.LANGUAGE_CODE):
        context = {"site_url": settings.SITE_URL, **context}
        subject = render_to_string(f"{template_prefix}_subject.txt", context).strip()
        text = render_to_string(f"{template_prefix}.txt", context)
        html = render_to_string(f"{template_prefix}.html", context)
    msg = EmailMultiAlternatives(f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}", text, to=[to])
    msg.attach_alternative(html, "text/html")
    msg.send()


@shared_task(autoretry_for=(DatabaseError, OSError), retry_backoff=True, max_retries=5)
def send_member_invitation(invitation_id):
    invitation = (
        MemberInvitation.objects.select_related("partner", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None:
        return False
    link = settings.SITE_URL + reverse("member_invitation", args=[invitation.token])
    send_templated(
        "email/member_invitation",
        invitation.email,
        {"invitation": invitation, "link": link},
        language=invitation.invited_by.language if invitation.invited_by else None,
    )
    log.info("member invitation e-mailed id=%s", invitation_id)
    return True
