import pytest
from django.urls import reverse

from customers.models import Authorization, AuthorizationStatus, EventStatus, NoticeSignature
from customers.services import associations as svc
from customers.services import authorizations as auth

pytestmark = pytest.mark.django_db


def test_a_customer_lands_in_its_console_and_not_on_partner_pages(
    client, customer_user, resale_customer
):
    client.force_login(customer_user)
    assert client.get(reverse("home"))["Location"] == reverse("customers:console")
    page = client.get(reverse("customers:console")).content.decode()
    assert resale_customer.partner.name in page and "代售" in page and "我的合作伙伴" in page
    for name in ("customers:list", "members", "programs", "customers:invite"):
        assert client.get(reverse(name)).status_code == 403, name


def test_partner_members_cannot_open_the_console(client, admin_member):
    client.force_login(admin_member.user)
    assert client.get(reverse("customers:console")).status_code == 403


def test_the_customer_agrees_to_a_partner_request_in_its_console(
    client, admin_member, resale_customer, customer_user, actor
):
    event = svc.request_change(
        actor=actor(admin_member),
        association_id=resale_customer.pk,
        event_type="disassociate",
        reason="合同到期",
        acknowledged=True,
    )
    client.force_login(customer_user)
    page = client.get(reverse("customers:console"), {"tab": "requests"}).content.decode()
    assert "合同到期" in page
    client.post(
        reverse("customers:console_respond", args=[event.pk]), {"decision": "agree", "reason": ""}
    )
    event.refresh_from_db()
    assert event.status == EventStatus.COMPLETED


def test_the_customer_asks_to_disassociate_and_can_cancel(client, resale_customer, customer_user):
    client.force_login(customer_user)
    client.post(reverse("customers:console_disassociate"), {"reason": "更换服务商"})
    event = resale_customer.events.get()
    assert event.status == EventStatus.PENDING and event.initiator == "customer"
    client.post(reverse("customers:console_cancel", args=[event.pk]))
    event.refresh_from_db()
    assert event.status == EventStatus.CANCELLED


def test_authorisations_are_managed_in_the_console(
    client, admin_member, resale_customer, customer_user, actor
):
    a = auth.request_authorization(actor=actor(admin_member), association_id=resale_customer.pk)
    client.force_login(customer_user)
    assert (
        "授权管理"
        in client.get(reverse("customers:console"), {"tab": "authorizations"}).content.decode()
    )
    client.post(reverse("customers:console_authorization", args=[a.pk, "grant"]))
    assert Authorization.objects.get(pk=a.pk).status == AuthorizationStatus.GRANTED
    client.post(reverse("customers:console_authorization", args=[a.pk, "cancel"]))
    assert Authorization.objects.get(pk=a.pk).status == AuthorizationStatus.CANCELLED


def test_the_signed_notice_can_be_read_again_but_only_by_its_customer(
    client, resale_customer, customer_user, partner
):
    from .factories import AssociationFactory, customer_login

    sig = NoticeSignature.objects.create(
        customer=resale_customer.customer,
        association=resale_customer,
        user=customer_user,
        association_type=2,
        version="resale-v1",
        language="zh-hans",
        ip="1.2.3.4",
    )
    client.force_login(customer_user)
    page = client.get(reverse("customers:notice", args=[sig.pk])).content.decode()
    assert "客户关联华为云合作伙伴须知" in page and "1.2.3.4" in page
    other = customer_login(AssociationFactory(partner=partner).customer)
    client.force_login(other)
    assert client.get(reverse("customers:notice", args=[sig.pk])).status_code == 404
