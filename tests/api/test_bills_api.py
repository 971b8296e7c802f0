"""客户消费 over the partner API (partner-api.md §3.5), through Huawei's SDK."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from huaweicloudsdkbss.v2 import (
    ListConsumeSubCustomersReq,
    ListConsumeSubCustomersRequest,
    ListSubCustomerBillDetailRequest,
    ListSubcustomerMonthlyBillsRequest,
)
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException

from billing.models import ConsumptionRecord
from billing.services.bills import cycle_of
from billing.timeutil import start_of_month
from customers.models import AssociationType
from tests.customers.factories import AssociationFactory, CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True)


def last_month(day=10, hour=8):
    """A moment in the previous Beijing-time month: closed, and well inside the 18-month window."""
    first = start_of_month(timezone.localtime())
    return start_of_month(timezone.localtime(first - timedelta(days=1))) + timedelta(
        days=day - 1, hours=hour
    )


def consume(association, spec, *, amount, debt="0", written_off="0", discount="0", when=None):
    when = when or last_month()
    amount, debt, discount = Decimal(amount), Decimal(debt), Decimal(discount)
    return ConsumptionRecord.objects.create(
        customer=association.customer,
        partner=association.partner,
        association_type=association.association_type,
        account_type=1 if association.association_type == AssociationType.RESALE else 0,
        spec=spec,
        service_type_code=spec.product.service_type_code,
        resource_type_code=spec.product.resource_type_code,
        region_code="cn-north-4",
        charging_mode=3,
        bill_detail_type=5,
        trade_id="RT0001",
        consume_time=when,
        bill_cycle=cycle_of(when),
        usage_amount=1,
        official_amount=amount + debt + discount,
        discount_amount=discount,
        payable_amount=amount + debt,
        amount=amount,
        debt_amount=debt,
        adjustment_amount=Decimal(written_off),
    )


@pytest.fixture
def cycle():
    return cycle_of(last_month())


@pytest.fixture
def usage(partner, other_partner, resale, referral, catalogue):
    """Last month's consumption: two of the partner's customers and another partner's one."""
    ecs, eip = catalogue["ecs"], catalogue["eip"]
    theirs = AssociationFactory(partner=other_partner, customer=CustomerFactory(name="别家客户"))
    return {
        "precise": consume(resale, ecs, amount="10.12345678", debt="0.70000001", written_off="0.5"),
        "second": consume(resale, ecs, amount="2.00000002", when=last_month(day=11)),
        "eip": consume(resale, eip, amount="0.25", when=last_month(day=12)),
        "referral": consume(referral, ecs, amount="3.3", when=last_month(day=13)),
        "theirs": consume(theirs, ecs, amount="99", when=last_month(day=14)),
    }


def fee_records(client, **kw):
    return client.list_sub_customer_bill_detail(ListSubCustomerBillDetailRequest(**kw))


def error_of(call):
    with pytest.raises(ClientRequestException) as e:
        call()
    return e.value


# --- list_sub_customer_bill_detail ---------------------------------------------------------------


def test_fee_records_come_back_exact_and_typed_as_the_sdk_expects(
    sdk, finance_member, usage, resale, cycle
):
    response = fee_records(sdk(finance_member), bill_cycle=cycle, limit=2)
    assert response.total_count == 4 and len(response.fee_records) == 2
    assert response.currency == "CNY"
    everything = fee_records(sdk(finance_member), bill_cycle=cycle, limit=10)
    precise = next(r for r in everything.fee_records if r.id == usage["precise"].record_id)
    # On the wire: JSON numbers written digit for digit, never strings or rounded floats.
    assert b'"debt_amount": 0.70000001' in everything.raw_content
    assert b'"association_type": "2"' in everything.raw_content
    assert precise.official_amount == Decimal("10.82345679")
    assert isinstance(precise.payment_amount, Decimal)
    assert precise.payment_amount == Decimal("10.82345679")
    assert precise.cash_amount == Decimal("10.12345678")
    assert precise.debt_amount == Decimal("0.70000001")
    assert precise.writeoff_amount == Decimal("0.5")
    assert precise.association_type == "2" and precise.charging_mode == 3
    assert precise.bill_detail_type == 5 and precise.period_type == 25
    assert precise.customer_id == resale.customer.customer_id
    assert precise.partner_id == resale.partner.domain_id
    assert precise.bill_cycle == cycle
    assert precise.consume_time.endswith("Z") and precise.trade_time.endswith("Z")
    assert precise.product_id == "ecs-s6.large.2"


def test_another_partners_consumption_never_appears(sdk, finance_member, usage, cycle):
    records = fee_records(sdk(finance_member), bill_cycle=cycle, limit=100).fee_records
    ids = {r.id for r in records}
    assert usage["theirs"].record_id not in ids
    assert ids == {usage[k].record_id for k in ("precise", "second", "eip", "referral")}
    # Asking for their customer by id finds nothing either.
    theirs = usage["theirs"].customer.customer_id
    found = fee_records(sdk(finance_member), bill_cycle=cycle, customer_id=theirs)
    assert found.total_count == 0 and found.fee_records == []


def test_pages_follow_each_other_without_overlap(sdk, finance_member, usage, cycle):
    client = sdk(finance_member)
    pages = [fee_records(client, bill_cycle=cycle, offset=o, limit=3) for o in (0, 3, 6)]
    assert [p.total_count for p in pages] == [4, 4, 4]
    assert [len(p.fee_records) for p in pages] == [3, 1, 0]
    ids = [r.id for p in pages for r in p.fee_records]
    assert len(set(ids)) == 4


def test_the_filters_narrow_the_records(sdk, finance_member, usage, referral, cycle, catalogue):
    client = sdk(finance_member)
    consulting = fee_records(client, bill_cycle=cycle, association_type="1")
    assert [r.id for r in consulting.fee_records] == [usage["referral"].record_id]
    eip = fee_records(
        client, bill_cycle=cycle, service_type_code=catalogue["eip"].product.service_type_code
    )
    assert [r.id for r in eip.fee_records] == [usage["eip"].record_id]
    day = last_month(day=11).date().isoformat()
    one_day = fee_records(client, bill_cycle=cycle, bill_date_begin=day, bill_date_end=day)
    assert [r.id for r in one_day.fee_records] == [usage["second"].record_id]
    assert fee_records(client, bill_cycle=cycle, charging_mode=1).total_count == 0


@pytest.mark.parametrize(
    "params",
    [
        {},  # bill_cycle is required
        {"bill_cycle": "2026-13"},
        {"bill_cycle": "202601"},
        {"limit": 0},
        {"limit": 101},
        {"offset": -1},
        {"association_type": ""},
        {"association_type": "3"},
    ],
)
def test_bad_parameters_are_parameter_errors(sdk, finance_member, cycle, params):
    if "bill_cycle" not in params and params:
        params = {"bill_cycle": cycle, **params}
    error = error_of(lambda: fee_records(sdk(finance_member), **params))
    assert (error.status_code, error.error_code) == (400, "CBC.0100")
    assert error.error_msg.startswith("Parameter error") and error.request_id


@pytest.mark.parametrize(
    "days",
    [
        {"bill_date_begin": "first"},  # begin without end
        {"bill_date_end": "first"},
        {"bill_date_begin": "second", "bill_date_end": "first"},  # begin after end
        {"bill_date_begin": "other-month", "bill_date_end": "first"},
    ],
)
def test_the_bill_date_range_must_be_whole_and_inside_the_month(sdk, finance_member, cycle, days):
    first = last_month(day=1).date()
    values = {
        "first": first.isoformat(),
        "second": (first + timedelta(days=1)).isoformat(),
        "other-month": (first - timedelta(days=1)).isoformat(),
    }
    params = {k: values[v] for k, v in days.items()}
    error = error_of(lambda: fee_records(sdk(finance_member), bill_cycle=cycle, **params))
    assert (error.status_code, error.error_code) == (400, "CBC.0100")
    assert "bill_date" in error.error_msg


def test_an_account_managers_key_sees_only_its_customers_since_assignment(
    sdk, partner, am_member, resale, usage, cycle, catalogue
):
    since = last_month(day=11)
    resale.account_manager = am_member
    resale.account_manager_since = since
    resale.save(update_fields=["account_manager", "account_manager_since"])
    records = fee_records(sdk(am_member), bill_cycle=cycle, limit=100).fee_records
    # The referral customer is not theirs, and the 10th's record predates the assignment.
    assert {r.id for r in records} == {usage["second"].record_id, usage["eip"].record_id}
    assert {r.account_manager_id for r in records} == {am_member.user.account_name}
    by_manager = fee_records(
        sdk(am_member), bill_cycle=cycle, account_manager_id=am_member.user.account_name
    )
    assert by_manager.total_count == 2


def test_a_distributor_reads_its_resellers_customers_only_when_it_names_the_reseller(
    sdk, distributor_admin, reseller, catalogue, cycle
):
    theirs = AssociationFactory(partner=reseller)
    record = consume(theirs, catalogue["ecs"], amount="1.00000001")
    client = sdk(distributor_admin)
    assert fee_records(client, bill_cycle=cycle).total_count == 0
    acting = fee_records(client, bill_cycle=cycle, indirect_partner_id=reseller.domain_id)
    assert [r.id for r in acting.fee_records] == [record.record_id]
    error = error_of(lambda: fee_records(client, bill_cycle=cycle, indirect_partner_id="nobody"))
    assert (error.status_code, error.error_code) == (400, "CBC.99000037")


def test_product_names_follow_x_language(sdk, finance_member, usage, cycle):
    client = sdk(finance_member)
    zh = fee_records(client, bill_cycle=cycle, trade_id="RT0001", x_language="zh_cn")
    en = fee_records(client, bill_cycle=cycle, trade_id="RT0001", x_language="en_us")
    assert "弹性云服务器 ECS" in {r.service_type_name for r in zh.fee_records}
    assert "Elastic Cloud Server (ECS)" in {r.service_type_name for r in en.fee_records}


# --- list_consume_sub_customers ------------------------------------------------------------------


def consumers(client, **kw):
    return client.list_consume_sub_customers(
        ListConsumeSubCustomersRequest(body=ListConsumeSubCustomersReq(**kw))
    )


def test_the_customers_with_consumption_in_a_month(
    sdk, finance_member, usage, resale, referral, cycle
):
    client = sdk(finance_member)
    everyone = consumers(client, bill_cycle=cycle)
    assert everyone.total_count == 2
    assert {c.customer_id for c in everyone.sub_customers} == {
        resale.customer.customer_id,
        referral.customer.customer_id,
    }
    first = consumers(client, bill_cycle=cycle, offset=0, limit=1)
    second = consumers(client, bill_cycle=cycle, offset=1, limit=1)
    assert first.total_count == second.total_count == 2
    assert first.sub_customers[0].customer_id != second.sub_customers[0].customer_id
    nothing = consumers(client, bill_cycle=cycle_of(timezone.now() + timedelta(days=40)))
    assert nothing.total_count == 0 and nothing.sub_customers == []


@pytest.mark.parametrize("body", [{}, {"bill_cycle": "2026-1"}, {"limit": 101}, {"limit": 0}])
def test_consumers_need_a_month_and_a_sane_page(sdk, finance_member, cycle, body):
    if body and "bill_cycle" not in body:
        body = {"bill_cycle": cycle, **body}
    error = error_of(lambda: consumers(sdk(finance_member), **body))
    assert (error.status_code, error.error_code) == (400, "CBC.0100")


# --- list_subcustomer_monthly_bills --------------------------------------------------------------


def monthly(client, **kw):
    return client.list_subcustomer_monthly_bills(ListSubcustomerMonthlyBillsRequest(**kw))


def test_the_monthly_summary_sums_per_customer_product_and_mode(
    sdk, finance_member, usage, resale, cycle, catalogue
):
    response = monthly(sdk(finance_member), cycle=cycle, customer_id=resale.customer.customer_id)
    assert response.count == 2 and response.currency == "CNY"
    ecs = next(
        s
        for s in response.bill_sums
        if s.cloud_service_type == catalogue["ecs"].product.service_type_code
    )
    assert ecs.amount == Decimal("12.12345680")
    assert ecs.debt_amount == Decimal("0.70000001")
    assert ecs.adjustment_amount == Decimal("0.5")
    assert isinstance(ecs.adjustment_amount, Decimal) and isinstance(ecs.debt_amount, Decimal)
    assert (ecs.bill_type, ecs.charge_mode, ecs.measure_id) == ("0", "3", 1)
    assert ecs.customer_id == resale.customer.customer_id
    assert ecs.resource_type_code == "hws.resource.type.vm"
    [detail] = ecs.account_details
    assert (detail.balance_type, detail.amount, detail.bill_type) == (
        "BALANCE_TYPE_DEBIT",
        Decimal("12.12345680"),
        "0",
    )


def test_the_monthly_summary_counts_rows_not_the_page(sdk, finance_member, usage, cycle):
    client = sdk(finance_member)
    page = monthly(client, cycle=cycle, limit=1)
    assert page.count == 3 and len(page.bill_sums) == 1
    customers = {s.customer_id for s in monthly(client, cycle=cycle, limit=10).bill_sums}
    assert usage["theirs"].customer.customer_id not in customers
    # Unsubscriptions and Huawei write-offs are not charges here.
    assert monthly(client, cycle=cycle, bill_type="2").count == 0
    assert monthly(client, cycle=cycle, bill_type="0").count == 3
    assert monthly(client, cycle=cycle, charge_mode="1").count == 0


@pytest.mark.parametrize(
    "params", [{}, {"cycle": "2026/01"}, {"limit": 101}, {"charge_mode": "2"}, {"bill_type": "9"}]
)
def test_the_monthly_summary_needs_a_cycle_and_valid_codes(sdk, finance_member, cycle, params):
    if params and "cycle" not in params:
        params = {"cycle": cycle, **params}
    error = error_of(lambda: monthly(sdk(finance_member), **params))
    assert (error.status_code, error.error_code) == (400, "CBC.0100")


@pytest.mark.parametrize("n", [1, 30])
def test_fee_records_take_a_fixed_number_of_queries(
    django_assert_max_num_queries, finance_member, resale, catalogue, cycle, n
):
    from billing.api.bills import BillDetailQuery, fee_record_as_api, fee_records
    from billing.views.bills import product_names

    for _i in range(n):
        consume(resale, catalogue["ecs"], amount="1")
    with django_assert_max_num_queries(3):
        names = product_names()
        rows = list(fee_records(finance_member, BillDetailQuery(bill_cycle=cycle, limit=100)))
        assert len([fee_record_as_api(r, names) for r in rows]) == n


def test_an_account_manager_sums_only_its_customers(sdk, am_member, resale, usage, cycle):
    resale.account_manager = am_member
    resale.account_manager_since = last_month(day=1, hour=0)
    resale.save(update_fields=["account_manager", "account_manager_since"])
    sums = monthly(sdk(am_member), cycle=cycle).bill_sums
    assert {s.customer_id for s in sums} == {resale.customer.customer_id}
