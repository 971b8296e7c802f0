"""Both sides of the resellers app's numeric rule (issue 10 §8): a distributor's invitation
link works for 7 days."""

from datetime import timedelta

import pytest
from django.db.models import F
from django.urls import reverse

from partnercenter.errors import DomainError
from resellers.models import InvitationStatus, ResellerInvitation
from resellers.services import invitations

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(distributor_admin, actor):
    return invitations.invite_reseller(
        actor=actor(distributor_admin), email="new@reseller.test", country_region="CN"
    )


def sent_ago(invitation, age):
    ResellerInvitation.objects.filter(pk=invitation.pk).update(
        created_at=F("created_at") - age, expires_at=F("expires_at") - age
    )


def test_a_reseller_link_sent_6d23h59m_ago_still_works(client, invitation):
    sent_ago(invitation, timedelta(days=6, hours=23, minutes=59))
    assert invitations.check_invitation(invitation.token).pk == invitation.pk
    assert client.get(reverse("resellers:join", args=[invitation.token])).status_code == 200
    assert invitations.expire_invitations() == 0
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SENT


def test_a_reseller_link_sent_7d_and_1s_ago_has_expired_before_and_after_the_sweep(
    client, invitation
):
    sent_ago(invitation, timedelta(days=7, seconds=1))
    invitation.refresh_from_db()
    assert invitation.effective_status == InvitationStatus.EXPIRED  # no sweep yet
    with pytest.raises(DomainError, match="expired"):
        invitations.check_invitation(invitation.token)
    assert client.get(reverse("resellers:join", args=[invitation.token])).status_code == 410
    assert invitations.expire_invitations() == 1
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.EXPIRED
    assert client.get(reverse("resellers:join", args=[invitation.token])).status_code == 410
