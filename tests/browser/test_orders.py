from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from billing.models import Order
from billing.services import funds
from customers.models import AssociationType, Authorization, AuthorizationStatus
from partnercenter.actor import Actor
from partnercenter.models import Role
from tests.billing.conftest import fund
from tests.customers.factories import AssociationFactory, CustomerFactory
from tests.factories import MembershipFactory, PartnerFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_order_on_behalf_pay_and_switch_role_back(
    page, live_server, sign_in, open_menu, console_errors
):
    from billing.catalogue import ensure_catalogue

    ensure_catalogue()  # transactional tests flush the migration-seeded catalogue
    partner = PartnerFactory(name="云途科技有限公司")
    finance = MembershipFactory(
        partner=partner, role=Role.FINANCE, user=UserFactory(email="sp-finance@demo.test")
    )
    association = AssociationFactory(
        partner=partner,
        association_type=AssociationType.RESALE,
        customer=CustomerFactory(name="示例客户科技有限公司"),
        associated_at=timezone.now() - timedelta(days=30),
    )
    Authorization.objects.create(
        partner=partner,
        customer=association.customer,
        association=association,
        status=AuthorizationStatus.GRANTED,
    )
    fund(partner, recharge="5000.00")
    funds.allocate(
        actor=Actor(user=finance.user, partner=partner, membership=finance),
        customer_pk=association.customer_id,
        amount="1000.00",
    )

    sign_in("sp-finance@demo.test")
    page.goto(live_server.url + "/customers/")
    row = page.locator(f"tr[data-customer='{association.customer.customer_id}']")
    open_menu(row.get_by_role("button", name="更多")).get_by_test_id("order-on-behalf").click()
    page.get_by_test_id("acting-confirm").click()
    expect(page.get_by_test_id("acting-banner")).to_contain_text("示例客户科技有限公司")
    page.get_by_test_id("buy-s6.large.2").click()
    page.get_by_label("包年/包月").check()
    page.get_by_label("购买时长").fill("1")
    page.get_by_test_id("place-order").click()
    expect(page.get_by_test_id("order-status")).to_have_text("待支付")
    expect(page.get_by_test_id("order-amount")).to_have_text("185.00")
    page.get_by_test_id("pay-order").click()
    expect(page.get_by_test_id("order-status")).to_have_text("已完成")
    order_id = page.get_by_test_id("order-id").inner_text()
    page.goto(live_server.url + "/console/resources/")
    expect(page.get_by_test_id("resources-table")).to_contain_text("s6")
    # 切换角色 in the account menu returns to the partner account.
    open_menu("#account-menu").get_by_test_id("switch-role").click()
    expect(page.get_by_test_id("acting-banner")).to_have_count(0)
    page.goto(live_server.url + "/customer-orders/")
    expect(page.get_by_test_id("orders-table")).to_contain_text(order_id)
    page.goto(live_server.url + "/customer-consumption/?tab=details")
    expect(page.get_by_test_id("not-a-bill")).to_contain_text("客户消费并非伙伴的账单")
    expect(page.get_by_test_id("consumption-details")).to_contain_text(order_id)
    expect(page.get_by_test_id("consumption-details")).to_contain_text("185.00")
    assert Order.objects.get(order_id=order_id).source_type == 2
    assert console_errors == []
