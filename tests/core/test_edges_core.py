"""Both sides of every numeric rule of the core (issue 10 §8): colleague invitations (7 days,
100 a day by the Beijing calendar), export records (kept 3 days, 5 running, lost after 2 hours)
and the access key's last-used stamp (written at most once a minute)."""

from datetime import timedelta

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from partnercenter import exports
from partnercenter.errors import DomainError
from partnercenter.models import (
    AccessKey,
    ExportJob,
    ExportStatus,
    MemberInvitation,
    MemberInvitationStatus,
    Role,
)
from partnercenter.services import access_keys
from partnercenter.services import members as svc
from partnercenter.timeutil import start_of_local_day
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SECOND = timedelta(seconds=1)
VALID = timedelta(days=6, hours=23, minutes=59)
EXPIRED = timedelta(days=7) + SECOND


def moved_back(model, pk, age, *fields):
    """As if the row had been written `age` ago: each of its time fields moves back together."""
    model.objects.filter(pk=pk).update(**{f: F(f) - age for f in fields})


# --- colleague invitations: 7 days ----------------------------------------------------------


@pytest.fixture
def invitation(admin_member, actor):
    return svc.invite_member(actor=actor(admin_member), email="joiner@example.test", role="sales")


def test_a_colleague_link_sent_6d23h59m_ago_still_works(client, invitation):
    moved_back(MemberInvitation, invitation.pk, VALID, "created_at", "expires_at")
    assert svc.check_invitation(invitation.token).pk == invitation.pk
    assert client.get(reverse("member_invitation", args=[invitation.token])).status_code == 200
    assert svc.expire_invitations() == 0
    invitation.refresh_from_db()
    assert invitation.status == MemberInvitationStatus.INVITED


def test_a_colleague_link_sent_7d_and_1s_ago_has_expired_before_and_after_the_sweep(
    client, actor, invitation
):
    moved_back(MemberInvitation, invitation.pk, EXPIRED, "created_at", "expires_at")
    invitation.refresh_from_db()
    assert invitation.effective_status == MemberInvitationStatus.EXPIRED  # no sweep yet
    joiner = UserFactory(email="joiner@example.test")
    with pytest.raises(DomainError, match="expired"):
        svc.accept_invitation(actor=actor_for_user(joiner), token=invitation.token)
    assert not joiner.memberships.exists()
    assert svc.expire_invitations() == 1
    invitation.refresh_from_db()
    assert invitation.status == MemberInvitationStatus.EXPIRED
    with pytest.raises(DomainError, match="expired"):
        svc.check_invitation(invitation.token)
    response = client.get(reverse("member_invitation", args=[invitation.token]))
    assert response.status_code == 410 and "邀请链接已失效" in response.content.decode()


def actor_for_user(user):
    from partnercenter.actor import Actor

    return Actor(user=user)


# --- 100 colleague invitations a day, counted by the Beijing calendar -------------------------


def sent_earlier(partner, n, at):
    MemberInvitation.objects.bulk_create(
        MemberInvitation(
            partner=partner, email=f"earlier{i}@example.test", role=Role.SALES, created_at=at
        )
        for i in range(n)
    )


def invite(actor, admin_member, email):
    return svc.invite_member(actor=actor(admin_member), email=email, role=Role.SALES)


def test_the_100th_invitation_of_the_day_goes_out_the_101st_does_not(admin_member, actor):
    # Sent at 00:00:00 Beijing time: the first instant of today still counts as today.
    sent_earlier(admin_member.partner, 99, start_of_local_day())
    assert invite(actor, admin_member, "hundredth@example.test")
    with pytest.raises(DomainError, match="At most 100 invitations"):
        invite(actor, admin_member, "one-too-many@example.test")
    # A resend is a new invitation and counts too.
    earlier = MemberInvitation.objects.filter(email="earlier0@example.test").get()
    with pytest.raises(DomainError, match="At most 100 invitations"):
        svc.resend_invitation(actor=actor(admin_member), invitation_id=earlier.pk)
    assert MemberInvitation.objects.count() == 100


# Beijing midnight is 16:00 UTC. A count by the UTC day fails one of the next two tests at any
# hour: before 08:00 Beijing time it still counts yesterday evening, after 08:00 it no longer
# counts this morning's early hours.


def test_yesterday_ends_at_midnight_beijing_time(admin_member, actor):
    sent_earlier(admin_member.partner, 100, start_of_local_day() - SECOND)
    assert invite(actor, admin_member, "first-of-today@example.test")


def test_today_starts_at_midnight_beijing_time(admin_member, actor):
    sent_earlier(admin_member.partner, 100, start_of_local_day() + SECOND)
    with pytest.raises(DomainError, match="At most 100 invitations"):
        invite(actor, admin_member, "late@example.test")


# --- export records: kept 3 days, 5 running per person, lost after 2 hours ------------------


@pytest.fixture
def finished(admin_member, actor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = exports.start_export(actor=actor(admin_member), kind="customers", params={})
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE
    return job


def test_an_export_2d23h59m_old_is_listed_downloaded_and_kept(client, admin_member, finished):
    moved_back(ExportJob, finished.pk, timedelta(days=2, hours=23, minutes=59), "created_at",
               "expires_at")  # fmt: skip
    client.force_login(admin_member.user)
    assert f'data-job="{finished.pk}"' in client.get(reverse("exports")).content.decode()
    response = client.get(reverse("export_download", args=[finished.pk, "csv"]))
    assert response.status_code == 200 and b"".join(response.streaming_content)
    assert exports.purge_expired() == 0


def test_an_export_3d_and_1s_old_is_gone_before_and_after_the_sweep(client, admin_member, finished):
    moved_back(ExportJob, finished.pk, timedelta(days=3) + SECOND, "created_at", "expires_at")
    client.force_login(admin_member.user)
    assert f'data-job="{finished.pk}"' not in client.get(reverse("exports")).content.decode()
    assert client.get(reverse("export_download", args=[finished.pk, "csv"])).status_code == 410
    assert exports.purge_expired() == 1
    assert not ExportJob.objects.filter(pk=finished.pk).exists()


def test_a_job_running_1h59m_still_holds_its_place_and_at_2h_and_1m_it_is_lost(admin_member, actor):
    jobs = [
        exports.start_export(actor=actor(admin_member), kind="customers", params={})
        for _ in range(exports.MAX_ACTIVE_PER_USER)
    ]
    moved_back(ExportJob, jobs[0].pk, timedelta(hours=1, minutes=59), "created_at")
    with pytest.raises(DomainError, match="already have 5 exports"):
        exports.start_export(actor=actor(admin_member), kind="customers", params={})
    assert exports.fail_stale() == 0
    moved_back(ExportJob, jobs[0].pk, timedelta(minutes=2), "created_at")  # now 2 h 1 min
    assert exports.start_export(actor=actor(admin_member), kind="customers", params={})
    assert exports.fail_stale() == 1
    assert ExportJob.objects.get(pk=jobs[0].pk).status == ExportStatus.FAILED


# --- an access key's last use is written at most once a minute -------------------------------


def test_last_used_is_written_again_after_a_full_minute(finance_member):
    key = access_keys.seed_key(
        user=finance_member.user,
        partner=finance_member.partner,
        access_key_id="EDGEKEY0000000000001",
        secret="s" * 40,
    )
    start = timezone.now()
    access_keys.touch(key, now=start)
    access_keys.touch(key, now=start + timedelta(seconds=59))
    assert AccessKey.objects.get(pk=key.pk).last_used_at == start
    access_keys.touch(key, now=start + timedelta(seconds=60))
    assert AccessKey.objects.get(pk=key.pk).last_used_at == start + timedelta(seconds=60)
