"""伙伴账单: generation from 代售 consumption (idempotent), settlement, the page, print and export."""

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

import billing.finance_hooks  # noqa: F401  (wired from BillingConfig.ready once imported there)
from billing import ledger
from billing.errors import InsufficientBalance
from billing.models import (
    AccountKind,
    ConsumptionRecord,
    PartnerBill,
    PartnerBillLine,
    Product,
    ProductSpec,
    TradeType,
    Transfer,
)
from billing.services import funds
from billing.services.bills import generate_bills, previous_cycle, settle_bill
from billing.tasks import generate_partner_bills
from customers.models import AssociationType
from partnercenter.actor import Actor
from partnercenter.errors import DomainError, InvalidTransition, PermissionRefused
from partnercenter.models import AuditEvent, ExportJob, Notification, Role
from tests.customers.factories import AssociationFactory, CustomerFactory
from tests.factories import MembershipFactory

from .conftest import fund

pytestmark = pytest.mark.django_db

CYCLE = "2026-03"
ECS_TYPE = "hws.service.type.ec2"
EVS_TYPE = "hws.service.type.ebs"


def beijing(*args):
    return timezone.make_aware(datetime(*args))


def make_spec(code, service_type_code, resource_type_code, name_zh, name_en):
    """A product and one spec of our own; the catalogue's seeded rows are reused when present."""
    product, _created = Product.objects.get_or_create(
        code=code,
        defaults={
            "service_type_code": service_type_code,
            "resource_type_code": resource_type_code,
            "name_zh": name_zh,
            "name_en": name_en,
        },
    )
    spec, _created = ProductSpec.objects.get_or_create(
        product=product,
        spec_code="test.spec",
        defaults={
            "description_zh": "测试规格",
            "description_en": "Test spec",
            "monthly_price": Decimal("60.00"),
            "hourly_price": Decimal("0.10"),
        },
    )
    return spec


@pytest.fixture
def specs(db):
    return {
        "ecs": make_spec("ECS", ECS_TYPE, "hws.resource.type.vm", "弹性云服务器", "ECS"),
        "evs": make_spec("EVS", EVS_TYPE, "hws.resource.type.volume", "云硬盘", "EVS"),
    }


def consume(
    association,
    spec,
    *,
    amount,
    official=None,
    discount="0",
    debt="0",
    cycle=CYCLE,
    mode=3,
    association_type=None,
    when=None,
):
    """One consumption record as the rating task writes it (payable = deducted + arrears)."""
    amount, debt, discount = Decimal(amount), Decimal(debt), Decimal(discount)
    payable = amount + debt
    year, month = (int(x) for x in cycle.split("-"))
    return ConsumptionRecord.objects.create(
        customer=association.customer,
        partner=association.partner,
        association_type=association_type or association.association_type,
        account_type=1,
        spec=spec,
        service_type_code=spec.product.service_type_code,
        resource_type_code=spec.product.resource_type_code,
        region_code="cn-north-4",
        charging_mode=mode,
        bill_detail_type=5 if mode == 3 else 1,
        trade_id="T" + cycle.replace("-", ""),
        consume_time=when or beijing(year, month, 10, 8),
        bill_cycle=cycle,
        official_amount=Decimal(official) if official is not None else payable + discount,
        discount_amount=discount,
        payable_amount=payable,
        amount=amount,
        debt_amount=debt,
    )


def deduct(association, amount):
    """The customer's balance paying for consumption (the rating side's DEDUCT transfer)."""
    from django.db import transaction

    with transaction.atomic():
        ledger.post_transfer(
            trade_type=TradeType.DEDUCT,
            legs=[
                (ledger.customer_account(association.customer), -Decimal(amount)),
                (ledger.platform_account(AccountKind.PLATFORM_REVENUE), Decimal(amount)),
            ],
            actor=Actor(user=None, via="task"),
            amount=Decimal(amount),
            customer=association.customer,
        )


@pytest.fixture
def resale_a(partner):
    return AssociationFactory(
        partner=partner,
        association_type=AssociationType.RESALE,
        customer=CustomerFactory(name="代售客户甲"),
    )


@pytest.fixture
def resale_b(partner):
    return AssociationFactory(
        partner=partner,
        association_type=AssociationType.RESALE,
        customer=CustomerFactory(name="代售客户乙"),
    )


@pytest.fixture
def march(partner, resale_a, resale_b, specs):
    """March consumption of two 代售 customers, plus records that must stay off the bill."""
    consume(resale_a, specs["ecs"], amount="10.12345678", discount="1.5")
    consume(resale_a, specs["ecs"], amount="5.00000000", discount="0.5")
    consume(resale_a, specs["ecs"], amount="60.00", mode=1)
    consume(resale_a, specs["evs"], amount="3.30", debt="0.70")
    consume(resale_b, specs["ecs"], amount="20.00")
    # Not on the bill: another month, a 顾问销售 record, another partner's customer.
    consume(resale_a, specs["ecs"], amount="99.00", cycle="2026-02")
    referral = AssociationFactory(partner=partner, association_type=AssociationType.REFERRAL)
    consume(referral, specs["ecs"], amount="77.00")
    return resale_a, resale_b


def the_bill(partner, cycle=CYCLE):
    return PartnerBill.objects.get(partner=partner, bill_cycle=cycle)


def snapshot(bill):
    bill.refresh_from_db()
    lines = [
        (
            x.pk,
            x.customer_id,
            x.service_type_code,
            x.charging_mode,
            x.official_amount,
            x.discount_amount,
            x.payable_amount,
            x.consumed_amount,
            x.debt_amount,
            x.records,
        )
        for x in bill.lines.order_by("pk")
    ]
    totals = (
        bill.official_amount,
        bill.discount_amount,
        bill.payable_amount,
        bill.consumed_amount,
        bill.debt_amount,
        bill.generated_at,
    )
    return bill.pk, totals, lines


# --- Generation -----------------------------------------------------------------------------


def test_a_bill_has_one_line_per_customer_product_type_and_billing_mode(partner, march, specs):
    resale_a, resale_b = march
    results = generate_bills(CYCLE)
    assert [r.outcome for r in results] == ["created"]
    bill = the_bill(partner)
    lines = {(x.customer_id, x.service_type_code, x.charging_mode): x for x in bill.lines.all()}
    assert set(lines) == {
        (resale_a.customer_id, ECS_TYPE, 3),
        (resale_a.customer_id, ECS_TYPE, 1),
        (resale_a.customer_id, EVS_TYPE, 3),
        (resale_b.customer_id, ECS_TYPE, 3),
    }
    on_demand = lines[(resale_a.customer_id, ECS_TYPE, 3)]
    assert on_demand.records == 2
    assert on_demand.consumed_amount == Decimal("15.12345678")
    assert on_demand.discount_amount == Decimal("2.00000000")
    assert on_demand.official_amount == Decimal("17.12345678")
    disk = lines[(resale_a.customer_id, EVS_TYPE, 3)]
    assert (disk.consumed_amount, disk.debt_amount, disk.payable_amount) == (
        Decimal("3.30"),
        Decimal("0.70"),
        Decimal("4.00"),
    )
    assert bill.consumed_amount == Decimal("15.12345678") + 60 + Decimal("3.30") + 20
    assert bill.debt_amount == Decimal("0.70")
    assert bill.payable_amount == bill.consumed_amount + bill.debt_amount
    assert bill.status == "unsettled"


def test_generating_twice_gives_the_same_bill(partner, march):
    generate_bills(CYCLE)
    first = snapshot(the_bill(partner))
    results = generate_bills(CYCLE)
    assert [r.outcome for r in results] == ["unchanged"]
    assert snapshot(the_bill(partner)) == first  # same row, same totals, same line rows
    assert PartnerBill.objects.count() == 1
    assert AuditEvent.objects.filter(action="bill.generate").count() == 1


def test_regenerating_an_unsettled_bill_follows_late_records(partner, march, specs):
    resale_a, _b = march
    generate_bills(CYCLE)
    pk, _totals, lines = snapshot(the_bill(partner))
    consume(resale_a, specs["evs"], amount="1.00", mode=1)  # a new line
    consume(resale_a, specs["ecs"], amount="0.87654322")  # an existing line grows
    assert [r.outcome for r in generate_bills(CYCLE)] == ["updated"]
    bill = the_bill(partner)
    assert bill.pk == pk and bill.lines.count() == len(lines) + 1
    assert bill.consumed_amount == Decimal("15.12345678") + 60 + Decimal("3.30") + 20 + 1 + Decimal(
        "0.87654322"
    )
    # Lines that did not change kept their rows.
    assert {x.pk for x in bill.lines.all()} >= {line[0] for line in lines}


def test_a_settled_bill_is_never_changed(partner, march, specs, finance_member, actor):
    resale_a, _b = march
    fund(partner, recharge="1000")
    generate_bills(CYCLE)
    settle_bill(actor=actor(finance_member), bill_id=the_bill(partner).pk)
    before = snapshot(the_bill(partner))
    consume(resale_a, specs["ecs"], amount="500.00")
    assert [r.outcome for r in generate_bills(CYCLE)] == ["settled"]
    assert snapshot(the_bill(partner)) == before


def test_each_partner_gets_its_own_bill(partner, other_partner, march, specs):
    theirs = AssociationFactory(partner=other_partner, association_type=AssociationType.RESALE)
    consume(theirs, specs["ecs"], amount="8.00")
    generate_bills(CYCLE)
    assert the_bill(other_partner).consumed_amount == Decimal("8.00")
    assert the_bill(partner).lines.filter(customer=theirs.customer).count() == 0


def test_no_resale_consumption_no_bill(partner, specs):
    referral = AssociationFactory(partner=partner, association_type=AssociationType.REFERRAL)
    consume(referral, specs["ecs"], amount="5.00")
    assert generate_bills(CYCLE) == []
    assert not PartnerBill.objects.exists()


@pytest.mark.parametrize(
    "now,cycle",
    [
        # 01:00 on 1 May in Beijing is still 30 April in UTC: the bill is April's.
        (datetime(2026, 4, 30, 17, 0, tzinfo=UTC), "2026-04"),
        (beijing(2026, 5, 5, 2, 30), "2026-04"),
        (beijing(2026, 1, 5, 2, 30), "2025-12"),
    ],
)
def test_the_default_period_is_the_previous_beijing_month(now, cycle):
    assert previous_cycle(now) == cycle


def test_the_current_month_cannot_be_billed(partner):
    with pytest.raises(DomainError):
        generate_bills(timezone.localtime().strftime("%Y-%m"))
    with pytest.raises(DomainError):
        generate_bills("2026-13")


def test_generation_tells_the_partners_finance_people_once(
    partner, march, admin_member, finance_member, sales_member
):
    generate_bills(CYCLE)
    generate_bills(CYCLE)
    assert Notification.objects.filter(recipient=admin_member.user).count() == 1
    assert Notification.objects.filter(recipient=finance_member.user).count() == 1
    assert not Notification.objects.filter(recipient=sales_member.user).exists()


def test_the_monthly_task_bills_the_previous_month(partner, resale_a, specs):
    cycle = previous_cycle()
    consume(resale_a, specs["ecs"], amount="12.00", cycle=cycle)
    assert generate_partner_bills.delay().get() == {"created": 1}
    assert generate_partner_bills.delay().get() == {"unchanged": 1}
    assert the_bill(partner, cycle).consumed_amount == Decimal("12.00")


def test_the_beat_runs_on_the_5th_before_noon_beijing_time():
    entry = settings.CELERY_BEAT_SCHEDULE["generate-partner-bills"]
    assert entry["task"] == "billing.tasks.generate_partner_bills"
    schedule = entry["schedule"]
    assert schedule.day_of_month == {5}
    assert schedule.hour and max(schedule.hour) < 12
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"


def test_the_task_is_registered_and_safe_without_records(db):
    assert generate_partner_bills.delay().get() == {}


# --- Settlement -------------------------------------------------------------------------------


@pytest.fixture
def funded_bill(partner, march, finance_member, actor):
    """Recharge 1000, credit 500; 300 allocated to customer 甲 and 100 to 乙; March consumed."""
    resale_a, resale_b = march
    fund(partner, recharge="1000.00", credit="500.00")
    funds.allocate(actor=actor(finance_member), customer_pk=resale_a.customer_id, amount="300")
    funds.allocate(actor=actor(finance_member), customer_pk=resale_b.customer_id, amount="100")
    deduct(resale_a, "78.42")  # 15.12345678 + 60 + 3.30, to the cent
    deduct(resale_b, "20.00")
    generate_bills(CYCLE)
    return the_bill(partner)


def test_settlement_leaves_the_account_balance_unchanged(
    partner, funded_bill, finance_member, actor
):
    before = ledger.partner_funds(partner)
    bill = settle_bill(actor=actor(finance_member), bill_id=funded_bill.pk)
    after = ledger.partner_funds(partner)
    x = Decimal("98.42")  # 98.42345678 deducted, rounded to cents
    assert after.recharge == before.recharge - x
    assert after.allocated == before.allocated - x
    assert after.credit == before.credit
    assert after.balance == before.balance == Decimal("1100.00")
    bill.refresh_from_db()
    assert bill.status == "settled" and bill.settled_by == finance_member.user
    transfer = bill.settlement
    assert transfer.trade_type == TradeType.SETTLE and transfer.amount == x
    legs = {p.account.kind: p.amount for p in transfer.postings.select_related("account")}
    assert legs == {AccountKind.PARTNER_RECHARGE: -x, AccountKind.PARTNER_ALLOCATED: x}
    assert ledger.verify_ledger() == []
    assert AuditEvent.objects.filter(action="bill.settle", target_id=str(bill.pk)).count() == 1
    assert AuditEvent.objects.filter(action="money.settle").count() == 1


def test_a_settled_bill_cannot_be_settled_twice(partner, funded_bill, finance_member, actor):
    settle_bill(actor=actor(finance_member), bill_id=funded_bill.pk)
    recharge = ledger.partner_funds(partner).recharge
    with pytest.raises(InvalidTransition):
        settle_bill(actor=actor(finance_member), bill_id=funded_bill.pk)
    assert Transfer.objects.filter(trade_type=TradeType.SETTLE).count() == 1
    assert ledger.partner_funds(partner).recharge == recharge


def test_an_insufficient_recharge_account_is_refused(partner, march, finance_member, actor):
    resale_a, resale_b = march
    fund(partner, recharge="50.00", credit="500.00")  # the credit line pays allocations only
    funds.allocate(actor=actor(finance_member), customer_pk=resale_a.customer_id, amount="300")
    generate_bills(CYCLE)
    bill = the_bill(partner)
    with pytest.raises(InsufficientBalance) as refused:
        settle_bill(actor=actor(finance_member), bill_id=bill.pk)
    message = str(refused.value)
    assert "recharge account" in message and "Fund management > Recharge" in message
    assert "98.42" in message and "50.00" in message
    bill.refresh_from_db()
    assert bill.status == "unsettled" and bill.settlement is None
    assert not Transfer.objects.filter(trade_type=TradeType.SETTLE).exists()
    assert ledger.partner_funds(partner).recharge == Decimal("50.00")


def test_a_bill_paid_only_by_arrears_settles_without_moving_money(
    partner, resale_a, specs, finance_member, actor
):
    consume(resale_a, specs["ecs"], amount="0", debt="5.00")
    generate_bills(CYCLE)
    bill = settle_bill(actor=actor(finance_member), bill_id=the_bill(partner).pk)
    assert bill.status == "settled" and bill.settlement is None
    assert not Transfer.objects.filter(trade_type=TradeType.SETTLE).exists()


@pytest.mark.parametrize("role", [Role.VIEWER, Role.SALES, Role.ACCOUNT_MANAGER])
def test_only_admin_and_finance_settle(partner, funded_bill, actor, role):
    member = MembershipFactory(partner=partner, role=role)
    with pytest.raises(PermissionRefused):
        settle_bill(actor=actor(member), bill_id=funded_bill.pk)


def test_another_partners_bill_cannot_be_settled(funded_bill, other_admin, actor):
    with pytest.raises(DomainError):
        settle_bill(actor=actor(other_admin), bill_id=funded_bill.pk)
    funded_bill.refresh_from_db()
    assert funded_bill.status == "unsettled"


# --- Pages ------------------------------------------------------------------------------------


BILLS_VIEW = {Role.ADMIN, Role.FINANCE, Role.VIEWER}


def test_anonymous_is_sent_to_sign_in(client, funded_bill):
    for url in (
        reverse("finance:bills"),
        reverse("finance:bill_print", args=[funded_bill.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("role", Role.values)
def test_bill_pages_access_matrix(client, partner, funded_bill, role):
    member = MembershipFactory(partner=partner, role=role)
    client.force_login(member.user)
    expected = 200 if role in BILLS_VIEW else 403
    assert client.get(reverse("finance:bills")).status_code == expected
    assert client.get(reverse("finance:bill_print", args=[funded_bill.pk])).status_code == expected
    settle = client.post(reverse("finance:bill_settle", args=[funded_bill.pk]))
    assert settle.status_code == (302 if role in {Role.ADMIN, Role.FINANCE} else 403)


def test_another_partners_bill_is_a_404(client, funded_bill, other_admin):
    client.force_login(other_admin.user)
    assert client.get(reverse("finance:bill_print", args=[funded_bill.pk])).status_code == 404
    assert client.post(reverse("finance:bill_settle", args=[funded_bill.pk])).status_code == 404
    page = client.get(reverse("finance:bills"), {"cycle": CYCLE}).content.decode()
    assert 'data-testid="no-bill"' in page and "98.42" not in page
    funded_bill.refresh_from_db()
    assert funded_bill.status == "unsettled"


def test_the_page_shows_the_period_totals_and_masked_lines(client, funded_bill, finance_member):
    client.force_login(finance_member.user)
    page = client.get(reverse("finance:bills")).content.decode()  # the latest bill by default
    assert "12:00" in page and "GMT+08:00" in page  # generated before 12:00 on the 5th
    assert f'<option value="{CYCLE}" selected>' in page
    assert "98.42" in page and "0.70" in page  # deducted and arrears totals
    assert "代售客户甲" not in page and "代***甲" in page  # customers masked
    assert funded_bill.lines.first().customer.customer_id in page
    assert "弹性云服务器" in page  # product type by name (the catalogue's ECS)
    assert 'data-testid="settle"' in page


def test_the_period_picker_shows_an_empty_month(client, funded_bill, finance_member):
    client.force_login(finance_member.user)
    page = client.get(reverse("finance:bills"), {"cycle": "2026-01"}).content.decode()
    assert 'data-testid="no-bill"' in page and 'data-testid="settle"' not in page


def test_the_page_points_to_top_up_when_the_recharge_account_is_short(
    client, partner, march, finance_member, actor
):
    resale_a, _b = march
    fund(partner, recharge="10.00", credit="500.00")
    funds.allocate(actor=actor(finance_member), customer_pk=resale_a.customer_id, amount="300")
    generate_bills(CYCLE)
    client.force_login(finance_member.user)
    page = client.get(reverse("finance:bills")).content.decode()
    assert reverse("billing:funds") + "?tab=recharge" in page
    response = client.post(reverse("finance:bill_settle", args=[the_bill(partner).pk]), follow=True)
    assert response.status_code == 200
    assert the_bill(partner).status == "unsettled"


def test_settling_from_the_page(client, partner, funded_bill, finance_member):
    client.force_login(finance_member.user)
    response = client.post(reverse("finance:bill_settle", args=[funded_bill.pk]))
    assert response.status_code == 302 and response["Location"].endswith(f"?cycle={CYCLE}")
    assert the_bill(partner).status == "settled"
    again = client.post(reverse("finance:bill_settle", args=[funded_bill.pk]))
    assert again.status_code == 302
    assert Transfer.objects.filter(trade_type=TradeType.SETTLE).count() == 1
    page = client.get(reverse("finance:bills")).content.decode()
    assert 'data-testid="settle"' not in page and the_bill(partner).settlement.trans_id in page
    assert ledger.verify_ledger() == []


def test_the_viewer_sees_no_settle_button(client, partner, funded_bill):
    viewer = MembershipFactory(partner=partner, role=Role.VIEWER)
    client.force_login(viewer.user)
    page = client.get(reverse("finance:bills")).content.decode()
    assert "98.42" in page and 'data-testid="settle"' not in page


def test_the_printable_bill(client, funded_bill, finance_member):
    client.force_login(finance_member.user)
    page = client.get(reverse("finance:bill_print", args=[funded_bill.pk])).content.decode()
    assert 'class="pc-printable"' in page and 'data-testid="printable-lines"' in page
    assert page.count("<tr>") == 3 + funded_bill.lines.count()  # 2 header rows, totals, lines
    assert "代***甲" in page and "代售客户甲" not in page
    assert "98.42" in page


def test_the_lines_table_answers_htmx_with_the_partial(client, funded_bill, finance_member):
    client.force_login(finance_member.user)
    response = client.get(reverse("finance:bills"), {"cycle": CYCLE}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="bill-lines"') and "<html" not in body


@pytest.mark.parametrize("n", [1, 50])
def test_the_bills_page_keeps_a_fixed_number_of_queries(
    client, partner, specs, finance_member, django_assert_max_num_queries, n
):
    for _i in range(n):
        association = AssociationFactory(partner=partner, association_type=AssociationType.RESALE)
        consume(association, specs["ecs"], amount="1.00")
    generate_bills(CYCLE)
    client.force_login(finance_member.user)
    with django_assert_max_num_queries(12):  # measured: 10
        assert client.get(reverse("finance:bills"), {"cycle": CYCLE}).status_code == 200
    printable = reverse("finance:bill_print", args=[the_bill(partner).pk])
    with django_assert_max_num_queries(9):  # measured: 7
        assert client.get(printable).status_code == 200


# --- Export -----------------------------------------------------------------------------------


def test_the_export_holds_the_periods_lines_masked(
    client, funded_bill, finance_member, other_partner, specs, django_capture_on_commit_callbacks
):
    theirs = AssociationFactory(partner=other_partner, association_type=AssociationType.RESALE)
    consume(theirs, specs["ecs"], amount="8.00")
    generate_bills(CYCLE)
    client.force_login(finance_member.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("export_start", args=["partner_bill_lines"]),
            {"query": f"cycle={CYCLE}", "mode": "current"},
        )
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert job.status == "done" and job.total == 4
    with job.csv_file.open("rb") as f:
        text = f.read().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 1 + 4
    assert all(r[0] == CYCLE for r in rows[1:])
    names = {r[1] for r in rows[1:]}
    assert names == {"代***甲", "代***乙"} and "代售客户甲" not in text
    assert theirs.customer.customer_id not in text
    deducted = sum(Decimal(r[9]) for r in rows[1:])
    assert deducted == funded_bill.consumed_amount
    assert job.xlsx_file


def test_the_export_needs_the_bills_item(client, funded_bill, sales_member):
    client.force_login(sales_member.user)
    response = client.post(
        reverse("export_start", args=["partner_bill_lines"]), {"query": "", "mode": "current"}
    )
    assert response.status_code == 403
    assert not ExportJob.objects.exists()
    assert PartnerBillLine.objects.exists()
