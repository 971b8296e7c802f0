import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from customers.models import Customer, Invitation
from partnercenter.masking import mask_name
from partnercenter.models import Role
from tests.factories import MembershipFactory, PartnerFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sp_admin(db):
    partner = PartnerFactory(name="云途科技有限公司")
    return MembershipFactory(
        partner=partner,
        role=Role.ADMIN,
        user=UserFactory(email="sp-admin@demo.test", name="王晓明"),
    )


def test_invite_sign_up_sign_the_notice_and_see_the_customer(
    page, browser, live_server, sign_in, sp_admin, console_errors
):
    sign_in("sp-admin@demo.test")
    page.goto(live_server.url + "/development/")
    page.get_by_label("代售").check()
    page.fill("input[name=email]", "new-buyer@example.test")
    page.click("button[name=preview]")
    expect(page.get_by_test_id("preview-subject")).to_contain_text("云途科技有限公司")
    page.click("button[name=send]")
    expect(page.locator(".alert-success")).to_contain_text("请提醒客户及时注册")
    link = re.search(r"https?://\S+/invite/\S+/", mail.outbox[-1].body).group(0)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]

    # The customer, in a browser of its own.
    customer = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    customer.goto(live_server.url + path)
    expect(customer.get_by_test_id("notice-text")).to_contain_text("代售")
    customer.get_by_role("link", name="注册并关联").click()
    expect(customer.locator("input[name=email]")).to_have_value("new-buyer@example.test")
    customer.fill("input[name=password1]", "Very-Secret-123")
    customer.fill("input[name=password2]", "Very-Secret-123")
    customer.click("main form button[type=submit]")
    expect(customer.get_by_test_id("associate")).to_be_visible()
    customer.fill("input[name=name]", "新买家科技有限公司")
    customer.get_by_test_id("associate").click()
    expect(customer.get_by_test_id("accept-error")).to_contain_text("请先阅读并同意")
    customer.fill("input[name=name]", "新买家科技有限公司")
    customer.check("input[name=agree]")
    customer.get_by_test_id("associate").click()
    expect(customer.get_by_test_id("association-type")).to_have_text("代售")
    customer.context.close()

    # The partner sees the new customer, masked, and reveals the name with the eye.
    page.goto(live_server.url + "/customers/")
    expect(
        page.locator("tr[data-customer]", has_text=mask_name("新买家科技有限公司"))
    ).to_be_visible()
    customer_id = Customer.objects.get(name="新买家科技有限公司").customer_id
    row = page.locator(f"tr[data-customer='{customer_id}']")
    expect(page.locator("table")).not_to_contain_text("新买家科技有限公司")
    row.get_by_role("button", name=re.compile("显示")).first.click()
    expect(row).to_contain_text("新买家科技有限公司")
    page.goto(live_server.url + "/customers/records/")
    expect(page.locator("#records-table")).to_contain_text("关联")
    expect(page.locator("#records-table")).to_contain_text("已完成")
    assert console_errors == []


def test_an_expired_link_shows_its_message(page, live_server, sp_admin):
    invitation = Invitation.objects.create(
        partner=sp_admin.partner,
        kind="online",
        association_type=2,
        email="late@example.test",
        expires_at=timezone.now() - timedelta(minutes=5),
    )
    page.goto(live_server.url + f"/invite/{invitation.token}/")
    expect(page.get_by_test_id("accept-error")).to_have_text("邀请链接已失效")
