"""商务折扣: staff (华为客户经理) record them in the admin; partners see them on 合同商务 > 商务信息
and on the customer's 商务折扣 tab, with the 折扣状态 true at read time."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

import billing.finance_hooks  # noqa: F401  (wired from BillingConfig.ready once imported there)
from billing.models import BusinessDiscount, DiscountScope, FundRequestContract, Product
from billing.seed_finance import seed_finance
from billing.services import discounts
from customers.models import AssociationType
from partnercenter import staff
from partnercenter.actor import Actor
from partnercenter.errors import DomainError, PermissionRefused
from partnercenter.models import AuditEvent, Role
from tests.customers.factories import AssociationFactory, CustomerFactory
from tests.factories import MembershipFactory, PartnerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def huawei_am(db):
    """A platform staff user in the 华为客户经理 group."""
    user = UserFactory(email="hw-am@platform.test")
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name=staff.ACCOUNT_MANAGER))
    return user


@pytest.fixture
def ecs(db):
    # The migration seeds the catalogue, but a transactional test on this worker may have
    # flushed it: restore it, specifications included.
    from billing.catalogue import ensure_catalogue

    ensure_catalogue()
    return Product.objects.get(code="ECS")


@pytest.fixture
def customer(partner):
    return AssociationFactory(
        partner=partner,
        association_type=AssociationType.RESALE,
        customer=CustomerFactory(name="折扣客户甲"),
    ).customer


def make(actor_user, customer, *, name="年度商务折扣", ratio="0.85", start=-1, days=30, **kw):
    now = timezone.now()
    return discounts.create_discount(
        actor=Actor(user=actor_user, via="admin"),
        name=name,
        customer=customer,
        discount_ratio=Decimal(ratio),
        effective_time=now + timedelta(days=start),
        expire_time=now + timedelta(days=start + days),
        **kw,
    )


# --- Status at read time ----------------------------------------------------------------------


def test_the_discount_status_follows_the_dates_at_read_time(huawei_am, customer):
    d = make(huawei_am, customer, start=1, days=10)
    assert d.status_at(d.effective_time - timedelta(seconds=1)) == "pending"
    assert d.status_at(d.effective_time) == "active"
    assert d.status_at(d.expire_time - timedelta(seconds=1)) == "active"
    assert d.status_at(d.expire_time) == "expired"
    for moment in (
        d.effective_time - timedelta(seconds=1),
        d.effective_time,
        d.expire_time - timedelta(seconds=1),
        d.expire_time,
    ):
        for status in discounts.STATUSES:
            found = discounts.filter_by_status(BusinessDiscount.objects.all(), status, moment)
            assert found.exists() == (d.status_at(moment) == status)


# --- Staff recording ---------------------------------------------------------------------------


def test_the_account_manager_group_may_record_discounts(huawei_am):
    perms = set(staff.GROUP_PERMISSIONS[staff.ACCOUNT_MANAGER])
    assert {"billing.add_businessdiscount", "billing.change_businessdiscount"} <= perms
    assert huawei_am.has_perm("billing.add_businessdiscount")
    assert not huawei_am.has_perm("billing.delete_businessdiscount")


def _admin_post(customer, **overrides):
    now = timezone.localtime()
    data = {
        "name": "2026 框架折扣",
        "customer": customer.pk,
        "discount_type": 605,
        "discount_ratio": "0.85",
        "scope": "all",
        "effective_time_0": (now - timedelta(days=1)).strftime("%Y-%m-%d"),
        "effective_time_1": "00:00:00",
        "expire_time_0": (now + timedelta(days=365)).strftime("%Y-%m-%d"),
        "expire_time_1": "00:00:00",
    }
    data.update(overrides)
    return data


def test_staff_record_a_discount_in_the_admin(client, huawei_am, customer, partner, ecs):
    client.force_login(huawei_am)
    url = reverse("admin:billing_businessdiscount_add")
    assert client.get(url).status_code == 200
    response = client.post(url, _admin_post(customer, scope="products", products=[ecs.pk]))
    assert response.status_code == 302, response.content.decode()[:2000]
    d = BusinessDiscount.objects.get()
    assert (d.name, d.discount_ratio, d.scope, d.created_by) == (
        "2026 框架折扣",
        Decimal("0.8500"),
        "products",
        huawei_am,
    )
    assert list(d.products.all()) == [ecs]
    assert d.status == "active"
    event = AuditEvent.objects.get(action="discount.create")
    assert event.partner == partner and event.after["products"] == ["ECS"]
    change = reverse("admin:billing_businessdiscount_change", args=[d.pk])
    response = client.post(change, _admin_post(customer, discount_ratio="0.8"))
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.discount_ratio == Decimal("0.8") and d.scope == "all" and not d.products.exists()
    changed = AuditEvent.objects.get(action="discount.change")
    assert changed.before["discount_ratio"] == "0.8500" and changed.after["discount_ratio"] == "0.8"


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"discount_ratio": "0"}, "discount_ratio"),
        ({"discount_ratio": "1.2"}, "discount_ratio"),
        ({"discount_ratio": "-0.5"}, "discount_ratio"),
        ({"expire_time_0": "2020-01-01"}, "expire_time"),
        ({"scope": "products"}, "products"),
        ({"name": "  "}, "name"),
    ],
)
def test_the_admin_refuses_bad_discounts(client, huawei_am, customer, overrides, field):
    client.force_login(huawei_am)
    response = client.post(
        reverse("admin:billing_businessdiscount_add"), _admin_post(customer, **overrides)
    )
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not BusinessDiscount.objects.exists()


def test_a_ratio_of_one_is_allowed(huawei_am, customer):
    assert make(huawei_am, customer, ratio="1").discount_ratio == Decimal("1")


def test_the_service_refuses_the_same_rules(huawei_am, customer):
    with pytest.raises(DomainError):
        make(huawei_am, customer, ratio="0")
    with pytest.raises(DomainError):
        make(huawei_am, customer, days=0)
    with pytest.raises(DomainError):
        make(huawei_am, customer, scope=DiscountScope.PRODUCTS, products=[])


def test_other_staff_cannot_record_discounts(client, customer):
    clerk = UserFactory(email="clerk@platform.test")
    clerk.is_staff = True
    clerk.save()
    with pytest.raises(PermissionRefused):
        make(clerk, customer)
    client.force_login(clerk)
    assert client.get(reverse("admin:billing_businessdiscount_add")).status_code == 403
    cm = UserFactory(email="cm@platform.test")
    cm.is_staff = True
    cm.save()
    cm.groups.add(Group.objects.get(name=staff.CHANNEL_MANAGER))
    with pytest.raises(PermissionRefused):
        make(cm, customer)


# --- 商务信息 -----------------------------------------------------------------------------------


@pytest.fixture
def three(huawei_am, customer):
    """An active, an expired and a not-yet-effective discount of one customer."""
    return {
        "active": make(huawei_am, customer, name="生效折扣", start=-5, days=30),
        "expired": make(huawei_am, customer, name="过期折扣", ratio="0.9", start=-60, days=30),
        "pending": make(huawei_am, customer, name="未来折扣", ratio="0.7", start=5, days=30),
    }


def business(client, **params):
    return client.get(reverse("finance:contracts"), {"tab": "business", **params})


def test_business_information_lists_the_discounts_with_their_status(
    client, finance_member, customer, three
):
    client.force_login(finance_member.user)
    page = business(client).content.decode()
    for d in three.values():
        assert d.name in page
    assert "0.85" in page and "(−15%)" in page and "0.7" in page
    assert "折***甲" in page and "折扣客户甲" not in page  # the customer is masked …
    assert reverse("customers:detail", args=[customer.pk]) in page  # … and links to its detail
    assert customer.customer_id in page


@pytest.mark.parametrize("status", ["active", "expired", "pending"])
def test_business_information_filters_by_status(client, finance_member, three, status):
    client.force_login(finance_member.user)
    page = business(client, status=status).content.decode()
    assert {k for k, d in three.items() if d.name in page} == {status}


def test_business_information_filters_by_name_and_customer(
    client, finance_member, partner, three, huawei_am
):
    other = AssociationFactory(partner=partner, customer=CustomerFactory(name="另一客户"))
    make(huawei_am, other.customer, name="另一折扣")
    client.force_login(finance_member.user)
    page = business(client, name="过期").content.decode()
    assert "过期折扣" in page and "生效折扣" not in page and "另一折扣" not in page
    page = business(client, customer=other.customer.account_name).content.decode()
    assert "另一折扣" in page and "生效折扣" not in page
    partial = client.get(
        reverse("finance:contracts"),
        {"tab": "business", "status": "active"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert partial.lstrip().startswith('<div id="discounts-table"')


def test_another_partners_customers_discounts_stay_hidden(
    client, finance_member, other_partner, huawei_am, three
):
    theirs = AssociationFactory(partner=other_partner).customer
    hidden = make(huawei_am, theirs, name="别家的折扣")
    client.force_login(finance_member.user)
    page = business(client).content.decode()
    assert hidden.name not in page and three["active"].name in page
    # A customer that left this partner takes its discounts along.
    stranger = CustomerFactory()
    make(huawei_am, stranger, name="无主折扣")
    assert "无主折扣" not in business(client).content.decode()


def test_an_account_manager_sees_only_its_customers_discounts(
    client, partner, am_member, huawei_am, customer
):
    mine = AssociationFactory(partner=partner, account_manager=am_member).customer
    make(huawei_am, mine, name="我的客户折扣")
    make(huawei_am, customer, name="别人的客户折扣")
    client.force_login(am_member.user)
    page = business(client).content.decode()
    assert "我的客户折扣" in page and "别人的客户折扣" not in page
    assert {d.name for d in discounts.visible_discounts(am_member)} == {"我的客户折扣"}


@pytest.mark.parametrize("n", [1, 50])
def test_business_information_keeps_a_fixed_number_of_queries(
    client, partner, finance_member, huawei_am, ecs, django_assert_max_num_queries, n
):
    for _i in range(n):
        c = AssociationFactory(partner=partner).customer
        make(huawei_am, c, scope=DiscountScope.PRODUCTS, products=[ecs])
    client.force_login(finance_member.user)
    with django_assert_max_num_queries(9):  # measured: 7
        assert business(client).status_code == 200


# --- The customer's 商务折扣 tab ------------------------------------------------------------------


def test_the_customer_detail_has_a_business_discount_tab(
    client, finance_member, customer, three, huawei_am, partner
):
    other = AssociationFactory(partner=partner).customer
    make(huawei_am, other, name="另一客户的折扣")
    client.force_login(finance_member.user)
    url = reverse("customers:detail", args=[customer.pk])
    overview = client.get(url).content.decode()
    assert "?tab=discounts" in overview and 'data-testid="customer-discounts"' not in overview
    page = client.get(url, {"tab": "discounts"}).content.decode()
    assert 'data-testid="customer-discounts"' in page
    for d in three.values():
        assert d.name in page
    assert "另一客户的折扣" not in page


def test_the_customer_tab_of_another_partners_customer_is_a_404(
    client, other_admin, customer, three
):
    client.force_login(other_admin.user)
    url = reverse("customers:detail", args=[customer.pk])
    assert client.get(url, {"tab": "discounts"}).status_code == 404


# --- API shape and demo data ------------------------------------------------------------------


def test_a_discount_in_the_partner_api_shape(huawei_am, customer, ecs):
    d = make(huawei_am, customer, scope=DiscountScope.PRODUCTS, products=[ecs])
    data = discounts.discount_as_api(d)
    assert data["commerce_id"] == d.commerce_id
    assert data["effective_time"].endswith("Z") and data["expire_time"].endswith("Z")
    items = data["product_quoting_items"]
    assert items and {i["cloud_service_type"] for i in items} == {ecs.service_type_code}
    assert {i["charging_mode"] for i in items} == {"MONTHLY", "ONDEMAND"}
    assert all(i["discount_ratio"] == Decimal("0.85") for i in items)


def test_the_demo_seeder_is_idempotent(db):
    staff_user = UserFactory(email="staff@demo.test")
    staff_user.is_staff = staff_user.is_superuser = True
    staff_user.save()
    yuntu = PartnerFactory(account_name="yuntu-tech", name="云途科技有限公司")
    MembershipFactory(partner=yuntu, role=Role.FINANCE)
    for account in ("demo-customer", "hanshan-retail", "jinghua-med"):
        AssociationFactory(partner=yuntu, customer=CustomerFactory(account_name=account))
    seed_finance()
    seed_finance()
    demo = BusinessDiscount.objects.get(customer__account_name="demo-customer")
    assert demo.discount_ratio == Decimal("0.85") and demo.scope == "all"
    assert demo.status == "active"
    assert BusinessDiscount.objects.get(customer__account_name="hanshan-retail").status == "expired"
    assert BusinessDiscount.objects.get(customer__account_name="jinghua-med").status == "pending"
    statuses = sorted(FundRequestContract.objects.values_list("status", flat=True))
    assert statuses == ["paid", "pending_payment"]
    from billing import ledger

    assert ledger.partner_funds(yuntu).recharge == Decimal("20000.00")
    assert ledger.verify_ledger() == []
