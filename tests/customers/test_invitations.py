import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from customers.models import (
    Association,
    AssociationEvent,
    AssociationType,
    Customer,
    Invitation,
    InvitationBatch,
    InvitationKind,
    InvitationStatus,
    NoticeSignature,
)
from customers.services import invitations as svc
from customers.tasks import expire_customer_invitations
from partnercenter.errors import PermissionRefused
from partnercenter.models import AuditEvent, Notification, Role
from tests.factories import MembershipFactory, UserFactory

from .factories import AssociationFactory, CustomerFactory, customer_login

pytestmark = pytest.mark.django_db

PASSWORD = "Very-Secret-123"


def _path(link):
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def test_an_online_invitation_is_emailed_with_a_seven_day_link(
    client, admin_member, django_capture_on_commit_callbacks
):
    client.force_login(admin_member.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("customers:invite"),
            {
                "form": "online",
                "association_type": "2",
                "email": "Buyer@Example.test",
                "mobile": "13800001111",
            },
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.kind, invitation.association_type, invitation.email) == (
        "online",
        2,
        "buyer@example.test",
    )
    assert timedelta(days=6, hours=23) < invitation.expires_at - timezone.now() <= timedelta(days=7)
    assert len(mail.outbox) == 1 and invitation.token in mail.outbox[0].body
    # The page tells when it expires and to remind the customer.
    page = client.get(reverse("customers:invitations")).content.decode()
    assert (
        invitation.expires_at.astimezone(timezone.get_current_timezone()).strftime("%Y-%m-%d %H:%M")
        in page
    )


def test_the_email_can_be_previewed_before_sending(client, admin_member):
    client.force_login(admin_member.user)
    response = client.post(
        reverse("customers:invite"),
        {"form": "online", "association_type": "1", "email": "p@example.test", "preview": "1"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert admin_member.partner.name in body and "顾问销售" in body
    assert not Invitation.objects.exists() and not mail.outbox


def test_bad_input_gets_a_form_error_and_writes_nothing(client, admin_member):
    client.force_login(admin_member.user)
    response = client.post(
        reverse("customers:invite"), {"form": "online", "association_type": "9", "email": "nope"}
    )
    assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_a_new_customer_signs_up_reads_the_notice_and_associates(
    client, admin_member, actor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        inv = svc.send_online_invitation(
            actor=actor(admin_member), association_type=2, email="new@customer.test"
        )
    path = _path(re.search(r"https?://\S+/invite/\S+/", mail.outbox[0].body).group(0))
    page = client.get(path)
    assert page.status_code == 200 and "客户关联华为云合作伙伴须知" in page.content.decode()
    signup = client.post(
        reverse("account_signup") + f"?next={path}",
        {"email": "new@customer.test", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert signup.status_code == 302  # verified by the link itself: signed in at once
    # Without ticking the notice nothing happens.
    refused = client.post(
        path, {"name": "新客户有限公司", "kind": "enterprise", "country_region": "CN"}
    )
    assert (
        refused.status_code == 400
        and not Association.objects.exists()
        and not Customer.objects.exists()
    )
    done = client.post(
        path,
        {"name": "新客户有限公司", "kind": "enterprise", "country_region": "CN", "agree": "on"},
    )
    assert done.status_code == 302 and done["Location"] == reverse("customers:console")
    association = Association.objects.get()
    assert (
        association.partner == admin_member.partner
        and association.association_type == AssociationType.RESALE
    )
    assert (
        association.customer.name == "新客户有限公司"
        and association.customer.email == "new@customer.test"
    )
    signature = NoticeSignature.objects.get()
    assert (signature.version, signature.user.email, signature.ip) == (
        "resale-v1",
        "new@customer.test",
        "127.0.0.1",
    )
    inv.refresh_from_db()
    assert inv.status == InvitationStatus.ASSOCIATED
    assert AssociationEvent.objects.get().event_type == "associate"
    assert Notification.objects.filter(recipient=admin_member.user, category="customers").exists()
    # The link cannot be used twice.
    assert client.get(path).status_code == 410


def test_an_existing_customer_signs_in_and_associates_by_referral_without_a_notice(
    admin_member, actor
):
    inv = svc.send_online_invitation(
        actor=actor(admin_member), association_type=1, email="old@customer.test"
    )
    customer = CustomerFactory(email="old@customer.test")
    user = customer_login(customer, "old@customer.test")
    from partnercenter.actor import Actor

    association = svc.accept_invitation(actor=Actor(user=user, ip="10.0.0.1"), token=inv.token)
    assert association.association_type == AssociationType.REFERRAL
    assert not NoticeSignature.objects.exists()


def _accept_as(user, token, **kw):
    from partnercenter.actor import Actor

    return svc.accept_invitation(
        actor=Actor(user=user, ip="10.0.0.1"),
        token=token,
        agreed=True,
        details={"name": "某客户"},
        **kw,
    )


@pytest.mark.parametrize(
    "mutate,message",
    [
        (
            lambda inv: Invitation.objects.filter(pk=inv.pk).update(
                expires_at=timezone.now() - timedelta(seconds=1)
            ),
            "expired",
        ),
        (
            lambda inv: Invitation.objects.filter(pk=inv.pk).update(
                status=InvitationStatus.REVOKED
            ),
            "revoked",
        ),
        (
            lambda inv: Invitation.objects.filter(pk=inv.pk).update(
                status=InvitationStatus.ASSOCIATED
            ),
            "already been used",
        ),
    ],
)
def test_link_refusals_show_their_message_and_change_nothing(admin_member, actor, mutate, message):
    inv = svc.send_online_invitation(
        actor=actor(admin_member), association_type=2, email="x@customer.test"
    )
    mutate(inv)
    with pytest.raises(svc.InvitationRefused, match=message):
        _accept_as(UserFactory(), inv.token)
    assert not Association.objects.exists() and not Customer.objects.exists()


def test_an_unknown_link_does_not_exist(client, db):
    client.cookies["django_language"] = "zh-hans"
    response = client.get(reverse("customers:accept", args=["no-such-token"]))
    assert response.status_code == 410 and "邀请链接不存在" in response.content.decode()


def test_an_expired_link_shows_the_exact_chinese_message(client, admin_member, actor):
    inv = svc.send_online_invitation(
        actor=actor(admin_member), association_type=2, email="x@customer.test"
    )
    Invitation.objects.filter(pk=inv.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(reverse("customers:accept", args=[inv.token]))
    assert response.status_code == 410 and "邀请链接已失效" in response.content.decode()


def test_a_customer_of_another_partner_is_refused_and_the_invitation_records_why(
    admin_member, other_admin, actor
):
    customer = CustomerFactory()
    AssociationFactory(customer=customer, partner=other_admin.partner)
    user = customer_login(customer)
    inv = svc.send_online_invitation(
        actor=actor(admin_member), association_type=2, email=user.email
    )
    with pytest.raises(svc.InvitationRefused, match="another partner"):
        _accept_as(user, inv.token)
    inv.refresh_from_db()
    assert inv.status == InvitationStatus.FAILED and "another partner" in inv.failure_reason
    assert Association.objects.filter(partner=admin_member.partner).count() == 0
    # 关联失败 is listed, with its reason, on 管理已邀请客户.
    assert AuditEvent.objects.filter(
        action="customer.associate.failed", partner=admin_member.partner
    ).exists()


def test_a_partner_account_cannot_associate(admin_member, other_admin, actor):
    inv = svc.send_online_invitation(
        actor=actor(admin_member), association_type=1, email=other_admin.user.email
    )
    with pytest.raises(svc.InvitationRefused, match="itself a Huawei Cloud partner"):
        _accept_as(other_admin.user, inv.token)
    assert not Customer.objects.exists()


def test_offline_links_refuse_accounts_older_than_seven_days(admin_member, actor):
    link = svc.offline_link(actor=actor(admin_member), association_type=2)
    old = CustomerFactory(created_at=timezone.now() - timedelta(days=8))
    with pytest.raises(svc.InvitationRefused, match="within the last 7 days"):
        _accept_as(customer_login(old), link.token)
    fresh = CustomerFactory(created_at=timezone.now() - timedelta(days=6))
    association = _accept_as(customer_login(fresh), link.token)
    assert association.tag == admin_member.user.account_name
    link.refresh_from_db()
    assert link.status == InvitationStatus.SENT and link.uses == 1  # offline links stay usable


def test_offline_links_never_expire_and_carry_custom_tags(admin_member, actor):
    link = svc.offline_link(actor=actor(admin_member), association_type=1, tag="展会2026")
    assert (
        link.kind == InvitationKind.OFFLINE and link.expires_at is None and link.tag == "展会2026"
    )
    assert (
        svc.offline_link(actor=actor(admin_member), association_type=1, tag="展会2026").pk
        == link.pk
    )
    Invitation.objects.filter(pk=link.pk).update(created_at=timezone.now() - timedelta(days=800))
    assert svc.check_link(link.token).pk == link.pk


def test_arrears_block_association(admin_member, actor):
    from customers import rules

    customer = CustomerFactory(name="欠费客户")
    inv = svc.send_online_invitation(
        actor=actor(admin_member), association_type=2, email="debt@customer.test"
    )

    def in_arrears(c):
        return c.pk == customer.pk

    rules.ARREARS_CHECKS.append(in_arrears)
    try:
        with pytest.raises(svc.InvitationRefused, match="arrears"):
            _accept_as(customer_login(customer), inv.token)
    finally:
        rules.ARREARS_CHECKS.remove(in_arrears)
    assert not Association.objects.exists()


def test_one_partner_at_a_time_is_a_database_constraint(partner, other_partner):
    from django.db import IntegrityError, transaction

    customer = CustomerFactory()
    AssociationFactory(customer=customer, partner=partner)
    with pytest.raises(IntegrityError), transaction.atomic():
        Association.objects.create(customer=customer, partner=other_partner, association_type=1)


def test_customers_from_an_account_managers_link_belong_to_that_manager(am_member, actor):
    inv = svc.send_online_invitation(
        actor=actor(am_member), association_type=2, email="am-lead@customer.test"
    )
    association = _accept_as(UserFactory(email="am-lead@customer.test"), inv.token)
    assert association.account_manager == am_member
    assert association.am_history.get().account_manager == am_member


def test_the_expiry_sweep_materialises_records_and_notifies_once(admin_member, actor):
    a = svc.send_online_invitation(
        actor=actor(admin_member), association_type=2, email="a@customer.test"
    )
    b = svc.send_online_invitation(
        actor=actor(admin_member), association_type=2, email="b@customer.test"
    )
    Invitation.objects.filter(pk=a.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert expire_customer_invitations() == 1
    assert expire_customer_invitations() == 0
    assert Invitation.objects.get(pk=a.pk).status == InvitationStatus.EXPIRED
    assert Invitation.objects.get(pk=b.pk).status == InvitationStatus.SENT
    assert AuditEvent.objects.filter(action="customer.invite.expire").count() == 1
    assert (
        Notification.objects.filter(
            recipient=admin_member.user, body__contains="a@customer.test"
        ).count()
        == 1
    )


def test_resend_gives_a_new_link_and_window_and_revoke_closes_it(admin_member, actor):
    inv = svc.send_online_invitation(
        actor=actor(admin_member), association_type=2, email="r@customer.test"
    )
    old_token = inv.token
    Invitation.objects.filter(pk=inv.pk).update(expires_at=timezone.now() - timedelta(days=1))
    svc.resend_invitation(actor=actor(admin_member), invitation_id=inv.pk)
    inv.refresh_from_db()
    assert inv.token != old_token and inv.effective_status == InvitationStatus.SENT
    with pytest.raises(svc.InvitationRefused):
        svc.check_link(old_token)
    svc.revoke_invitation(actor=actor(admin_member), invitation_id=inv.pk)
    with pytest.raises(svc.InvitationRefused, match="revoked"):
        svc.check_link(inv.token)


def test_batch_invitations_run_as_a_job_with_a_result_per_line(
    client, admin_member, django_capture_on_commit_callbacks
):
    client.force_login(admin_member.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("customers:invite"),
            {
                "form": "batch",
                "association_type": "2",
                "lines": "one@customer.test, 13800000001\nnot-an-email\ntwo@customer.test",
            },
        )
    batch = InvitationBatch.objects.get()
    assert response["Location"] == reverse("customers:batch", args=[batch.pk])
    batch.refresh_from_db()
    assert (batch.status, batch.total, batch.processed, batch.succeeded, batch.failed) == (
        "done",
        3,
        3,
        2,
        1,
    )
    assert Invitation.objects.filter(batch=batch).count() == 2
    assert len(mail.outbox) == 2
    page = client.get(
        reverse("customers:batch", args=[batch.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "100%" in page and "hx-trigger" not in page  # finished: the progress stops polling


def test_only_members_with_the_item_invite(sales_member, viewer_member, actor):
    svc.send_online_invitation(
        actor=actor(sales_member), association_type=1, email="ok@customer.test"
    )
    with pytest.raises(PermissionRefused):
        svc.send_online_invitation(
            actor=actor(viewer_member), association_type=1, email="no@customer.test"
        )


def test_invitations_of_another_partner_are_unreachable(client, admin_member, other_admin, actor):
    theirs = svc.send_online_invitation(
        actor=actor(other_admin), association_type=2, email="theirs@customer.test"
    )
    client.force_login(admin_member.user)
    assert "theirs" not in client.get(reverse("customers:invitations")).content.decode()
    client.post(reverse("customers:invitation_action", args=[theirs.pk, "revoke"]))
    assert Invitation.objects.get(pk=theirs.pk).status == InvitationStatus.SENT
    link = svc.offline_link(actor=actor(other_admin), association_type=1)
    assert client.get(reverse("customers:link_qr", args=[link.pk])).status_code == 404


def test_the_manage_page_filters_by_status_expired_at_read_time(client, admin_member, actor):
    live = svc.send_online_invitation(
        actor=actor(admin_member), association_type=2, email="live@customer.test"
    )
    stale = svc.send_online_invitation(
        actor=actor(admin_member), association_type=2, email="stale@customer.test"
    )
    Invitation.objects.filter(pk=stale.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    client.force_login(admin_member.user)
    expired = client.get(reverse("customers:invitations"), {"status": "expired"}).content.decode()
    sent = client.get(reverse("customers:invitations"), {"status": "sent"}).content.decode()
    assert "s***@customer.test" in expired and "l***@customer.test" not in expired
    assert "l***@customer.test" in sent and "s***@customer.test" not in sent
    assert live.pk and MembershipFactory  # keep the imports used
    assert Role.ADMIN
