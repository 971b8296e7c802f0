"""Notify people: an in-app message now, an e-mail copy by a Celery task after commit."""

from django.conf import settings
from django.db import transaction
from django.utils import translation

from .models import Notification, NotificationPreference


def _wants_email(users, category):
    opted_out = set(
        NotificationPreference.objects.filter(
            user__in=users, category=category, email=False
        ).values_list("user_id", flat=True)
    )
    return {u.pk for u in users if u.pk not in opted_out}


def notify(users, *, category, title, body="", url=""):
    """Create one Notification per user; `title`/`body` may be lazy strings or callables.

    Each message is rendered in its recipient's language, since e-mail is read later, elsewhere.
    """
    users = [u for u in users if u is not None and u.is_active]
    if not users:
        return []
    emailed = _wants_email(users, category)
    rows = []
    for user in users:
        with translation.override(user.language or settings.LANGUAGE_CODE):
            rows.append(
                Notification(
                    recipient=user,
                    category=category,
                    title=str(title() if callable(title) else title)[:200],
                    body=str(body() if callable(body) else body),
                    url=url,
                    email_status=Notification.EmailStatus.PENDING
                    if user.pk in emailed
                    else Notification.EmailStatus.NONE,
                )
            )
    created = Notification.objects.bulk_create(rows)
    ids = [n.pk for n in created if n.email_status == Notification.EmailStatus.PENDING]
    if ids:
        from .tasks import send_notification_emails

        transaction.on_commit(lambda: send_notification_emails.delay(ids))
    return created


def unread_count(user):
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
