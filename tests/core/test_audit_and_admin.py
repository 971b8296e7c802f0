from datetime import timedelta

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from partnercenter import audit
from partnercenter.models import (
    AuditEvent,
    Membership,
    Notification,
    NotificationCategory,
    Partner,
    User,
)
from partnercenter.notifications import notify
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _events(member, n, action="partner.update"):
    for _ in range(n):
        audit.record(
            action,
            actor=member and __import__("tests.conftest").conftest.actor_for(member),
            target=member.partner,
        )


def test_the_operation_log_lists_only_this_partners_events_with_filters(
    client, admin_member, other_admin
):
    _events(admin_member, 3)
    _events(admin_member, 1, action="member.invite")
    _events(other_admin, 2)
    client.force_login(admin_member.user)
    page = client.get(reverse("audit_log")).content.decode()
    assert page.count("<tr>") - 1 == AuditEvent.objects.filter(partner=admin_member.partner).count()
    filtered = client.get(reverse("audit_log"), {"action": "member.invite"}, HTTP_HX_REQUEST="true")
    assert filtered.status_code == 200
    assert filtered.content.decode().count("<tr>") - 1 == 1
    assert other_admin.user.email not in page


def test_the_date_filter_uses_whole_local_days(client, admin_member):
    _events(admin_member, 1)
    AuditEvent.objects.update(created_at=timezone.now() - timedelta(days=3))
    _events(admin_member, 1)
    client.force_login(admin_member.user)
    today = timezone.localdate().isoformat()
    response = client.get(
        reverse("audit_log"),
        {"date_from": today, "date_to": today, "action": "partner.update"},
        HTTP_HX_REQUEST="true",
    )
    assert response.content.decode().count("<tr>") - 1 == 1
    bad = client.get(reverse("audit_log"), {"date_from": today, "date_to": "2000-01-01"})
    assert "开始日期不能晚于结束日期" in bad.content.decode()


@pytest.mark.parametrize("rows", [1, 50])
def test_list_pages_keep_a_fixed_number_of_queries(
    client, admin_member, django_assert_max_num_queries, rows
):
    for i in range(rows):
        MembershipFactory(partner=admin_member.partner)
        notify([admin_member.user], category=NotificationCategory.ORGANISATION, title=f"消息{i}")
    _events(admin_member, rows)
    client.force_login(admin_member.user)
    for name in ("members", "audit_log", "notifications"):
        with django_assert_max_num_queries(12):
            assert client.get(reverse(name)).status_code == 200


def test_the_admin_lists_partners_members_programs_and_audit_events(
    client, staff_user, admin_member
):
    client.force_login(staff_user)
    for model in (
        "partner",
        "membership",
        "programmembership",
        "auditevent",
        "memberinvitation",
        "notification",
        "user",
    ):
        url = reverse(f"admin:partnercenter_{model}_changelist")
        assert client.get(url, {"q": "a"}).status_code == 200, model
    assert (
        client.get(
            reverse("admin:partnercenter_partner_change", args=[admin_member.partner.pk])
        ).status_code
        == 200
    )
    # Audit events are read-only, even for a superuser.
    assert client.get(reverse("admin:partnercenter_auditevent_add")).status_code == 403


def test_a_partner_user_cannot_enter_the_admin(client, admin_member):
    client.force_login(admin_member.user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302


def test_seed_demo_is_idempotent_and_creates_the_demo_logins(db):
    call_command("seed_demo")
    counts = (Partner.objects.count(), User.objects.count(), Membership.objects.count())
    call_command("seed_demo")
    assert (Partner.objects.count(), User.objects.count(), Membership.objects.count()) == counts
    for email in [
        "staff@demo.test",
        "sp-admin@demo.test",
        "sp-finance@demo.test",
        "sp-am@demo.test",
        "sp-sales@demo.test",
        "sp2-admin@demo.test",
        "dist-admin@demo.test",
        "reseller-admin@demo.test",
    ]:
        user = User.objects.get(email=email)
        assert user.check_password("PartnerDemo!2026")
    reseller = Partner.objects.get(account_name="boyuan-it")
    assert reseller.distributor.account_name == "hualian-dist"
    assert User.objects.get(email="staff@demo.test").groups.count() == 3
    # The admin wants a second factor: the demo staff has the demo authenticator, once.
    from allauth.mfa.models import Authenticator

    from partnercenter.demo import STAFF_TOTP_SECRET, current_code

    staff = User.objects.get(email="staff@demo.test")
    assert Authenticator.objects.filter(user=staff).count() == 1
    at = 1_800_000_000
    assert current_code(staff, at=at)[0] == format_hotp_value(
        hotp_value(STAFF_TOTP_SECRET, at // 30)
    )
    # The demo API keys of the README, with the secrets stored only encrypted.
    from partnercenter.models import AccessKey
    from partnercenter.services.access_keys import key_for_signing

    assert AccessKey.objects.filter(partner__account_name="yuntu-tech").count() == 1
    key, secret = key_for_signing("DEMOSPADMIN000000001")
    assert key.user.email == "sp-admin@demo.test"
    assert secret == "DemoSpAdminSecretKey00000000000000000001"
    assert secret not in key.secret_encrypted
    key, secret = key_for_signing("DEMODISTADMIN0000001")
    assert (key.user.email, secret) == (
        "dist-admin@demo.test",
        "DemoDistAdminSecretKey000000000000000001",
    )


def test_staff_groups_exist_after_migrate(db):
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= {
        "渠道经理",
        "华为客户经理",
        "计划审核员",
    }
    assert Notification.objects.count() == 0
