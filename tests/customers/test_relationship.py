from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from customers import rules
from customers.models import (
    Association,
    AssociationEvent,
    AssociationType,
    Authorization,
    AuthorizationStatus,
    EventStatus,
    EventType,
    Initiator,
)
from customers.services import associations as svc
from customers.services import authorizations as auth
from partnercenter.actor import Actor
from partnercenter.errors import DomainError, InvalidTransition, PermissionRefused
from partnercenter.models import Notification

from .factories import AssociationFactory, customer_login

pytestmark = pytest.mark.django_db


def as_customer(user, customer):
    return Actor(user=user, customer=customer, ip="10.0.0.2")


def disassociate(actor, association, reason="业务调整"):
    return svc.request_change(
        actor=actor,
        association_id=association.pk,
        event_type=EventType.DISASSOCIATE,
        reason=reason,
        acknowledged=True,
    )


def test_partner_disassociation_needs_the_customers_agreement_and_runs_the_hook(
    admin_member, resale_customer, customer_user, actor
):
    seen = []

    def hook(association, *, actor, event):
        seen.append((association.pk, event.pk, association.ended_at is not None))

    rules.ON_ASSOCIATION_ENDED.append(hook)
    try:
        event = disassociate(actor(admin_member), resale_customer)
        assert event.status == EventStatus.PENDING
        resale_customer.refresh_from_db()
        assert resale_customer.ended_at is None  # nothing happens until the customer agrees
        assert Notification.objects.filter(recipient=customer_user).exists()
        svc.customer_respond(
            actor=as_customer(customer_user, resale_customer.customer),
            event_id=event.pk,
            agree=True,
        )
    finally:
        rules.ON_ASSOCIATION_ENDED.remove(hook)
    resale_customer.refresh_from_db()
    event.refresh_from_db()
    assert resale_customer.ended_at is not None and event.status == EventStatus.COMPLETED
    assert seen == [(resale_customer.pk, event.pk, True)]
    assert Notification.objects.filter(recipient=admin_member.user, category="customers").exists()
    # The customer may now associate with someone else.
    assert not Association.objects.current().filter(customer=resale_customer.customer).exists()


def test_a_failing_hook_rolls_the_whole_disassociation_back(
    admin_member, resale_customer, customer_user, actor
):
    def broken(association, *, actor, event):
        raise DomainError("money could not be returned")

    event = disassociate(actor(admin_member), resale_customer)
    rules.ON_ASSOCIATION_ENDED.append(broken)
    try:
        with pytest.raises(DomainError):
            svc.customer_respond(
                actor=as_customer(customer_user, resale_customer.customer),
                event_id=event.pk,
                agree=True,
            )
    finally:
        rules.ON_ASSOCIATION_ENDED.remove(broken)
    resale_customer.refresh_from_db()
    event.refresh_from_db()
    assert resale_customer.ended_at is None and event.status == EventStatus.PENDING


def test_the_customer_can_refuse(admin_member, resale_customer, customer_user, actor):
    event = disassociate(actor(admin_member), resale_customer)
    svc.customer_respond(
        actor=as_customer(customer_user, resale_customer.customer),
        event_id=event.pk,
        agree=False,
        reason="不同意",
    )
    event.refresh_from_db()
    assert event.status == EventStatus.REFUSED and event.handling_reason == "不同意"
    with pytest.raises(InvalidTransition):
        svc.customer_respond(
            actor=as_customer(customer_user, resale_customer.customer),
            event_id=event.pk,
            agree=True,
        )


def test_a_type_switch_ends_the_old_association_and_starts_the_new_type(
    admin_member, am_member, resale_customer, customer_user, actor
):
    Association.objects.filter(pk=resale_customer.pk).update(account_manager=am_member)
    event = svc.request_change(
        actor=actor(admin_member),
        association_id=resale_customer.pk,
        event_type=EventType.SWITCH_TYPE,
        reason="客户希望自行付款",
        acknowledged=True,
    )
    assert event.to_type == AssociationType.REFERRAL
    svc.customer_respond(
        actor=as_customer(customer_user, resale_customer.customer), event_id=event.pk, agree=True
    )
    current = Association.objects.current().get(customer=resale_customer.customer)
    assert current.pk != resale_customer.pk
    assert (
        current.association_type == AssociationType.REFERRAL
        and current.account_manager == am_member
    )


def test_only_the_partner_admin_may_disassociate_or_switch(
    finance_member, resale_customer, actor, client
):
    with pytest.raises(PermissionRefused):
        disassociate(actor(finance_member), resale_customer)
    client.force_login(finance_member.user)
    assert (
        client.get(
            reverse("customers:change", args=[resale_customer.customer_id, "disassociate"])
        ).status_code
        == 403
    )


def test_the_acknowledgement_and_reason_are_required(admin_member, resale_customer, actor):
    with pytest.raises(DomainError, match="Tick"):
        svc.request_change(
            actor=actor(admin_member),
            association_id=resale_customer.pk,
            event_type=EventType.DISASSOCIATE,
            reason="x",
            acknowledged=False,
        )
    with pytest.raises(DomainError, match="reason"):
        svc.request_change(
            actor=actor(admin_member),
            association_id=resale_customer.pk,
            event_type=EventType.DISASSOCIATE,
            reason="  ",
            acknowledged=True,
        )
    assert not AssociationEvent.objects.exists()


def test_one_partner_request_per_customer_every_three_months(
    admin_member, resale_customer, customer_user, actor
):
    event = disassociate(actor(admin_member), resale_customer)
    svc.customer_respond(
        actor=as_customer(customer_user, resale_customer.customer), event_id=event.pk, agree=False
    )
    with pytest.raises(DomainError, match="every 3 months"):
        disassociate(actor(admin_member), resale_customer)
    AssociationEvent.objects.filter(pk=event.pk).update(
        requested_at=timezone.now() - timedelta(days=91)
    )
    disassociate(actor(admin_member), resale_customer)


def test_not_within_three_months_of_the_customers_own_request(
    admin_member, resale_customer, customer_user, actor
):
    own = svc.customer_request_disassociation(
        actor=as_customer(customer_user, resale_customer.customer), reason="换伙伴"
    )
    svc.partner_handle_request(
        actor=actor(admin_member), event_id=own.pk, agree=False, reason="请先结清"
    )
    with pytest.raises(DomainError, match="within the last 3 months"):
        disassociate(actor(admin_member), resale_customer)
    with pytest.raises(DomainError, match="once every 3 months"):
        svc.customer_request_disassociation(
            actor=as_customer(customer_user, resale_customer.customer), reason="再来"
        )


def test_checks_list_every_failed_item_and_block(
    admin_member, resale_customer, customer_user, actor, client
):
    resale_customer.customer.is_frozen = True
    resale_customer.customer.save()
    Authorization.objects.create(
        partner=admin_member.partner,
        customer=resale_customer.customer,
        association=resale_customer,
        status=AuthorizationStatus.GRANTED,
    )
    with pytest.raises(DomainError) as raised:
        disassociate(actor(admin_member), resale_customer)
    assert {i.code for i in raised.value.items} == {"IS_FROZEN", "HAS_AUTHORIZATION"}
    client.force_login(admin_member.user)
    page = client.get(
        reverse("customers:change", args=[resale_customer.customer_id, "disassociate"])
    ).content.decode()
    assert "IS_FROZEN" in page and "HAS_AUTHORIZATION" in page
    assert not AssociationEvent.objects.exists()


def test_a_registered_check_from_another_app_blocks_too(admin_member, resale_customer, actor):
    def arrears(association):
        return rules.FailedCheck("IS_DEBT", "欠款")

    rules.DISASSOCIATION_CHECKS.append(arrears)
    try:
        with pytest.raises(DomainError) as raised:
            disassociate(actor(admin_member), resale_customer)
    finally:
        rules.DISASSOCIATION_CHECKS.remove(arrears)
    assert [i.code for i in raised.value.items] == ["IS_DEBT"]


def test_the_admin_handles_a_customer_request_on_the_records_page(
    client, admin_member, resale_customer, customer_user
):
    own = svc.customer_request_disassociation(
        actor=as_customer(customer_user, resale_customer.customer), reason="换伙伴"
    )
    client.force_login(admin_member.user)
    records = client.get(reverse("customers:records"), {"status": "pending"}).content.decode()
    assert "换伙伴" in records and reverse("customers:handle", args=[own.pk]) in records
    refused_without_reason = client.post(
        reverse("customers:handle", args=[own.pk]), {"decision": "refuse"}
    )
    assert refused_without_reason.status_code == 400
    agreed = client.post(
        reverse("customers:handle", args=[own.pk]),
        {"decision": "agree", "acknowledged": "on", "reason": "同意"},
    )
    assert agreed.status_code == 302
    resale_customer.refresh_from_db()
    assert resale_customer.ended_at is not None
    assert Notification.objects.filter(recipient=customer_user).exists()


def test_another_partner_cannot_handle_or_see_our_records(
    client, other_admin, resale_customer, customer_user
):
    own = svc.customer_request_disassociation(
        actor=as_customer(customer_user, resale_customer.customer), reason="私密原因"
    )
    client.force_login(other_admin.user)
    assert "私密原因" not in client.get(reverse("customers:records")).content.decode()
    assert client.get(reverse("customers:handle", args=[own.pk])).status_code == 404
    assert client.post(reverse("customers:cancel", args=[own.pk])).status_code == 302
    own.refresh_from_db()
    assert own.status == EventStatus.PENDING


def test_one_pending_request_per_customer_is_a_database_constraint(partner, resale_customer):
    base = dict(
        partner=partner,
        customer=resale_customer.customer,
        association=resale_customer,
        event_type=EventType.DISASSOCIATE,
        initiator=Initiator.PARTNER,
        status=EventStatus.PENDING,
    )
    AssociationEvent.objects.create(**base)
    with pytest.raises(IntegrityError), transaction.atomic():
        AssociationEvent.objects.create(**{**base, "initiator": Initiator.CUSTOMER})


def test_authorization_request_and_the_customers_decisions(
    admin_member, resale_customer, referral_customer, customer_user, actor
):
    with pytest.raises(DomainError, match="resale customers only"):
        auth.request_authorization(actor=actor(admin_member), association_id=referral_customer.pk)
    a = auth.request_authorization(actor=actor(admin_member), association_id=resale_customer.pk)
    assert a.status == AuthorizationStatus.PENDING
    with pytest.raises(DomainError, match="already waiting"):
        auth.request_authorization(actor=actor(admin_member), association_id=resale_customer.pk)
    me = as_customer(customer_user, resale_customer.customer)
    auth.customer_decide(actor=me, authorization_id=a.pk, grant=True)
    a.refresh_from_db()
    assert a.status == AuthorizationStatus.GRANTED
    auth.customer_cancel(actor=me, authorization_id=a.pk)
    a.refresh_from_db()
    assert a.status == AuthorizationStatus.CANCELLED
    b = auth.request_authorization(actor=actor(admin_member), association_id=resale_customer.pk)
    auth.customer_decide(actor=me, authorization_id=b.pk, grant=False)
    b.refresh_from_db()
    assert b.status == AuthorizationStatus.REFUSED


def test_a_customer_cannot_touch_another_customers_requests(
    admin_member, resale_customer, actor, partner
):
    stranger_assoc = AssociationFactory(partner=partner)
    stranger = customer_login(stranger_assoc.customer)
    event = disassociate(actor(admin_member), resale_customer)
    a = auth.request_authorization(actor=actor(admin_member), association_id=resale_customer.pk)
    with pytest.raises(DomainError):
        svc.customer_respond(
            actor=as_customer(stranger, stranger_assoc.customer), event_id=event.pk, agree=True
        )
    with pytest.raises(DomainError):
        auth.customer_decide(
            actor=as_customer(stranger, stranger_assoc.customer), authorization_id=a.pk, grant=True
        )
