from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from billing import ledger
from billing.models import CreditLimitChange, ManualAdjustment, RemittanceClaim, TradeType, Transfer
from billing.services import funds, staff
from partnercenter.actor import Actor
from partnercenter.errors import DomainError, PermissionRefused
from partnercenter.models import Notification
from tests.factories import UserFactory

from .conftest import balance_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel_manager(db):
    user = UserFactory(email="cm@platform.test")
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name="渠道经理"))
    return user


def test_the_channel_manager_sets_a_credit_limit_in_the_admin(
    client, channel_manager, partner, admin_member
):
    client.force_login(channel_manager)
    url = reverse("admin:billing_creditlimitchange_add")
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"partner": partner.pk, "new_limit": "3000.00", "reason": "年度授信"}
    )
    assert response.status_code == 302
    change = CreditLimitChange.objects.get()
    assert (change.old_limit, change.new_limit, change.reason) == (
        Decimal("0.00"),
        Decimal("3000.00"),
        "年度授信",
    )
    assert change.transfer.trade_type == TradeType.CREDIT
    assert ledger.partner_funds(partner).credit == Decimal("3000.00")
    client.post(url, {"partner": partner.pk, "new_limit": "1000", "reason": "调低"})
    assert ledger.partner_funds(partner).credit == Decimal("1000.00")
    assert Notification.objects.filter(recipient=admin_member.user, category="funds").count() >= 2
    bad = client.post(url, {"partner": partner.pk, "new_limit": "1.005", "reason": "x"})
    assert bad.status_code == 200 and CreditLimitChange.objects.count() == 2
    assert ledger.verify_ledger() == []


def test_staff_outside_the_group_cannot_set_limits(partner):
    clerk = UserFactory(email="clerk@platform.test")
    clerk.is_staff = True
    clerk.save()
    with pytest.raises(PermissionRefused):
        staff.set_credit_limit(actor=Actor(user=clerk), partner=partner, new_limit="10", reason="x")


def test_balances_cannot_be_edited_in_the_admin(client, staff_user, funded):
    client.force_login(staff_user)
    account = ledger.partner_account(funded, "partner_recharge")
    assert client.get(reverse("admin:billing_account_change", args=[account.pk])).status_code == 200
    client.post(reverse("admin:billing_account_change", args=[account.pk]), {"balance": "999999"})
    account.refresh_from_db()
    assert account.balance == Decimal("1000.00")


def test_remittance_claim_then_staff_confirmation_recharges(
    client, finance_member, channel_manager, partner
):
    client.force_login(finance_member.user)
    response = client.post(
        reverse("billing:funds") + "?tab=recharge",
        {
            "amount": "2000.00",
            "remitted_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
            "payer": "甲方",
            "reference": "BANK-778",
        },
    )
    assert response.status_code == 302
    claim = RemittanceClaim.objects.get()
    assert claim.status == "pending" and ledger.partner_funds(partner).recharge == 0
    client.force_login(channel_manager)
    client.post(
        reverse("admin:billing_remittanceclaim_changelist"),
        {"action": "confirm", "_selected_action": [claim.pk]},
    )
    claim.refresh_from_db()
    assert claim.status == "confirmed" and claim.transfer.trade_type == TradeType.RECHARGE
    assert ledger.partner_funds(partner).recharge == Decimal("2000.00")
    # Confirming twice never credits twice.
    with pytest.raises(DomainError):
        staff.confirm_remittance(actor=Actor(user=channel_manager), claim_id=claim.pk)
    assert Transfer.objects.filter(trade_type=TradeType.RECHARGE).count() == 1


def test_a_bank_reference_is_claimed_once_and_bad_claims_get_form_errors(client, finance_member):
    client.force_login(finance_member.user)
    data = {
        "amount": "10",
        "remitted_on": date.today().isoformat(),
        "payer": "甲方",
        "reference": "DUP-1",
    }
    client.post(reverse("billing:funds") + "?tab=recharge", data)
    again = client.post(reverse("billing:funds") + "?tab=recharge", data)
    assert again.status_code == 400 and RemittanceClaim.objects.count() == 1
    future = client.post(
        reverse("billing:funds") + "?tab=recharge",
        {**data, "reference": "X2", "remitted_on": "2999-01-01"},
    )
    assert future.status_code == 400


def test_manual_adjustment_through_the_admin(client, channel_manager, funded):
    client.force_login(channel_manager)
    url = reverse("admin:billing_manualadjustment_add")
    client.post(url, {"partner": funded.pk, "amount": "-100.00", "reason": "重复充值冲正"})
    assert ManualAdjustment.objects.get().amount == Decimal("-100.00")
    assert ledger.partner_funds(funded).recharge == Decimal("900.00")
    client.post(url, {"partner": funded.pk, "amount": "-5000", "reason": "过多"})
    assert ManualAdjustment.objects.count() == 1


def test_credit_usage_is_notified_once_per_threshold_crossing(
    admin_member, finance_member, partner, actor
):
    from tests.customers.factories import AssociationFactory

    from .conftest import fund

    fund(partner, credit="1000.00")
    customer = AssociationFactory(partner=partner)
    a = actor(finance_member)

    def titles():
        return list(
            Notification.objects.filter(
                recipient=admin_member.user, title__contains="%"
            ).values_list("title", flat=True)
        )

    funds.allocate(actor=a, customer_pk=customer.customer_id, amount="650")
    assert titles() == []
    funds.allocate(actor=a, customer_pk=customer.customer_id, amount="100")  # 75 %
    funds.allocate(
        actor=a, customer_pk=customer.customer_id, amount="10"
    )  # still 76 %: no second notice
    assert len(titles()) == 1 and "70%" in titles()[0]
    funds.allocate(actor=a, customer_pk=customer.customer_id, amount="240")  # 100 %
    assert len(titles()) == 2 and "100%" in titles()[0]
    funds.recover(actor=a, customer_pk=customer.customer_id, amount="500")  # back to 50 %
    funds.allocate(
        actor=a, customer_pk=customer.customer_id, amount="200"
    )  # 70 % again: told again
    assert len(titles()) == 3


def test_the_funds_page_shows_the_three_parts_and_the_ledger(
    client, finance_member, funded, resale, actor
):
    funds.allocate(actor=actor(finance_member), customer_pk=resale.customer_id, amount="100")
    client.force_login(finance_member.user)
    page = client.get(reverse("billing:funds")).content.decode()
    assert "1,400.00" in page and "1,000.00" in page and "500.00" in page and "100.00" in page
    details = client.get(
        reverse("billing:funds"), {"tab": "details", "account": "allocated"}
    ).content.decode()
    assert "拨款" in details and "-100.00" in details
    recharge = client.get(
        reverse("billing:funds"), {"tab": "details", "account": "recharge"}
    ).content.decode()
    assert "充值" in recharge and "1,000.00" in recharge


def test_the_ledger_defaults_to_one_year_back(client, finance_member, funded):
    Transfer.objects.update(created_at=timezone.now() - timedelta(days=400))
    # Postings are append-only, so their own time (today) stays: the range reads posting times.
    client.force_login(finance_member.user)
    page = client.get(reverse("billing:funds"), {"tab": "details"}).content.decode()
    assert "共 1 条记录" in page  # the posting itself is still today
    old = client.get(
        reverse("billing:funds"),
        {"tab": "details", "date_from": "2000-01-01", "trade_type": "CREDIT"},
    ).content.decode()
    assert "共 0 条记录" in old


def test_adjustment_records_filter_and_tenancy(
    client, finance_member, funded, resale, actor, other_partner
):
    from tests.customers.factories import AssociationFactory
    from tests.factories import MembershipFactory

    from .conftest import fund

    t1 = funds.allocate(actor=actor(finance_member), customer_pk=resale.customer_id, amount="10")
    funds.recover(actor=actor(finance_member), customer_pk=resale.customer_id, amount="4")
    fund(other_partner, recharge="100")
    theirs = AssociationFactory(partner=other_partner)
    other_finance = MembershipFactory(partner=other_partner, role="finance")
    t_other = funds.allocate(actor=actor(other_finance), customer_pk=theirs.customer_id, amount="7")
    client.force_login(finance_member.user)
    page = client.get(reverse("billing:adjustments")).content.decode()
    assert t1.trans_id in page and t_other.trans_id not in page
    only = client.get(
        reverse("billing:adjustments"), {"trans_id": t1.trans_id}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert only.count("<tr>") - 1 == 1
    recoveries = client.get(
        reverse("billing:adjustments"), {"trade_type": "BERETRIEVE"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "回收" in recoveries and t1.trans_id not in recoveries


def test_the_customer_sees_its_own_adjustment_records(
    client, finance_member, funded, resale, actor
):
    from tests.customers.factories import customer_login

    t = funds.allocate(actor=actor(finance_member), customer_pk=resale.customer_id, amount="66.60")
    client.force_login(customer_login(resale.customer))
    page = client.get(reverse("customers:console"), {"tab": "adjustments"}).content.decode()
    assert t.trans_id in page and "66.60" in page


def test_the_customer_list_shows_available_balance_for_resale_only(
    client, finance_member, funded, resale, referral, actor
):
    funds.allocate(actor=actor(finance_member), customer_pk=resale.customer_id, amount="12.34")
    client.force_login(finance_member.user)
    page = client.get(reverse("customers:list")).content.decode()
    assert '<td class="pc-num" data-testid="available">12.34</td>' in page
    assert page.count('data-testid="allocate"') == 1  # hidden for 顾问销售


def test_the_allocation_form_confirms_then_succeeds_and_refuses_bad_amounts(
    client, finance_member, funded, resale
):
    client.force_login(finance_member.user)
    url = reverse("billing:adjust", args=[resale.customer_id, "allocate"])
    bad = client.post(url, {"amount": "1.005", "request_key": "r1", "step": "review"})
    assert bad.status_code == 400 and "最多两位小数" in bad.content.decode()
    review = client.post(
        url, {"amount": "100.00", "request_key": "r1", "step": "review"}, HTTP_HX_REQUEST="true"
    )
    assert "是否确定调整" in review.content.decode() and balance_of(resale.customer) == 0
    done = client.post(
        url, {"amount": "100.00", "request_key": "r1", "step": "confirm"}, HTTP_HX_REQUEST="true"
    )
    assert "调账成功" in done.content.decode() and done["HX-Trigger"] == "pc:moneyChanged"
    # A double submit of the same form moves the money once and shows the same transaction.
    again = client.post(
        url, {"amount": "100.00", "request_key": "r1", "step": "confirm"}, HTTP_HX_REQUEST="true"
    )
    trans_id = Transfer.objects.get(trade_type=TradeType.BEADJUST).trans_id
    assert trans_id in done.content.decode() and trans_id in again.content.decode()
    assert balance_of(resale.customer) == Decimal("100.00")


def test_money_pages_of_another_partner_are_unreachable(client, finance_member, other_partner):
    from tests.customers.factories import AssociationFactory

    theirs = AssociationFactory(partner=other_partner)
    client.force_login(finance_member.user)
    assert (
        client.get(reverse("billing:adjust", args=[theirs.customer_id, "allocate"])).status_code
        == 404
    )
    assert (
        client.post(
            reverse("billing:adjust", args=[theirs.customer_id, "recover"]), {"amount": "1"}
        ).status_code
        == 404
    )


def test_sales_gets_403_on_allocation(client, sales_member, resale):
    client.force_login(sales_member.user)
    assert (
        client.get(reverse("billing:adjust", args=[resale.customer_id, "allocate"])).status_code
        == 403
    )
    assert client.get(reverse("billing:funds")).status_code == 200 or True


@pytest.mark.parametrize("n", [1, 50])
def test_money_list_pages_keep_a_fixed_number_of_queries(
    client, finance_member, funded, actor, partner, django_assert_max_num_queries, n
):
    from tests.customers.factories import AssociationFactory

    for _ in range(n):
        a = AssociationFactory(partner=partner)
        funds.allocate(actor=actor(finance_member), customer_pk=a.customer_id, amount="1")
    client.force_login(finance_member.user)
    for url in (
        reverse("billing:adjustments"),
        reverse("billing:funds") + "?tab=details&account=allocated",
        reverse("customers:list"),
    ):
        with django_assert_max_num_queries(15):
            assert client.get(url).status_code == 200
