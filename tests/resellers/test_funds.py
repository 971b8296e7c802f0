"""拨款 / 回收 between a distributor and its resellers: the rules, the ledger legs, tenancy."""

from decimal import Decimal

import pytest

from billing import ledger
from billing.errors import InsufficientBalance, NotYourReseller
from billing.models import AccountKind, Posting, TradeType, Transfer
from billing.money import InvalidAmount
from billing.services import funds as customer_funds
from customers.models import AssociationType
from partnercenter.errors import PermissionRefused
from partnercenter.models import AuditEvent, Notification, NotificationCategory, Role
from resellers.models import ApplicationStatus, ResellerApplication
from resellers.services import funds
from resellers.services.funds import ResellerExiting
from tests.billing.conftest import fund
from tests.customers.factories import AssociationFactory
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def dist_finance(distributor):
    fund(distributor, recharge="1000.00", credit="500.00")
    return MembershipFactory(partner=distributor, role=Role.FINANCE)


def reseller_funds(reseller):
    return ledger.partner_funds(reseller)


def test_an_allocation_moves_the_distributors_balance_into_the_resellers_recharge_account(
    dist_finance, distributor, reseller, reseller_admin, actor
):
    transfer = funds.allocate(
        actor=actor(dist_finance), reseller_pk=reseller.pk, amount="500.00", remark="首批"
    )
    assert (transfer.trade_type, transfer.amount) == (TradeType.BEADJUST, D("500.00"))
    assert (transfer.partner, transfer.counterparty, transfer.customer) == (
        distributor,
        reseller,
        None,
    )
    legs = {
        (p.account.partner_id, p.account.kind): p.amount
        for p in Posting.objects.filter(transfer=transfer).select_related("account")
    }
    assert legs == {
        (distributor.pk, AccountKind.PARTNER_ALLOCATED): D("-500.00"),
        (reseller.pk, AccountKind.PARTNER_RECHARGE): D("500.00"),
    }
    dist = ledger.partner_funds(distributor)
    assert (dist.balance, dist.allocated) == (D("1000.00"), D("500.00"))
    res = reseller_funds(reseller)
    assert (res.balance, res.recharge) == (D("500.00"), D("500.00"))
    assert AuditEvent.objects.filter(action="reseller.allocate", partner=distributor).exists()
    notice = Notification.objects.get(recipient=reseller_admin.user)
    assert notice.category == NotificationCategory.FUNDS
    assert notice.title == "Your distributor allocated 500.00 yuan to you"
    assert ledger.verify_ledger() == []


def test_a_recovery_moves_it_back(dist_finance, distributor, reseller, actor):
    funds.allocate(actor=actor(dist_finance), reseller_pk=reseller.pk, amount="500.00")
    transfer = funds.recover(actor=actor(dist_finance), reseller_pk=reseller.pk, amount="200.00")
    assert (transfer.trade_type, transfer.counterparty) == (TradeType.BERETRIEVE, reseller)
    assert reseller_funds(reseller).balance == D("300.00")
    assert ledger.partner_funds(distributor).balance == D("1200.00")
    assert ledger.verify_ledger() == []


@pytest.mark.parametrize("amount", ["0", "-1", "1.005", "abc", "", "NaN"])
def test_the_amount_is_positive_with_two_decimals(dist_finance, reseller, actor, amount):
    with pytest.raises(InvalidAmount):
        funds.allocate(actor=actor(dist_finance), reseller_pk=reseller.pk, amount=amount)
    assert not Transfer.objects.filter(counterparty=reseller).exists()


def test_an_allocation_cannot_exceed_the_distributors_account_balance(
    dist_finance, reseller, actor
):
    funds.allocate(actor=actor(dist_finance), reseller_pk=reseller.pk, amount="1500.00")
    with pytest.raises(InsufficientBalance) as refused:
        funds.allocate(actor=actor(dist_finance), reseller_pk=reseller.pk, amount="0.01")
    assert refused.value.code == "CBC.99005003"
    assert reseller_funds(reseller).balance == D("1500.00")


def test_a_recovery_cannot_exceed_the_resellers_balance(dist_finance, reseller, actor):
    funds.allocate(actor=actor(dist_finance), reseller_pk=reseller.pk, amount="100.00")
    with pytest.raises(InsufficientBalance, match="100.00"):
        funds.recover(actor=actor(dist_finance), reseller_pk=reseller.pk, amount="100.01")


def test_a_recovery_leaves_what_the_reseller_allocated_to_its_customers(
    dist_finance, reseller, reseller_admin, actor
):
    customer = AssociationFactory(
        partner=reseller, association_type=AssociationType.RESALE
    ).customer
    funds.allocate(actor=actor(dist_finance), reseller_pk=reseller.pk, amount="500.00")
    customer_funds.allocate(actor=actor(reseller_admin), customer_pk=customer.pk, amount="350.00")
    assert funds.spare(reseller_funds(reseller)) == D("150.00")
    with pytest.raises(InsufficientBalance, match="150.00"):
        funds.recover(actor=actor(dist_finance), reseller_pk=reseller.pk, amount="150.01")
    funds.recover(actor=actor(dist_finance), reseller_pk=reseller.pk, amount="150.00")
    assert reseller_funds(reseller).balance == D("0.00")
    assert ledger.customer_account(customer).balance == D("350.00")
    assert ledger.verify_ledger() == []


def test_a_recovery_never_takes_the_resellers_own_credit_line(dist_finance, reseller, actor):
    fund(reseller, credit="1000.00")  # Huawei's credit to the reseller, not the distributor's
    funds.allocate(actor=actor(dist_finance), reseller_pk=reseller.pk, amount="200.00")
    assert reseller_funds(reseller).balance == D("1200.00")
    assert funds.spare(reseller_funds(reseller)) == D("200.00")
    with pytest.raises(InsufficientBalance):
        funds.recover(actor=actor(dist_finance), reseller_pk=reseller.pk, amount="200.01")


def test_the_reseller_allocates_to_its_own_customers_from_its_distributors_money(
    dist_finance, reseller, reseller_admin, actor
):
    customer = AssociationFactory(
        partner=reseller, association_type=AssociationType.RESALE
    ).customer
    with pytest.raises(InsufficientBalance):
        customer_funds.allocate(actor=actor(reseller_admin), customer_pk=customer.pk, amount="1")
    funds.allocate(actor=actor(dist_finance), reseller_pk=reseller.pk, amount="80.00")
    customer_funds.allocate(actor=actor(reseller_admin), customer_pk=customer.pk, amount="80.00")
    with pytest.raises(InsufficientBalance):
        customer_funds.allocate(actor=actor(reseller_admin), customer_pk=customer.pk, amount="1")
    customer_funds.recover(actor=actor(reseller_admin), customer_pk=customer.pk, amount="30.00")
    assert reseller_funds(reseller).balance == D("30.00")


# --- Tenancy ----------------------------------------------------------------------------------


def test_another_distributor_cannot_fund_or_recover_my_reseller(reseller, other_distributor, actor):
    fund(other_distributor, recharge="1000.00")
    other_finance = MembershipFactory(partner=other_distributor, role=Role.FINANCE)
    for service in (funds.allocate, funds.recover):
        with pytest.raises(NotYourReseller) as refused:
            service(actor=actor(other_finance), reseller_pk=reseller.pk, amount="1.00")
        assert refused.value.code == "CBC.99000037"


def test_a_solution_provider_id_is_not_a_reseller(dist_finance, partner, actor):
    with pytest.raises(NotYourReseller):
        funds.allocate(actor=actor(dist_finance), reseller_pk=partner.pk, amount="1.00")


def test_a_sibling_reseller_cannot_touch_another_reseller(
    dist_finance, reseller, sibling_admin, actor
):
    funds.allocate(actor=actor(dist_finance), reseller_pk=reseller.pk, amount="10.00")
    # Resellers hold no reseller permission items at all.
    for service in (funds.allocate, funds.recover):
        with pytest.raises(PermissionRefused):
            service(actor=actor(sibling_admin), reseller_pk=reseller.pk, amount="1.00")


@pytest.mark.parametrize(
    "role,allowed",
    [
        (Role.ADMIN, True),
        (Role.FINANCE, True),
        (Role.SALES, False),
        (Role.VIEWER, False),
        (Role.ACCOUNT_MANAGER, False),
    ],
)
def test_roles_that_may_fund_a_reseller(distributor, reseller, actor, role, allowed):
    fund(distributor, recharge="100.00")
    member = MembershipFactory(partner=distributor, role=role)
    if allowed:
        funds.allocate(actor=actor(member), reseller_pk=reseller.pk, amount="1.00")
        funds.recover(actor=actor(member), reseller_pk=reseller.pk, amount="1.00")
    else:
        with pytest.raises(PermissionRefused):
            funds.allocate(actor=actor(member), reseller_pk=reseller.pk, amount="1.00")
        with pytest.raises(PermissionRefused):
            funds.recover(actor=actor(member), reseller_pk=reseller.pk, amount="1.00")


# --- Idempotency and the exiting state --------------------------------------------------------


def test_a_repeated_request_moves_money_once(dist_finance, reseller, actor):
    first = funds.allocate(
        actor=actor(dist_finance), reseller_pk=reseller.pk, amount="50.00", request_key="k-1"
    )
    again = funds.allocate(
        actor=actor(dist_finance), reseller_pk=reseller.pk, amount="50.00", request_key="k-1"
    )
    assert first.pk == again.pk
    assert reseller_funds(reseller).balance == D("50.00")


def test_an_exiting_reseller_can_be_recovered_from_but_not_funded(
    dist_finance, reseller, distributor, reseller_admin, actor
):
    funds.allocate(actor=actor(dist_finance), reseller_pk=reseller.pk, amount="50.00")
    ResellerApplication.objects.create(
        applicant=reseller_admin.user,
        company_name=reseller.name,
        credit_code="x",
        country_region="CN",
        contact_name="x",
        contact_phone="1",
        contact_email="x@x.test",
        account_name=reseller.account_name,
        distributor=distributor,
        status=ApplicationStatus.EXITING,
        partner=reseller,
    )
    with pytest.raises(ResellerExiting) as refused:
        funds.allocate(actor=actor(dist_finance), reseller_pk=reseller.pk, amount="1.00")
    assert refused.value.code == "CBC.99007490"
    funds.recover(actor=actor(dist_finance), reseller_pk=reseller.pk, amount="50.00")
    assert reseller_funds(reseller).balance == D("0.00")


def test_history_lists_both_directions(dist_finance, reseller, actor):
    funds.allocate(actor=actor(dist_finance), reseller_pk=reseller.pk, amount="50.00")
    funds.recover(actor=actor(dist_finance), reseller_pk=reseller.pk, amount="20.00")
    assert [t.trade_type for t in funds.history(reseller)] == ["BERETRIEVE", "BEADJUST"]


def test_balances_for_a_page_of_resellers_take_one_query(
    dist_finance, reseller, sibling_reseller, actor, django_assert_num_queries
):
    funds.allocate(actor=actor(dist_finance), reseller_pk=reseller.pk, amount="5.00")
    with django_assert_num_queries(1):
        result = funds.funds_of([reseller, sibling_reseller])
    assert result[reseller.pk].balance == D("5.00")
    assert result[sibling_reseller.pk].balance == D("0.00")
