"""代客下单 and 切换角色: acting as a customer reaches that customer's console and nothing else."""

import pytest
from django.urls import reverse

from billing.models import Order
from customers.acting import SESSION_KEY
from customers.models import AuthorizationStatus
from partnercenter.models import AuditEvent
from tests.customers.factories import AssociationFactory

from .orders_fixtures import authorize

pytestmark = pytest.mark.django_db


def start(client, member, association):
    client.force_login(member.user)
    return client.post(reverse("customers:act_start", args=[association.customer_id]))


def test_without_the_customers_authorisation_the_page_says_how_to_get_it(
    client, finance_member, resale
):
    response = start(client, finance_member, resale)
    assert response.status_code == 400
    assert "申请客户授权" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_acting_shows_the_customer_console_and_blocks_everything_else(
    client, finance_member, funded, resale, partner, catalogue
):
    authorize(resale)
    other = AssociationFactory(partner=partner)
    response = start(client, finance_member, resale)
    assert response["Location"] == reverse("billing:console_products")
    page = client.get(reverse("billing:console_products")).content.decode()
    assert "正在以客户" in page and resale.customer.name in page and "切换角色" in page
    # The partner's pages, its money and its other customers are out of reach while acting.
    for url in (
        reverse("customers:list"),
        reverse("customers:detail", args=[other.customer_id]),
        reverse("billing:funds"),
        reverse("billing:adjustments"),
        reverse("billing:orders"),
        reverse("members"),
        reverse("billing:adjust", args=[other.customer_id, "allocate"]),
    ):
        assert client.get(url).status_code == 403, url
    # An order placed now is the customer's, audited with both names.
    spec = catalogue["ecs"]
    client.post(
        reverse("billing:console_order_new", args=[spec.pk]),
        {
            "charging_mode": 1,
            "period_type": 2,
            "period_num": 1,
            "quantity": 1,
            "region_code": "cn-north-4",
            "submit": "1",
        },
    )
    order = Order.objects.get()
    assert order.customer == resale.customer and order.source_type == 2
    event = AuditEvent.objects.get(action="order.create")
    assert event.actor == finance_member.user and event.acting_as_id == str(resale.customer.pk)
    # 切换角色 returns to the partner account.
    back = client.post(reverse("customers:act_stop"))
    assert back["Location"] == reverse("customers:detail", args=[resale.customer_id])
    assert client.get(reverse("customers:list")).status_code == 200
    assert client.get(reverse("billing:console_products")).status_code == 403
    assert AuditEvent.objects.filter(action__in=["acting.start", "acting.stop"]).count() == 2


def test_acting_ends_when_the_authorisation_is_cancelled(client, finance_member, resale):
    authorization = authorize(resale)
    start(client, finance_member, resale)
    authorization.status = AuthorizationStatus.CANCELLED
    authorization.save()
    assert client.get(reverse("billing:console_products")).status_code == 403
    assert client.get(reverse("customers:list")).status_code == 200


def test_the_acting_partner_cannot_decide_for_the_customer(client, admin_member, resale, actor):
    from customers.models import Authorization, EventType
    from customers.services import associations

    request = associations.request_change(
        actor=actor(admin_member),
        association_id=resale.pk,
        event_type=EventType.SWITCH_TYPE,
        reason="改为顾问销售",
        acknowledged=True,
    )
    authorize(resale)
    pending = Authorization.objects.create(
        partner=resale.partner,
        customer=resale.customer,
        association=resale,
        status=AuthorizationStatus.CANCELLED,
    )
    start(client, admin_member, resale)
    # The relationship's decisions belong to the customer's own login, never to its partner.
    client.post(reverse("customers:console_respond", args=[request.pk]), {"decision": "agree"})
    client.post(reverse("customers:console_disassociate"), {"reason": "我自己解绑"})
    request.refresh_from_db()
    assert request.status == "pending"
    assert not resale.events.filter(initiator="customer").exists()
    assert Authorization.objects.get(pk=pending.pk).status == AuthorizationStatus.CANCELLED


def test_only_roles_with_the_item_act(client, viewer_member, resale):
    authorize(resale)
    client.force_login(viewer_member.user)
    assert client.get(reverse("customers:act_start", args=[resale.customer_id])).status_code == 403


def test_another_partners_customer_cannot_be_acted_for(client, finance_member, other_partner):
    theirs = AssociationFactory(partner=other_partner)
    authorize(theirs)
    client.force_login(finance_member.user)
    assert client.get(reverse("customers:act_start", args=[theirs.customer_id])).status_code == 404
    client.post(reverse("customers:act_start", args=[theirs.customer_id]))
    assert SESSION_KEY not in client.session


def test_a_forged_session_marker_for_another_customer_is_dropped(
    client, finance_member, other_partner
):
    theirs = AssociationFactory(partner=other_partner)
    authorize(theirs)
    client.force_login(finance_member.user)
    session = client.session
    session[SESSION_KEY] = theirs.customer_id
    session.save()
    assert client.get(reverse("billing:console_products")).status_code == 403
    assert client.get(reverse("customers:list")).status_code == 200
