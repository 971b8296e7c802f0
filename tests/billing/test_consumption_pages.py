import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone

from billing.models import ConsumptionRecord, ProductSpec, Resource
from billing.services import orders as svc
from billing.services.orders import bill_cycle
from partnercenter.models import ExportJob
from tests.customers.factories import AssociationFactory

from .orders_fixtures import PREPAID

pytestmark = pytest.mark.django_db


def record(customer, partner, when, amount="10.00", association_type=2, debt="0"):
    from billing.catalogue import ensure_catalogue

    ensure_catalogue()
    spec = ProductSpec.objects.get(spec_code="s6.large.2")
    return ConsumptionRecord.objects.create(
        customer=customer,
        partner=partner,
        association_type=association_type,
        account_type=1 if association_type == 2 else 0,
        spec=spec,
        service_type_code=spec.product.service_type_code,
        resource_type_code=spec.product.resource_type_code,
        region_code="cn-north-4",
        charging_mode=3,
        bill_detail_type=5,
        trade_id="T" + when.strftime("%y%m%d%H"),
        consume_time=when,
        bill_cycle=bill_cycle(when),
        official_amount=Decimal(amount),
        payable_amount=Decimal(amount),
        amount=Decimal(amount) - Decimal(debt),
        debt_amount=Decimal(debt),
    )


def test_the_page_says_it_is_not_a_bill_and_shows_both_types(
    client, admin_member, resale, referral
):
    now = timezone.now()
    record(resale.customer, admin_member.partner, now, "12.34")
    record(referral.customer, admin_member.partner, now, "5.00", association_type=1)
    client.force_login(admin_member.user)
    page = client.get(reverse("billing:consumption")).content.decode()
    assert "客户消费并非伙伴的账单,不能作为伙伴与华为云结算、还款与开票的依据。" in page
    assert "12.34" in page and "5.00" in page and "代售" in page and "顾问销售" in page
    details = client.get(reverse("billing:consumption"), {"tab": "details"}).content.decode()
    assert details.count("<tr>") - 1 == 2


def test_it_looks_back_at_most_eighteen_months(client, admin_member, resale):
    now = timezone.localtime()
    record(resale.customer, admin_member.partner, now - relativedelta(months=17), "1.00")
    record(resale.customer, admin_member.partner, now - relativedelta(months=19), "99.00")
    client.force_login(admin_member.user)
    page = client.get(reverse("billing:consumption"), {"tab": "details"}).content.decode()
    assert "1.00" in page and "99.00" not in page
    old = (now - relativedelta(months=19)).strftime("%Y-%m")
    refused = client.get(reverse("billing:consumption"), {"month": old}).content.decode()
    assert "最多查询18个月" in refused


def test_an_account_manager_sees_own_customers_from_the_assignment_date(client, am_member, partner):
    mine = AssociationFactory(
        partner=partner,
        account_manager=am_member,
        account_manager_since=timezone.now() - timedelta(days=2),
    )
    other = AssociationFactory(partner=partner)
    record(
        mine.customer, partner, timezone.now() - timedelta(days=5), "7.77"
    )  # before the assignment
    record(mine.customer, partner, timezone.now() - timedelta(days=1), "8.88")
    record(other.customer, partner, timezone.now(), "9.99")
    client.force_login(am_member.user)
    page = client.get(reverse("billing:consumption"), {"tab": "details"}).content.decode()
    assert "8.88" in page and "7.77" not in page and "9.99" not in page


def test_another_partners_consumption_and_orders_are_invisible(
    client, admin_member, other_partner, catalogue
):
    theirs = AssociationFactory(partner=other_partner)
    record(theirs.customer, other_partner, timezone.now(), "66.66")
    client.force_login(admin_member.user)
    assert (
        "66.66"
        not in client.get(reverse("billing:consumption"), {"tab": "details"}).content.decode()
    )


def test_the_consumption_export_has_the_filtered_rows_masked(
    client, admin_member, resale, referral, django_capture_on_commit_callbacks
):
    record(resale.customer, admin_member.partner, timezone.now(), "3.00")
    record(referral.customer, admin_member.partner, timezone.now(), "4.00", association_type=1)
    client.force_login(admin_member.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("export_start", args=["consumption"]),
            {"query": "association_type=2", "mode": "current"},
        )
    job = ExportJob.objects.get()
    with job.csv_file.open("rb") as f:
        rows = list(csv.reader(io.StringIO(f.read().decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][2] == "代***甲" and rows[1][10] == "3.00000000"


def test_customer_orders_page_filters_details_and_tenancy(
    client, finance_member, shop, catalogue, other_partner
):
    a = svc.place_order(actor=shop, spec_id=catalogue["ecs"].pk, charging_mode=PREPAID)
    b = svc.place_order(actor=shop, spec_id=catalogue["eip"].pk, charging_mode=PREPAID)
    svc.pay_order(actor=shop, order_id=b.order_id)
    client.force_login(finance_member.user)
    page = client.get(reverse("billing:orders")).content.decode()
    assert a.order_id in page and b.order_id in page
    pending = client.get(
        reverse("billing:orders"), {"status": 6}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert a.order_id in pending and b.order_id not in pending
    by_id = client.get(
        reverse("billing:orders"), {"order_id": b.order_id.lower()}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert b.order_id in by_id and a.order_id not in by_id
    assert client.get(reverse("billing:order", args=[b.order_id])).status_code == 200
    from tests.factories import MembershipFactory

    stranger = MembershipFactory(partner=other_partner, role="admin")
    client.force_login(stranger.user)
    assert client.get(reverse("billing:order", args=[b.order_id])).status_code == 404
    assert b.order_id not in client.get(reverse("billing:orders")).content.decode()


def test_the_customer_list_shows_this_months_consumption_and_arrears(client, admin_member, resale):
    record(resale.customer, admin_member.partner, timezone.now(), "20.00", debt="5.00")
    client.force_login(admin_member.user)
    page = client.get(reverse("customers:list")).content.decode()
    assert '<td class="pc-num" data-testid="month-consumption">20.00' in page
    assert 'data-testid="arrears"' in page


def test_the_detail_overview_counts_resources_due(client, admin_member, shop, catalogue, resale):
    order = svc.place_order(actor=shop, spec_id=catalogue["ecs"].pk, charging_mode=PREPAID)
    svc.pay_order(actor=shop, order_id=order.order_id)
    Resource.objects.filter(order=order).update(expires_at=timezone.now() + timedelta(days=10))
    client.force_login(admin_member.user)
    page = client.get(reverse("customers:detail", args=[resale.customer_id])).content.decode()
    assert (
        'data-testid="due-7">0<' in page
        and 'data-testid="due-15">1<' in page
        and 'data-testid="due-30">1<' in page
    )
    resources = client.get(
        reverse("customers:detail", args=[resale.customer_id]), {"tab": "resources"}
    ).content.decode()
    assert catalogue["ecs"].description_zh in resources


@pytest.mark.parametrize("n", [1, 50])
def test_order_and_consumption_pages_keep_a_fixed_number_of_queries(
    client, admin_member, resale, django_assert_max_num_queries, n
):
    for i in range(n):
        record(resale.customer, admin_member.partner, timezone.now() - timedelta(hours=i), "1.00")
    client.force_login(admin_member.user)
    for url in (
        reverse("billing:consumption") + "?tab=details",
        reverse("billing:consumption"),
        reverse("billing:orders"),
    ):
        with django_assert_max_num_queries(15):
            assert client.get(url).status_code == 200
