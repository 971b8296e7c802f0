from decimal import Decimal

import pytest
from huaweicloudsdkbss.v2 import (
    AdjustAccountReq,
    ListPartnerBalancesRequest,
    UpdateCustomerAccountAmountRequest,
)
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException

from tests.billing.conftest import balance_of, fund

pytestmark = pytest.mark.django_db(transaction=True)


def test_balances_and_an_allocation_round_trip(sdk, finance_member, partner, resale):
    fund(partner, recharge="1000.00", credit="500.00")
    client = sdk(finance_member)
    balances = client.list_partner_balances(ListPartnerBalancesRequest()).account_balances
    cash = next(b for b in balances if b.account_type == 1)
    assert cash.amount == 1500.0 and cash.currency == "CNY"
    response = client.update_customer_account_amount(
        UpdateCustomerAccountAmountRequest(
            body=AdjustAccountReq(customer_id=resale.customer.customer_id, amount=Decimal("100.50"))
        )
    )
    assert response.transfer_id.startswith("RE")
    assert balance_of(resale.customer) == Decimal("100.50")


def test_a_bad_amount_is_a_parameter_error(sdk, finance_member, resale):
    client = sdk(finance_member)
    with pytest.raises(ClientRequestException) as e:
        client.update_customer_account_amount(
            UpdateCustomerAccountAmountRequest(
                body=AdjustAccountReq(
                    customer_id=resale.customer.customer_id, amount=Decimal("1.005")
                )
            )
        )
    assert e.value.status_code == 400
    assert e.value.error_code == "CBC.0100"
    assert e.value.request_id


# --- rules the pages share ------------------------------------------------------------------------

from django.urls import reverse  # noqa: E402
from huaweicloudsdkbss.v2 import (  # noqa: E402
    CustomerInfoV2,
    ListCustomersBalancesDetailRequest,
    ListPartnerAccountChangeRecordsRequest,
    ListPartnerAdjustRecordsRequest,
    QueryCustomersBalancesReq,
    ReclaimToPartnerAccountBalancesReq,
    ReclaimToPartnerAccountRequest,
    ShowCustomerAccountBalancesRequest,
)

from billing import ledger  # noqa: E402
from customers.models import AssociationType  # noqa: E402
from partnercenter.models import Role  # noqa: E402
from tests.customers.factories import (  # noqa: E402
    AssociationFactory,
    CustomerFactory,
    customer_login,
)
from tests.factories import MembershipFactory, UserFactory  # noqa: E402


def _allocate(client, customer_id, amount):
    return client.update_customer_account_amount(
        UpdateCustomerAccountAmountRequest(
            body=AdjustAccountReq(customer_id=customer_id, amount=Decimal(amount))
        )
    )


def _error(call):
    with pytest.raises(ClientRequestException) as e:
        call()
    return e.value.status_code, e.value.error_code


def test_an_sdk_allocation_shows_on_the_adjustment_records_page(
    sdk, client, finance_member, partner, resale
):
    fund(partner, recharge="500.00")
    transfer_id = _allocate(sdk(finance_member), resale.customer.customer_id, "88.00").transfer_id
    client.force_login(finance_member.user)
    page = client.get(reverse("billing:adjustments")).content.decode()
    assert transfer_id in page
    records = sdk(finance_member).list_partner_adjust_records(
        ListPartnerAdjustRecordsRequest(trans_id=transfer_id)
    )
    assert records.total_count == 1
    record = records.records[0]
    assert record.trans_id == transfer_id
    assert record.amount == "88.00"  # a str in the SDK: two decimals, never 88.0
    assert record.operation_type == "SOURCE_OPERATION_BEADJUST"
    assert record.customer_id == resale.customer.customer_id


def test_recovery_round_trips_and_is_capped_by_the_customer_balance(
    sdk, finance_member, partner, resale
):
    fund(partner, recharge="500.00")
    client = sdk(finance_member)
    _allocate(client, resale.customer.customer_id, "100.00")

    def reclaim(amount):
        return client.reclaim_to_partner_account(
            ReclaimToPartnerAccountRequest(
                body=ReclaimToPartnerAccountBalancesReq(
                    customer_id=resale.customer.customer_id, amount=Decimal(amount)
                )
            )
        )

    assert _error(lambda: reclaim("100.01")) == (400, "CBC.99005003")
    assert reclaim("40.00").trans_id.startswith("RE")
    assert balance_of(resale.customer) == Decimal("60.00")
    assert ledger.partner_funds(partner).balance == Decimal("440.00")


def test_money_rules_answer_with_their_codes(
    sdk, finance_member, partner, resale, referral, other_partner
):
    fund(partner, recharge="50.00")
    client = sdk(finance_member)
    stranger = AssociationFactory(partner=other_partner, association_type=AssociationType.RESALE)
    assert _error(lambda: _allocate(client, resale.customer.customer_id, "50.01")) == (
        400,
        "CBC.99005003",
    )
    assert _error(lambda: _allocate(client, stranger.customer.customer_id, "1")) == (
        400,
        "CBC.99000035",
    )
    assert _error(lambda: _allocate(client, referral.customer.customer_id, "1")) == (
        400,
        "CBC.99000035",
    )
    assert _error(lambda: _allocate(client, "no-such-customer", "1")) == (400, "CBC.99000035")
    assert _error(lambda: _allocate(client, resale.customer.customer_id, "0")) == (400, "CBC.0100")
    assert balance_of(stranger.customer) == 0 and balance_of(resale.customer) == 0


def test_roles_apply_to_keys(sdk, partner, resale, viewer_member, am_member):
    fund(partner, recharge="50.00")
    for member in (viewer_member, am_member):
        assert _error(lambda m=member: _allocate(sdk(m), resale.customer.customer_id, "1")) == (
            403,
            "CBC.0151",
        )
    # An account manager's key sees only the customers assigned to them.
    query = ListCustomersBalancesDetailRequest(
        body=QueryCustomersBalancesReq(
            customer_infos=[CustomerInfoV2(customer_id=resale.customer.customer_id)]
        )
    )
    assert sdk(am_member).list_customers_balances_detail(query).customer_balances == []
    resale.account_manager = am_member
    resale.save(update_fields=["account_manager"])
    assert len(sdk(am_member).list_customers_balances_detail(query).customer_balances) == 1


def test_the_ledger_shows_allocations_as_expenditure_with_the_balance_after(
    sdk, finance_member, partner, resale
):
    fund(partner, recharge="300.00", credit="200.00")
    client = sdk(finance_member)
    _allocate(client, resale.customer.customer_id, "120.00")
    page = client.list_partner_account_change_records(
        ListPartnerAccountChangeRecordsRequest(balance_type="BALANCE_TYPE_DEBIT", limit=1)
    )
    assert page.total_count == 2  # the recharge and the allocation; the page holds one
    (latest,) = page.records
    assert latest.trade_detail_type == "SOURCE_OPERATION_BEADJUST"
    assert (latest.type, latest.change_amount, latest.balance_after_change) == (
        "2",
        "120.00",
        "380.00",
    )
    assert latest.customer_id == resale.customer.customer_id
    credit = client.list_partner_account_change_records(
        ListPartnerAccountChangeRecordsRequest(balance_type="BALANCE_TYPE_CREDIT")
    )
    assert [r.balance_after_change for r in credit.records] == ["200.00"]
    assert _error(
        lambda: client.list_partner_account_change_records(
            ListPartnerAccountChangeRecordsRequest(trade_time_begin="2026/01/01")
        )
    ) == (400, "CBC.0100")


def test_batch_balances_drop_customers_that_are_not_ours_or_not_resale(
    sdk, finance_member, partner, resale, referral, other_partner
):
    fund(partner, recharge="50.00")
    client = sdk(finance_member)
    _allocate(client, resale.customer.customer_id, "12.34")
    stranger = AssociationFactory(partner=other_partner, association_type=AssociationType.RESALE)
    ids = [
        resale.customer.customer_id,
        referral.customer.customer_id,
        stranger.customer.customer_id,
    ]
    out = client.list_customers_balances_detail(
        ListCustomersBalancesDetailRequest(
            body=QueryCustomersBalancesReq(
                customer_infos=[CustomerInfoV2(customer_id=i) for i in ids]
            )
        )
    ).customer_balances
    assert [(b.customer_id, b.amount, b.debt_amount) for b in out] == [
        (resale.customer.customer_id, Decimal("12.34"), Decimal("0"))
    ]


def test_a_customer_reads_its_own_balance_with_its_own_key(sdk, finance_member, partner, resale):
    fund(partner, recharge="50.00")
    _allocate(sdk(finance_member), resale.customer.customer_id, "7.50")
    user = customer_login(resale.customer, "owner@customer.test")
    mine = sdk(user, customer=resale.customer).show_customer_account_balances(
        ShowCustomerAccountBalancesRequest()
    )
    assert mine.account_balances[0].amount == Decimal("7.50")
    assert mine.debt_amount == Decimal("0") and mine.currency == "CNY"
    # A partner key is not a customer's: the customer API refuses it.
    assert _error(
        lambda: sdk(finance_member).show_customer_account_balances(
            ShowCustomerAccountBalancesRequest()
        )
    ) == (403, "CBC.0151")
    # …and a customer key is not a partner's.
    assert _error(
        lambda: sdk(user, customer=resale.customer).list_partner_balances(
            ListPartnerBalancesRequest()
        )
    ) == (403, "CBC.0151")


def test_a_distributor_reads_its_resellers_books_but_no_one_elses(
    sdk, distributor_admin, reseller, db
):
    from partnercenter.models import PartnerKind
    from tests.factories import PartnerFactory

    fund(reseller, recharge="70.00")
    other = PartnerFactory(kind=PartnerKind.RESELLER)
    client = sdk(distributor_admin)
    balances = client.list_partner_balances(
        ListPartnerBalancesRequest(indirect_partner_id=reseller.domain_id)
    ).account_balances
    assert next(b for b in balances if b.account_type == 1).amount == 70.0
    assert _error(
        lambda: client.list_partner_balances(
            ListPartnerBalancesRequest(indirect_partner_id=other.domain_id)
        )
    ) == (400, "CBC.99000037")
    # For a solution provider the field means nothing and is ignored.
    sp = MembershipFactory(role=Role.FINANCE, user=UserFactory(email="fin@sp.test"))
    assert (
        sdk(sp)
        .list_partner_balances(ListPartnerBalancesRequest(indirect_partner_id=reseller.domain_id))
        .account_balances[0]
        .amount
        == 0.0
    )
    assert CustomerFactory  # keeps the import used when the list above changes
