import time

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from partnercenter.models import Notification, NotificationCategory, NotificationPreference
from partnercenter.notifications import notify

pytestmark = pytest.mark.django_db


def test_a_notification_lands_in_the_inbox_and_by_email(
    admin_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            [admin_member.user],
            category=NotificationCategory.ORGANISATION,
            title="你好",
            body="正文",
            url="/programs/",
        )
    n = Notification.objects.get()
    assert n.email_status == Notification.EmailStatus.SENT
    assert len(mail.outbox) == 1 and "你好" in mail.outbox[0].subject


def test_email_can_be_switched_off_per_category(
    client, admin_member, django_capture_on_commit_callbacks
):
    client.force_login(admin_member.user)
    data = {c: "on" for c in NotificationCategory.values if c != NotificationCategory.FUNDS}
    client.post(reverse("notification_settings"), data)
    assert (
        NotificationPreference.objects.get(
            user=admin_member.user, category=NotificationCategory.FUNDS
        ).email
        is False
    )
    with django_capture_on_commit_callbacks(execute=True):
        notify([admin_member.user], category=NotificationCategory.FUNDS, title="余额预警")
        notify([admin_member.user], category=NotificationCategory.ORGANISATION, title="新同事")
    assert [m.subject.split("] ")[1] for m in mail.outbox] == ["新同事"]
    assert Notification.objects.count() == 2  # both still in the inbox


def test_the_bell_counts_unread_and_reading_clears_it(client, admin_member):
    notify(
        [admin_member.user],
        category=NotificationCategory.ORGANISATION,
        title="一",
        url="/programs/",
    )
    notify([admin_member.user], category=NotificationCategory.ORGANISATION, title="二")
    client.force_login(admin_member.user)
    assert (
        'data-testid="unread-count">2<'
        in client.get(reverse("notification_badge")).content.decode()
    )
    first = Notification.objects.get(title="一")
    response = client.post(reverse("notification_read", args=[first.pk]), {"open": "1"})
    assert response["Location"] == "/programs/"
    assert (
        'data-testid="unread-count">1<'
        in client.get(reverse("notification_badge")).content.decode()
    )
    client.post(reverse("notifications_read_all"))
    assert "unread-count" not in client.get(reverse("notification_badge")).content.decode()


def test_nobody_reads_someone_elses_notification(client, admin_member, other_admin):
    notify([other_admin.user], category=NotificationCategory.ORGANISATION, title="秘密")
    n = Notification.objects.get()
    client.force_login(admin_member.user)
    assert client.post(reverse("notification_read", args=[n.pk])).status_code == 404
    assert "秘密" not in client.get(reverse("notifications")).content.decode()


def test_messages_are_written_in_the_recipients_language(admin_member):
    from django.utils.translation import gettext_lazy as _

    admin_member.user.language = "en"
    admin_member.user.save()
    notify(
        [admin_member.user],
        category=NotificationCategory.ORGANISATION,
        title=_("Partner information"),
    )
    assert Notification.objects.get().title == "Partner information"


@pytest.mark.worker
def test_a_real_celery_worker_sends_the_email_over_redis(celery_worker_app, admin_member):
    with transaction.atomic():
        notify([admin_member.user], category=NotificationCategory.ORGANISATION, title="经由队列")
    n = Notification.objects.get()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        n.refresh_from_db()
        if n.email_status == Notification.EmailStatus.SENT and mail.outbox:
            break
        time.sleep(0.2)
    assert n.email_status == Notification.EmailStatus.SENT
    assert any("经由队列" in m.subject for m in mail.outbox)
