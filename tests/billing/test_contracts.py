"""合同商务 > 请款合同: apply → preview → contract with its 付款计划; staff mark it paid (RECHARGE,
once); the partner may cancel while it awaits payment; list filters; tenancy and access."""

from datetime import timedelta
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

import billing.finance_hooks  # noqa: F401  (wired from BillingConfig.ready once imported there)
from billing import ledger
from billing.models import (
    ContractEntity,
    ContractStatus,
    FundRequestContract,
    PaymentPlanItem,
    TradeType,
    Transfer,
)
from billing.money import InvalidAmount
from billing.services import contracts
from partnercenter.actor import Actor
from partnercenter.errors import DomainError, InvalidTransition, PermissionRefused
from partnercenter.models import AuditEvent, Notification, Role
from partnercenter.staff import CHANNEL_MANAGER
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel_manager(db):
    user = UserFactory(email="cm@platform.test")
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name=CHANNEL_MANAGER))
    return user


def apply(member, actor, **overrides):
    data = {
        "amount": "1000.00",
        "promised_payment_date": timezone.localdate(),
        "payer": "甲方科技有限公司财务部",
        "contracting_entity": ContractEntity.HUAWEI_CLOUD,
    }
    data.update(overrides)
    return contracts.apply_contract(actor=actor(member), **data)


# --- Applying ---------------------------------------------------------------------------------


def test_applying_makes_a_contract_awaiting_payment_with_its_plan(finance_member, actor):
    due = timezone.localdate() - timedelta(days=20)
    contract = apply(finance_member, actor, amount="2500.50", promised_payment_date=due)
    assert contract.status == ContractStatus.PENDING_PAYMENT
    assert contract.amount == Decimal("2500.50") and contract.partner == finance_member.partner
    assert contract.contract_no.startswith("QK")
    plan = list(contract.plan.all())
    assert [(p.sequence, p.amount, p.due_date, p.paid_at) for p in plan] == [
        (1, Decimal("2500.50"), due, None)
    ]
    event = AuditEvent.objects.get(action="contract.apply")
    assert event.target_id == str(contract.pk) and event.actor == finance_member.user
    assert ledger.partner_funds(finance_member.partner).recharge == 0  # nothing credited yet


@pytest.mark.parametrize("amount", ["0", "-5", "1.005", "abc", ""])
def test_the_amount_is_positive_with_at_most_two_decimals(finance_member, actor, amount):
    with pytest.raises(InvalidAmount):
        apply(finance_member, actor, amount=amount)
    assert not FundRequestContract.objects.exists()


def test_the_promised_payment_date_may_be_up_to_12_months_back(finance_member, actor):
    today = timezone.localdate()
    earliest = today - relativedelta(months=12)
    assert apply(finance_member, actor, promised_payment_date=earliest).pk
    assert apply(finance_member, actor, promised_payment_date=today + timedelta(days=30)).pk
    with pytest.raises(DomainError) as refused:
        apply(finance_member, actor, promised_payment_date=earliest - timedelta(days=1))
    assert refused.value.field == "promised_payment_date"
    assert earliest.isoformat() in str(refused.value)
    assert FundRequestContract.objects.count() == 2


def test_payer_and_contracting_entity_are_required(finance_member, actor):
    with pytest.raises(DomainError) as no_payer:
        apply(finance_member, actor, payer="  ")
    assert no_payer.value.field == "payer"
    with pytest.raises(DomainError) as no_entity:
        apply(finance_member, actor, contracting_entity="acme")
    assert no_entity.value.field == "contracting_entity"


def test_the_same_request_key_applies_once(finance_member, actor):
    first = apply(finance_member, actor, request_key="k-1")
    again = apply(finance_member, actor, request_key="k-1")
    other = apply(finance_member, actor, request_key="k-2")
    assert again.pk == first.pk and other.pk != first.pk
    assert FundRequestContract.objects.count() == 2
    assert PaymentPlanItem.objects.count() == 2


@pytest.mark.parametrize("role", [Role.VIEWER, Role.SALES, Role.ACCOUNT_MANAGER])
def test_only_admin_and_finance_apply(partner, actor, role):
    with pytest.raises(PermissionRefused):
        apply(MembershipFactory(partner=partner, role=role), actor)


def test_applying_through_the_page_previews_then_confirms(client, finance_member):
    client.force_login(finance_member.user)
    url = reverse("finance:contract_apply")
    assert client.get(url).status_code == 200
    data = {
        "amount": "3000.00",
        "promised_payment_date": (timezone.localdate() - timedelta(days=3)).isoformat(),
        "payer": "甲方财务部",
        "contracting_entity": ContractEntity.HUAWEI_SOFTWARE,
        "remark": "Q2 预付",
        "request_key": "page-key-1",
    }
    review = client.post(url, {**data, "step": "review"})
    body = review.content.decode()
    assert review.status_code == 200 and 'data-testid="contract-preview"' in body
    assert "3,000.00" in body and not FundRequestContract.objects.exists()
    done = client.post(url, {**data, "step": "confirm"})
    contract = FundRequestContract.objects.get()
    assert done.status_code == 302
    assert done["Location"] == reverse("finance:contract_detail", args=[contract.pk])
    assert (contract.remark, contract.contracting_entity) == ("Q2 预付", "hw_software")
    # A double-clicked 确定 does not apply twice.
    client.post(url, {**data, "step": "confirm"})
    assert FundRequestContract.objects.count() == 1


def test_the_page_refuses_a_date_more_than_12_months_back(client, finance_member):
    client.force_login(finance_member.user)
    too_old = timezone.localdate() - relativedelta(months=12) - timedelta(days=1)
    response = client.post(
        reverse("finance:contract_apply"),
        {
            "amount": "10",
            "promised_payment_date": too_old.isoformat(),
            "payer": "甲方",
            "contracting_entity": ContractEntity.HUAWEI_CLOUD,
            "request_key": "k",
            "step": "confirm",
        },
    )
    assert response.status_code == 400 and 'data-testid="contract-preview"' not in (
        response.content.decode()
    )
    assert not FundRequestContract.objects.exists()


def test_the_contract_page_is_printable_with_its_plan(client, finance_member, actor):
    contract = apply(finance_member, actor, amount="888.80")
    client.force_login(finance_member.user)
    page = client.get(reverse("finance:contract_detail", args=[contract.pk])).content.decode()
    assert 'class="pc-printable"' in page and 'data-testid="payment-plan"' in page
    assert contract.contract_no in page and "888.80" in page
    assert 'data-testid="cancel-contract"' in page


# --- Staff: payment received ------------------------------------------------------------------


def test_staff_mark_the_payment_received_in_the_admin(
    client, channel_manager, partner, admin_member, finance_member, sales_member, actor
):
    contract = apply(finance_member, actor, amount="5000.00")
    client.force_login(channel_manager)
    changelist = reverse("admin:billing_fundrequestcontract_changelist")
    assert client.get(changelist).status_code == 200
    response = client.post(changelist, {"action": "mark_paid", "_selected_action": [contract.pk]})
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.status == ContractStatus.PAID and contract.confirmed_by == channel_manager
    assert contract.transfer.trade_type == TradeType.RECHARGE
    assert contract.plan.get().paid_at is not None
    assert ledger.partner_funds(partner).recharge == Decimal("5000.00")
    for person in (admin_member, finance_member):
        assert Notification.objects.filter(recipient=person.user, category="funds").exists()
    assert not Notification.objects.filter(recipient=sales_member.user).exists()
    # Clicking again credits nothing more.
    client.post(changelist, {"action": "mark_paid", "_selected_action": [contract.pk]})
    with pytest.raises(InvalidTransition):
        contracts.confirm_contract_payment(
            actor=Actor(user=channel_manager), contract_id=contract.pk
        )
    assert Transfer.objects.filter(trade_type=TradeType.RECHARGE).count() == 1
    assert ledger.partner_funds(partner).recharge == Decimal("5000.00")
    assert ledger.verify_ledger() == []


def test_staff_outside_the_channel_manager_group_cannot_confirm(finance_member, actor):
    contract = apply(finance_member, actor)
    clerk = UserFactory(email="clerk@platform.test")
    clerk.is_staff = True
    clerk.save()
    with pytest.raises(PermissionRefused):
        contracts.confirm_contract_payment(actor=Actor(user=clerk), contract_id=contract.pk)
    with pytest.raises(PermissionRefused):  # nor can a partner member credit itself
        contracts.confirm_contract_payment(actor=actor(finance_member), contract_id=contract.pk)
    contract.refresh_from_db()
    assert contract.status == ContractStatus.PENDING_PAYMENT


# --- Cancelling -------------------------------------------------------------------------------


def test_the_partner_cancels_a_contract_awaiting_payment(client, finance_member, actor):
    contract = apply(finance_member, actor)
    client.force_login(finance_member.user)
    response = client.post(reverse("finance:contract_cancel", args=[contract.pk]))
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.status == ContractStatus.CANCELLED
    assert AuditEvent.objects.filter(action="contract.cancel").count() == 1
    page = client.get(reverse("finance:contract_detail", args=[contract.pk])).content.decode()
    assert 'data-testid="cancel-contract"' not in page


def test_paid_contracts_cannot_be_cancelled_nor_cancelled_ones_paid(
    finance_member, channel_manager, actor
):
    paid = apply(finance_member, actor)
    contracts.confirm_contract_payment(actor=Actor(user=channel_manager), contract_id=paid.pk)
    with pytest.raises(InvalidTransition):
        contracts.cancel_contract(actor=actor(finance_member), contract_id=paid.pk)
    cancelled = apply(finance_member, actor)
    contracts.cancel_contract(actor=actor(finance_member), contract_id=cancelled.pk)
    with pytest.raises(InvalidTransition):
        contracts.confirm_contract_payment(
            actor=Actor(user=channel_manager), contract_id=cancelled.pk
        )
    assert Transfer.objects.filter(trade_type=TradeType.RECHARGE).count() == 1


# --- List, tenancy, access --------------------------------------------------------------------


def test_the_list_filters_by_status_number_and_date(client, finance_member, channel_manager, actor):
    paid = apply(finance_member, actor, amount="100")
    contracts.confirm_contract_payment(actor=Actor(user=channel_manager), contract_id=paid.pk)
    pending = apply(finance_member, actor, amount="200")
    old = apply(finance_member, actor, amount="300")
    FundRequestContract.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=40)
    )
    client.force_login(finance_member.user)
    url = reverse("finance:contracts")

    def numbers(**params):
        body = client.get(url, {"tab": "contracts", **params}).content.decode()
        return {c.contract_no for c in (paid, pending, old) if c.contract_no in body}

    assert numbers() == {paid.contract_no, pending.contract_no, old.contract_no}
    assert numbers(status="paid") == {paid.contract_no}
    assert numbers(status="pending_payment") == {pending.contract_no, old.contract_no}
    assert numbers(contract_no=pending.contract_no[-6:]) == {pending.contract_no}
    since = (timezone.localdate() - timedelta(days=7)).isoformat()
    assert numbers(date_from=since) == {paid.contract_no, pending.contract_no}
    until = (timezone.localdate() - timedelta(days=30)).isoformat()
    assert numbers(date_to=until) == {old.contract_no}
    partial = client.get(url, {"tab": "contracts", "status": "paid"}, HTTP_HX_REQUEST="true")
    assert partial.content.decode().lstrip().startswith('<div id="contracts-table"')


def test_another_partners_contract_is_a_404(client, finance_member, other_admin, actor):
    contract = apply(finance_member, actor)
    client.force_login(other_admin.user)
    assert client.get(reverse("finance:contract_detail", args=[contract.pk])).status_code == 404
    assert client.post(reverse("finance:contract_cancel", args=[contract.pk])).status_code == 404
    body = client.get(reverse("finance:contracts")).content.decode()
    assert contract.contract_no not in body
    with pytest.raises(DomainError):
        contracts.cancel_contract(actor=actor(other_admin), contract_id=contract.pk)
    contract.refresh_from_db()
    assert contract.status == ContractStatus.PENDING_PAYMENT


MANAGE = {Role.ADMIN, Role.FINANCE}
BUSINESS = {Role.ADMIN, Role.FINANCE, Role.VIEWER, Role.ACCOUNT_MANAGER, Role.SALES}


def test_anonymous_is_sent_to_sign_in(client):
    for name in ("finance:contracts", "finance:contract_apply"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("role", Role.values)
def test_contract_pages_access_matrix(client, partner, finance_member, actor, role):
    contract = apply(finance_member, actor)
    member = MembershipFactory(partner=partner, role=role)
    client.force_login(member.user)
    url = reverse("finance:contracts")
    manage = 200 if role in MANAGE else 403
    assert client.get(url, {"tab": "contracts"}).status_code == manage
    assert client.get(url, {"tab": "business"}).status_code == (200 if role in BUSINESS else 403)
    assert client.get(url).status_code == (200 if role in MANAGE | BUSINESS else 403)
    assert client.get(reverse("finance:contract_apply")).status_code == manage
    assert client.get(reverse("finance:contract_detail", args=[contract.pk])).status_code == manage
    cancel = client.post(reverse("finance:contract_cancel", args=[contract.pk]))
    assert cancel.status_code == (302 if role in MANAGE else 403)


def test_the_default_tab_follows_the_role(client, partner, finance_member):
    client.force_login(finance_member.user)
    assert (
        'data-testid="contracts-table"' in client.get(reverse("finance:contracts")).content.decode()
    )
    sales = MembershipFactory(partner=partner, role=Role.SALES)
    client.force_login(sales.user)
    page = client.get(reverse("finance:contracts")).content.decode()
    assert 'data-testid="discounts-table"' in page and "?tab=contracts" not in page


@pytest.mark.parametrize("n", [1, 50])
def test_the_contract_list_keeps_a_fixed_number_of_queries(
    client, finance_member, actor, django_assert_max_num_queries, n
):
    for _i in range(n):
        apply(finance_member, actor, amount="10")
    client.force_login(finance_member.user)
    with django_assert_max_num_queries(8):  # measured: 6
        assert client.get(reverse("finance:contracts"), {"tab": "contracts"}).status_code == 200
