"""Both sides of every numeric rule of the customers app (issue 10 §8).

A rule that no test sits on the edge of survives being changed: each test here puts one case
just inside and one just outside the limit, so moving the limit makes it fail.
"""

from datetime import timedelta

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from customers.models import (
    AssociationEvent,
    EventStatus,
    EventType,
    Initiator,
    Invitation,
    InvitationStatus,
)
from customers.services import associations as svc
from customers.services import invitations as invitations_svc
from customers.services import registration
from partnercenter.actor import Actor
from partnercenter.errors import DomainError
from partnercenter.models import Role
from tests.factories import MembershipFactory, UserFactory

from .factories import CustomerFactory, customer_login

pytestmark = pytest.mark.django_db

MINUTE = timedelta(minutes=1)
SECOND = timedelta(seconds=1)


# --- 3 months between disassociation / type-switch requests ---------------------------------
#
# "3 months" is REQUEST_COOLDOWN = 90 days: a request made at or after now − 90 days blocks.

STILL_BLOCKED = [timedelta(days=89), timedelta(days=90) - MINUTE]
FREE_AGAIN = [timedelta(days=90) + MINUTE, timedelta(days=91)]
COOLDOWN_EDGES = [(age, True) for age in STILL_BLOCKED] + [(age, False) for age in FREE_AGAIN]


def _ids(value):
    if isinstance(value, timedelta):
        return f"{value.days}d{value.seconds // 60}m"
    return "blocked" if value else "allowed"


def earlier_request(association, *, initiator, event_type, age):
    """A request handled long ago (refused), made `age` before now."""
    return AssociationEvent.objects.create(
        partner=association.partner,
        customer=association.customer,
        association=association,
        event_type=event_type,
        initiator=initiator,
        from_type=association.association_type,
        reason="上次的申请",
        status=EventStatus.REFUSED,
        requested_at=timezone.now() - age,
        handled_at=timezone.now() - age,
    )


def partner_asks(actor, association, event_type=EventType.DISASSOCIATE):
    return svc.request_change(
        actor=actor,
        association_id=association.pk,
        event_type=event_type,
        reason="业务调整",
        acknowledged=True,
    )


@pytest.mark.parametrize("earlier", [EventType.DISASSOCIATE, EventType.SWITCH_TYPE])
@pytest.mark.parametrize("age, blocked", COOLDOWN_EDGES, ids=_ids)
def test_the_partner_asks_once_per_customer_every_three_months(
    admin_member, resale_customer, actor, earlier, age, blocked
):
    earlier_request(resale_customer, initiator=Initiator.PARTNER, event_type=earlier, age=age)
    if blocked:
        with pytest.raises(DomainError, match="every 3 months"):
            partner_asks(actor(admin_member), resale_customer)
        assert not AssociationEvent.objects.filter(status=EventStatus.PENDING).exists()
    else:
        assert partner_asks(actor(admin_member), resale_customer).status == EventStatus.PENDING


@pytest.mark.parametrize("age, blocked", COOLDOWN_EDGES, ids=_ids)
def test_the_partner_waits_three_months_after_the_customers_own_request(
    admin_member, resale_customer, actor, age, blocked
):
    earlier_request(
        resale_customer, initiator=Initiator.CUSTOMER, event_type=EventType.DISASSOCIATE, age=age
    )
    if blocked:
        with pytest.raises(DomainError, match="within the last 3 months"):
            partner_asks(actor(admin_member), resale_customer, EventType.SWITCH_TYPE)
    else:
        partner_asks(actor(admin_member), resale_customer, EventType.SWITCH_TYPE)


@pytest.mark.parametrize("age, blocked", COOLDOWN_EDGES, ids=_ids)
def test_the_customer_asks_once_every_three_months(resale_customer, customer_user, age, blocked):
    earlier_request(
        resale_customer, initiator=Initiator.CUSTOMER, event_type=EventType.DISASSOCIATE, age=age
    )
    me = Actor(user=customer_user, customer=resale_customer.customer)
    if blocked:
        with pytest.raises(DomainError, match="once every 3 months"):
            svc.customer_request_disassociation(actor=me, reason="换伙伴")
    else:
        assert svc.customer_request_disassociation(actor=me, reason="换伙伴").status == "pending"


def test_the_page_shows_the_limit_before_the_admin_confirms(client, admin_member, resale_customer):
    earlier_request(
        resale_customer,
        initiator=Initiator.PARTNER,
        event_type=EventType.DISASSOCIATE,
        age=timedelta(days=89),
    )
    client.force_login(admin_member.user)
    url = reverse("customers:change", args=[resale_customer.customer_id, "disassociate"])
    assert 'data-testid="request-limit"' in client.get(url).content.decode()
    AssociationEvent.objects.update(requested_at=timezone.now() - timedelta(days=91))
    assert 'data-testid="checks-passed"' in client.get(url).content.decode()


# --- online invitation links: 7 days ---------------------------------------------------------

VALID = timedelta(days=6, hours=23, minutes=59)
EXPIRED = timedelta(days=7) + SECOND


def sent_ago(invitation, age):
    """As if the invitation had been sent `age` ago: both of its times move back together."""
    type(invitation).objects.filter(pk=invitation.pk).update(
        created_at=F("created_at") - age, expires_at=F("expires_at") - age
    )


@pytest.fixture
def online(admin_member, actor):
    return invitations_svc.send_online_invitation(
        actor=actor(admin_member), association_type=2, email="buyer@customer.test"
    )


def test_a_customer_link_sent_6d23h59m_ago_still_works(client, online):
    sent_ago(online, VALID)
    assert invitations_svc.check_link(online.token).pk == online.pk
    assert client.get(reverse("customers:accept", args=[online.token])).status_code == 200
    assert invitations_svc.expire_invitations() == 0
    online.refresh_from_db()
    assert online.status == InvitationStatus.SENT
    user = UserFactory(email="buyer@customer.test")
    association = invitations_svc.accept_invitation(
        actor=Actor(user=user), token=online.token, agreed=True, details={"name": "某客户"}
    )
    assert association.partner_id == online.partner_id


def test_a_customer_link_sent_7d_and_1s_ago_has_expired_before_and_after_the_sweep(client, online):
    sent_ago(online, EXPIRED)
    online.refresh_from_db()
    assert online.effective_status == InvitationStatus.EXPIRED  # at read time, no sweep yet
    with pytest.raises(invitations_svc.InvitationRefused) as refused:
        invitations_svc.check_link(online.token)
    assert refused.value.message == invitations_svc.MSG_EXPIRED
    response = client.get(reverse("customers:accept", args=[online.token]))
    assert response.status_code == 410 and "邀请链接已失效" in response.content.decode()
    assert invitations_svc.expire_invitations() == 1
    online.refresh_from_db()
    assert online.status == InvitationStatus.EXPIRED
    with pytest.raises(invitations_svc.InvitationRefused) as refused:
        invitations_svc.accept_invitation(
            actor=Actor(user=UserFactory()), token=online.token, details={"name": "x"}
        )
    assert refused.value.message == invitations_svc.MSG_EXPIRED


def test_a_resent_link_gets_seven_days_from_the_resend(admin_member, actor, online):
    sent_ago(online, EXPIRED)
    invitations_svc.resend_invitation(actor=actor(admin_member), invitation_id=online.pk)
    online.refresh_from_db()
    assert timedelta(days=7) - MINUTE < online.expires_at - timezone.now() <= timedelta(days=7)
    sent_ago(online, VALID)
    assert invitations_svc.check_link(Invitation.objects.get(pk=online.pk).token)


# --- offline links: only accounts created within 7 days --------------------------------------


@pytest.mark.parametrize(
    "age, refused",
    [(timedelta(days=6, hours=23, minutes=59), False), (timedelta(days=7) + SECOND, True)],
    ids=["6d23h59m", "7d+1s"],
)
def test_an_offline_link_takes_accounts_up_to_seven_days_old(admin_member, actor, age, refused):
    link = invitations_svc.offline_link(actor=actor(admin_member), association_type=1)
    customer = CustomerFactory(created_at=timezone.now() - age)
    accept = lambda: invitations_svc.accept_invitation(  # noqa: E731
        actor=Actor(user=customer_login(customer)), token=link.token, details={"name": "x"}
    )
    if refused:
        with pytest.raises(invitations_svc.InvitationRefused, match="within the last 7 days"):
            accept()
        assert not customer.associations.exists()
    else:
        assert accept().customer_id == customer.pk


# --- batch invitations: 500 lines ------------------------------------------------------------


def test_a_batch_takes_500_lines_and_refuses_501(admin_member, actor):
    lines = [{"email": f"c{i}@customer.test", "mobile": ""} for i in range(501)]
    with pytest.raises(DomainError, match="500"):
        invitations_svc.start_batch(actor=actor(admin_member), association_type=1, lines=lines)
    batch = invitations_svc.start_batch(
        actor=actor(admin_member), association_type=1, lines=lines[:500]
    )
    assert batch.total == 500


# --- one mobile number, at most 5 accounts ---------------------------------------------------


@pytest.mark.parametrize("holders, remaining", [(4, 1), (5, 0), (6, 0)])
def test_a_mobile_number_holds_at_most_five_accounts(db, holders, remaining):
    for _ in range(holders):
        CustomerFactory(mobile="13912345678")
    assert registration.identity_in_use("mobile", "0086-13912345678") == ("used_by_user", remaining)


@pytest.mark.parametrize(
    "holders, message", [(4, "SMS verification is not available"), (5, "the most accounts")]
)
def test_the_fifth_account_on_a_number_is_the_last(admin_member, actor, holders, message):
    for _ in range(holders):
        CustomerFactory(mobile="13912345678")
    with pytest.raises(DomainError, match=message):
        registration.create_customer(
            actor=actor(admin_member),
            xaccount_id="platform-user-1",
            xaccount_type="tenant",
            mobile="13912345678",
            verification_code="123456",
        )


# --- the customer's console lists at most 5 partner contacts --------------------------------


@pytest.mark.parametrize("admins, shown", [(5, 5), (6, 5)])
def test_the_console_lists_at_most_five_partner_contacts(
    client, partner, resale_customer, customer_user, admins, shown
):
    emails = [f"contact{i}@partner-a.test" for i in range(admins)]
    for email in emails:
        MembershipFactory(partner=partner, role=Role.ADMIN, user=UserFactory(email=email))
    client.force_login(customer_user)
    page = client.get(reverse("customers:console")).content.decode()
    assert sum(email in page for email in emails) == shown
