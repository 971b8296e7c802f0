import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from partnercenter.errors import DomainError, PermissionRefused
from partnercenter.models import (
    AuditEvent,
    MemberInvitation,
    MemberInvitationStatus,
    Membership,
    Role,
)
from partnercenter.services import members as svc
from partnercenter.tasks import expire_member_invitations
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _link_from_mail(message):
    return re.search(r"https?://[^\s]+/join/[^\s/]+/", message.body).group(0)


def test_it_invites_a_colleague_by_email_with_a_seven_day_link(
    client, admin_member, django_capture_on_commit_callbacks
):
    client.force_login(admin_member.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("members"), {"email": "New.Person@Example.test", "role": Role.FINANCE}
        )
    assert response.status_code == 302
    invitation = MemberInvitation.objects.get()
    assert invitation.email == "new.person@example.test"
    assert invitation.role == Role.FINANCE
    assert timedelta(days=6, hours=23) < invitation.expires_at - timezone.now() <= timedelta(days=7)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.test"]
    assert invitation.token in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="member.invite", partner=admin_member.partner).exists()


def test_a_new_colleague_signs_up_from_the_link_and_joins_with_the_role(
    client, admin_member, actor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        svc.invite_member(actor=actor(admin_member), email="joiner@example.test", role=Role.SALES)
    link = _link_from_mail(mail.outbox[0])
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path)
    assert page.status_code == 200
    signup = client.post(
        reverse("account_signup") + f"?next=/{path}",
        {
            "email": "joiner@example.test",
            "password1": "Very-Secret-123",
            "password2": "Very-Secret-123",
        },
    )
    # The address received the link, so no second verification: the user is signed in at once.
    assert signup.status_code == 302, signup.content.decode()[:2000]
    accepted = client.post("/" + path)
    assert accepted.status_code == 302
    membership = Membership.objects.get(user__email="joiner@example.test")
    assert membership.partner == admin_member.partner and membership.role == Role.SALES
    invitation = MemberInvitation.objects.get()
    assert invitation.status == MemberInvitationStatus.BOUND
    # A used link cannot be used again.
    again = client.get("/" + path)
    assert again.status_code == 410


def test_the_invitation_must_be_accepted_by_the_invited_address(client, admin_member, actor):
    inv = svc.invite_member(actor=actor(admin_member), email="right@example.test", role=Role.SALES)
    client.force_login(UserFactory(email="wrong@example.test"))
    client.post(reverse("member_invitation", args=[inv.token]))
    assert not Membership.objects.filter(user__email="wrong@example.test").exists()


def test_an_expired_link_says_so_and_changes_nothing(client, admin_member, actor):
    inv = svc.invite_member(actor=actor(admin_member), email="late@example.test", role=Role.SALES)
    MemberInvitation.objects.filter(pk=inv.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    client.cookies["django_language"] = "en"
    response = client.get(reverse("member_invitation", args=[inv.token]))
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    # True at read time, before the sweep.
    assert MemberInvitation.objects.get(pk=inv.pk).status == MemberInvitationStatus.INVITED
    assert (
        MemberInvitation.objects.get(pk=inv.pk).effective_status == MemberInvitationStatus.EXPIRED
    )


def test_an_unknown_link_says_it_does_not_exist(client, db):
    client.cookies["django_language"] = "en"
    response = client.get(reverse("member_invitation", args=["nope"]))
    assert response.status_code == 410
    assert "does not exist" in response.content.decode()


def test_the_sweep_materialises_expiry_once_and_is_idempotent(admin_member, actor):
    a = svc.invite_member(actor=actor(admin_member), email="a@example.test", role=Role.SALES)
    b = svc.invite_member(actor=actor(admin_member), email="b@example.test", role=Role.SALES)
    MemberInvitation.objects.filter(pk=a.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert expire_member_invitations() == 1
    assert expire_member_invitations() == 0
    assert MemberInvitation.objects.get(pk=a.pk).status == MemberInvitationStatus.EXPIRED
    assert MemberInvitation.objects.get(pk=b.pk).status == MemberInvitationStatus.INVITED
    assert (
        AuditEvent.objects.filter(action="member.invite.expire", target_id=str(a.pk)).count() == 1
    )


def test_at_most_one_hundred_invitations_a_day(admin_member, actor, settings):
    settings.PC_MEMBER_INVITATIONS_PER_DAY = 3
    for i in range(3):
        svc.invite_member(actor=actor(admin_member), email=f"p{i}@example.test", role=Role.SALES)
    with pytest.raises(DomainError, match="At most 3"):
        svc.invite_member(actor=actor(admin_member), email="p9@example.test", role=Role.SALES)
    assert MemberInvitation.objects.count() == 3


def test_the_default_daily_limit_is_one_hundred(settings):
    assert settings.PC_MEMBER_INVITATIONS_PER_DAY == 100


def test_a_colleague_of_another_partner_cannot_be_invited(admin_member, other_admin, actor):
    with pytest.raises(DomainError, match="another partner"):
        svc.invite_member(actor=actor(admin_member), email=other_admin.user.email, role=Role.SALES)


def test_only_the_partner_admin_manages_colleagues(finance_member, actor, client):
    with pytest.raises(PermissionRefused):
        svc.invite_member(actor=actor(finance_member), email="x@example.test", role=Role.SALES)
    client.force_login(finance_member.user)
    assert (
        client.post(reverse("members"), {"email": "x@example.test", "role": Role.SALES}).status_code
        == 403
    )
    assert not MemberInvitation.objects.exists()


def test_role_changes_and_removal_are_audited_and_take_effect(client, admin_member, sales_member):
    client.force_login(admin_member.user)
    client.post(reverse("member_role", args=[sales_member.pk]), {"role": Role.FINANCE})
    sales_member.refresh_from_db()
    assert sales_member.role == Role.FINANCE
    client.post(reverse("member_remove", args=[sales_member.pk]))
    sales_member.refresh_from_db()
    assert sales_member.removed_at is not None
    actions = set(
        AuditEvent.objects.filter(partner=admin_member.partner).values_list("action", flat=True)
    )
    assert {"member.role", "member.remove"} <= actions
    # The removed colleague no longer reaches partner pages.
    client.force_login(sales_member.user)
    assert client.get(reverse("programs")).status_code == 403


def test_the_last_partner_admin_cannot_be_demoted_or_removed(admin_member, actor):
    with pytest.raises(DomainError, match="at least one partner admin"):
        svc.change_role(actor=actor(admin_member), membership_id=admin_member.pk, role=Role.VIEWER)
    with pytest.raises(DomainError, match="at least one partner admin"):
        svc.remove_member(actor=actor(admin_member), membership_id=admin_member.pk)
    second = MembershipFactory(partner=admin_member.partner, role=Role.ADMIN)
    svc.change_role(actor=actor(admin_member), membership_id=second.pk, role=Role.VIEWER)


def test_a_removed_colleagues_invitation_reads_unbound(admin_member, actor, client):
    inv = svc.invite_member(actor=actor(admin_member), email="temp@example.test", role=Role.SALES)
    user = UserFactory(email="temp@example.test")
    membership = svc.accept_invitation(
        actor=actor(admin_member).__class__(user=user), token=inv.token
    )
    svc.remove_member(actor=actor(admin_member), membership_id=membership.pk)
    assert MemberInvitation.objects.get(pk=inv.pk).status == MemberInvitationStatus.UNBOUND


def test_revoke_and_resend(admin_member, actor, django_capture_on_commit_callbacks):
    inv = svc.invite_member(actor=actor(admin_member), email="r@example.test", role=Role.SALES)
    svc.revoke_invitation(actor=actor(admin_member), invitation_id=inv.pk)
    assert MemberInvitation.objects.get(pk=inv.pk).status == MemberInvitationStatus.REVOKED
    with pytest.raises(DomainError):
        svc.check_invitation(inv.token)
    inv2 = svc.invite_member(actor=actor(admin_member), email="s@example.test", role=Role.SALES)
    with django_capture_on_commit_callbacks(execute=True):
        fresh = svc.resend_invitation(actor=actor(admin_member), invitation_id=inv2.pk)
    assert fresh.pk != inv2.pk and fresh.token != inv2.token
    assert MemberInvitation.objects.get(pk=inv2.pk).status == MemberInvitationStatus.REVOKED
    assert fresh.token in mail.outbox[-1].body
