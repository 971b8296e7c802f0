import pytest
from playwright.sync_api import expect

from customers.models import AssociationType
from partnercenter.models import Role
from tests.billing.conftest import fund
from tests.customers.factories import AssociationFactory, CustomerFactory, customer_login
from tests.factories import MembershipFactory, PartnerFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_finance_allocates_and_the_customer_sees_it(
    page, browser, live_server, sign_in, console_errors
):
    partner = PartnerFactory(name="云途科技有限公司")
    MembershipFactory(
        partner=partner, role=Role.FINANCE, user=UserFactory(email="sp-finance@demo.test")
    )
    association = AssociationFactory(
        partner=partner,
        association_type=AssociationType.RESALE,
        customer=CustomerFactory(name="示例客户科技有限公司"),
    )
    customer_user = customer_login(association.customer, "customer@demo.test")
    fund(partner, recharge="50000.00", credit="20000.00")

    sign_in("sp-finance@demo.test")
    expect(page.get_by_test_id("account-balance")).to_have_text("70,000.00")
    page.goto(live_server.url + "/customers/")
    row = page.locator(f"tr[data-customer='{association.customer.customer_id}']")
    row.get_by_test_id("allocate").click()
    modal = page.locator(".modal.show")
    expect(modal).to_be_visible()
    modal.locator("input[name=amount]").fill("1.005")
    modal.get_by_test_id("adjust-submit").click()
    expect(modal.locator(".invalid-feedback")).to_contain_text("最多两位小数")
    modal.locator("input[name=amount]").fill("100.00")
    modal.get_by_test_id("adjust-submit").click()
    expect(modal.get_by_test_id("confirm")).to_contain_text("是否确定调整")
    modal.get_by_test_id("confirm-button").click()
    expect(modal.get_by_test_id("adjust-success")).to_contain_text("调账成功")
    trans_id = modal.get_by_test_id("trans-id").inner_text()
    # The list refreshed behind the modal: the customer's 可用额度 is now 100.00.
    expect(row.get_by_test_id("available")).to_have_text("100.00")
    modal.get_by_role("button", name="关闭").first.click()

    page.goto(live_server.url + "/")
    expect(page.get_by_test_id("account-balance")).to_have_text("69,900.00")
    expect(page.get_by_test_id("allocated-total")).to_have_text("100.00")
    page.goto(live_server.url + "/finance/adjustments/")
    expect(page.get_by_test_id("adjustments-table")).to_contain_text(trans_id)
    assert console_errors == []

    customer = browser.new_context().new_page()
    customer.goto(live_server.url + "/accounts/login/")
    customer.fill("input[name=login]", customer_user.email)
    customer.fill("input[name=password]", "PartnerDemo!2026")
    customer.click("main button[type=submit]")
    customer.goto(live_server.url + "/console/partner/?tab=adjustments")
    expect(customer.get_by_test_id("console-adjustments")).to_contain_text(trans_id)
    expect(customer.get_by_test_id("console-balance")).to_have_text("100.00")
