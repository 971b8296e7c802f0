import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import AccountManagerAssignment, AssociationType
from customers.services.associations import assign_account_manager
from partnercenter.errors import PermissionRefused
from partnercenter.models import ExportJob, PartnerKind, Role
from tests.factories import MembershipFactory, PartnerFactory

from .factories import AssociationFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def rows_of(response):
    return response.content.decode().count("<tr data-customer=")


def test_the_list_shows_only_this_partners_current_customers_masked(
    client, admin_member, resale_customer, other_customer
):
    client.force_login(admin_member.user)
    page = client.get(reverse("customers:list")).content.decode()
    assert resale_customer.customer.customer_id in page
    assert other_customer.customer.customer_id not in page
    assert "张*明" in page and "张三明" not in page
    assert resale_customer.customer.email not in page


@pytest.mark.parametrize(
    "params,expected",
    [
        ({"association_type": "1"}, {"ref"}),
        ({"association_type": "2"}, {"res", "tagged"}),
        ({"name": "零售"}, {"res"}),
        ({"account_name": "acc-ref"}, {"ref"}),
        ({"customer_id": "c" * 32}, {"tagged"}),
        ({"customer_id": "c" * 31}, set()),
        ({"tag": "展会"}, {"tagged"}),
        ({"account_manager": "none"}, {"ref", "tagged"}),
        ({"mobile": "00001234"}, {"res"}),
    ],
)
def test_each_filter(client, admin_member, am_member, params, expected):
    p = admin_member.partner
    AssociationFactory(
        partner=p,
        association_type=1,
        customer=CustomerFactory(name="甲方顾问", account_name="acc-ref"),
    )
    AssociationFactory(
        partner=p,
        association_type=2,
        customer=CustomerFactory(name="零售连锁", mobile="13900001234"),
        account_manager=am_member,
    )
    AssociationFactory(
        partner=p,
        association_type=2,
        tag="展会2026",
        customer=CustomerFactory(name="乙方展会", customer_id="c" * 32),
    )
    names = {"甲方顾问": "ref", "零售连锁": "res", "乙方展会": "tagged"}
    client.force_login(admin_member.user)
    response = client.get(reverse("customers:list"), params, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    from partnercenter.masking import mask_name

    found = {v for k, v in names.items() if f">{mask_name(k)}<" in body}
    assert found == expected, params


def test_the_association_time_range_filter(client, admin_member):
    old = AssociationFactory(
        partner=admin_member.partner, associated_at=timezone.now() - timedelta(days=40)
    )
    new = AssociationFactory(partner=admin_member.partner)
    client.force_login(admin_member.user)
    since = (timezone.localdate() - timedelta(days=7)).isoformat()
    body = client.get(reverse("customers:list"), {"date_from": since}).content.decode()
    assert new.customer.customer_id in body and old.customer.customer_id not in body


def test_htmx_gets_only_the_table_and_the_page_works_without_it(
    client, admin_member, resale_customer
):
    client.force_login(admin_member.user)
    full = client.get(reverse("customers:list"))
    partial = client.get(reverse("customers:list"), HTTP_HX_REQUEST="true")
    assert "<html" in full.content.decode() and "<html" not in partial.content.decode()
    assert 'id="customer-table"' in partial.content.decode()


def test_pagination_and_total(client, admin_member):
    for _ in range(25):
        AssociationFactory(partner=admin_member.partner)
    client.force_login(admin_member.user)
    first = client.get(reverse("customers:list"))
    assert rows_of(first) == 20 and "共 25 个客户" in first.content.decode()
    assert rows_of(client.get(reverse("customers:list"), {"page": 2})) == 5


@pytest.mark.parametrize("n", [1, 50])
def test_the_list_keeps_a_fixed_number_of_queries(
    client, admin_member, am_member, django_assert_max_num_queries, n
):
    for i in range(n):
        AssociationFactory(
            partner=admin_member.partner, account_manager=am_member if i % 2 else None, tag="t"
        )
    client.force_login(admin_member.user)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("customers:list")).status_code == 200


def test_an_account_manager_sees_only_assigned_customers(client, am_member, admin_member):
    mine = AssociationFactory(partner=am_member.partner, account_manager=am_member)
    theirs = AssociationFactory(partner=am_member.partner)
    client.force_login(am_member.user)
    body = client.get(reverse("customers:list")).content.decode()
    assert mine.customer.customer_id in body and theirs.customer.customer_id not in body
    assert client.get(reverse("customers:detail", args=[theirs.customer_id])).status_code == 404
    assert client.get(reverse("customers:detail", args=[mine.customer_id])).status_code == 200


def test_another_partners_customer_detail_is_a_404(client, admin_member, other_customer):
    client.force_login(admin_member.user)
    assert (
        client.get(reverse("customers:detail", args=[other_customer.customer_id])).status_code
        == 404
    )
    assert (
        client.get(
            reverse("customers:change", args=[other_customer.customer_id, "disassociate"])
        ).status_code
        == 404
    )
    assert (
        client.post(reverse("customers:authorize", args=[other_customer.customer_id])).status_code
        == 404
    )


def test_the_detail_page_has_overview_knowledge_basic_info_and_relationship(
    client, admin_member, resale_customer
):
    client.force_login(admin_member.user)
    url = reverse("customers:detail", args=[resale_customer.customer_id])
    overview = client.get(url).content.decode()
    assert "知识推荐" in overview and "为代售客户拨款与回收" in overview
    client.cookies["django_language"] = "en"
    assert (
        "Allocating funds to and recovering funds from resale customers"
        in client.get(url).content.decode()
    )
    basic = client.get(url, {"tab": "basic"}).content.decode()
    assert "张*明" in basic and resale_customer.customer.mobile not in basic
    relationship = client.get(url, {"tab": "relationship"}).content.decode()
    assert "Association requests and history" in relationship


def test_assigning_account_managers_one_or_many_keeps_history(client, admin_member, am_member):
    a = AssociationFactory(partner=admin_member.partner)
    b = AssociationFactory(partner=admin_member.partner)
    client.force_login(admin_member.user)
    client.post(
        reverse("customers:assign_manager"), {"ids": [a.pk, b.pk], "account_manager": am_member.pk}
    )
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.account_manager == am_member and b.account_manager == am_member
    other_am = MembershipFactory(partner=admin_member.partner, role=Role.ACCOUNT_MANAGER)
    client.post(
        reverse("customers:assign_manager"), {"ids": [a.pk], "account_manager": other_am.pk}
    )
    history = list(AccountManagerAssignment.objects.filter(association=a).order_by("assigned_at"))
    assert [h.account_manager for h in history] == [am_member, other_am]
    assert history[0].ended_at is not None and history[1].ended_at is None


def test_assigning_a_manager_of_another_partner_or_to_their_customer_fails(
    admin_member, other_admin, other_customer, actor
):
    from partnercenter.errors import DomainError

    mine = AssociationFactory(partner=admin_member.partner)
    with pytest.raises(DomainError):
        assign_account_manager(
            actor=actor(admin_member), association_ids=[mine.pk], membership_id=other_admin.pk
        )
    result = assign_account_manager(
        actor=actor(admin_member),
        association_ids=[other_customer.pk],
        membership_id=admin_member.pk,
    )
    assert result[other_customer.pk] is not None
    other_customer.refresh_from_db()
    assert other_customer.account_manager is None


def test_sales_cannot_assign_managers(sales_member, actor):
    a = AssociationFactory(partner=sales_member.partner)
    with pytest.raises(PermissionRefused):
        assign_account_manager(
            actor=actor(sales_member), association_ids=[a.pk], membership_id=sales_member.pk
        )


def test_distributors_see_their_resellers_customers_masked_with_the_reseller(
    client, distributor_admin
):
    reseller = PartnerFactory(
        kind=PartnerKind.RESELLER, distributor=distributor_admin.partner, name="下游经销商"
    )
    stranger = PartnerFactory(
        kind=PartnerKind.RESELLER, distributor=PartnerFactory(kind=PartnerKind.DISTRIBUTOR)
    )
    theirs = AssociationFactory(partner=reseller, customer=CustomerFactory(name="下游客户"))
    not_mine = AssociationFactory(partner=stranger)
    client.force_login(distributor_admin.user)
    page = client.get(reverse("customers:list"), {"tab": "resellers"}).content.decode()
    assert "下游经销商" in page and theirs.customer.customer_id in page and "下游客户" not in page
    assert not_mine.customer.customer_id not in page
    filtered = client.get(
        reverse("customers:list"), {"tab": "resellers", "reseller": reseller.pk}
    ).content.decode()
    assert theirs.customer.customer_id in filtered


def test_solution_providers_have_no_resellers_tab(client, admin_member):
    client.force_login(admin_member.user)
    assert "二级经销商子客户" not in client.get(reverse("customers:list")).content.decode()


def test_the_export_contains_exactly_the_filtered_rows_anonymised(
    client, admin_member, django_capture_on_commit_callbacks
):
    AssociationFactory(
        partner=admin_member.partner, association_type=1, customer=CustomerFactory(name="顾问客户")
    )
    keep = AssociationFactory(
        partner=admin_member.partner,
        association_type=2,
        customer=CustomerFactory(name="代售客户甲", email="jia@c.test"),
    )
    AssociationFactory(partner=PartnerFactory(), association_type=2)
    client.force_login(admin_member.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("export_start", args=["customers"]),
            {"query": "association_type=2", "mode": "current"},
        )
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert job.status == "done"
    with job.csv_file.open("rb") as f:
        text = f.read().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 2  # header + the one 代售 customer of this partner
    assert (
        rows[1][0] == "代***甲"
        and rows[1][2] == keep.customer.customer_id
        and rows[1][7] == "j***@c.test"
    )
    assert "jia@c.test" not in text


def test_only_the_partner_admin_exports_the_customer_list(client, finance_member):
    client.force_login(finance_member.user)
    assert (
        client.post(
            reverse("export_start", args=["customers"]), {"query": "", "mode": "current"}
        ).status_code
        == 403
    )
    assert "导出当前记录" not in client.get(reverse("customers:list")).content.decode()
    assert AssociationType.RESALE
