"""Sign-in and step-up in a browser: a partner that requires two-factor authentication, and the
allocation dialog asking for an e-mailed verification code."""

import re
import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from playwright.sync_api import expect

from customers.models import AssociationType
from partnercenter.models import Role
from tests.billing.conftest import balance_of, fund
from tests.customers.factories import AssociationFactory, CustomerFactory
from tests.factories import MembershipFactory, PartnerFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def fresh_code(secret):
    while 30 - time.time() % 30 < 6:
        time.sleep(0.5)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_a_member_is_led_to_set_up_two_factor_and_lands_on_home(
    page, live_server, sign_in, console_errors
):
    partner = PartnerFactory(name="云途科技有限公司", require_mfa=True)
    MembershipFactory(
        partner=partner, role=Role.SALES, user=UserFactory(email="sp-sales@demo.test")
    )

    sign_in("sp-sales@demo.test")
    expect(page).to_have_url(re.compile("/accounts/2fa/totp/activate/"))
    expect(page.get_by_test_id("totp-qr")).to_be_visible()
    secret = page.locator("#authenticator_secret").input_value()
    page.fill("input[name=code]", fresh_code(secret))
    page.click("main form button[type=submit]")
    expect(page.locator("main")).to_contain_text("恢复码")
    page.get_by_test_id("mfa-continue").click()
    expect(page.locator("h1")).to_have_text("主页")
    assert console_errors == []


def test_the_allocation_dialog_asks_for_an_emailed_code(page, live_server, sign_in, console_errors):
    partner = PartnerFactory(name="云途科技有限公司", sensitive_op_verification=True)
    MembershipFactory(
        partner=partner, role=Role.FINANCE, user=UserFactory(email="sp-finance@demo.test")
    )
    association = AssociationFactory(
        partner=partner,
        association_type=AssociationType.RESALE,
        customer=CustomerFactory(name="示例客户科技有限公司"),
    )
    fund(partner, recharge="1000.00")

    sign_in("sp-finance@demo.test")
    page.goto(live_server.url + "/customers/")
    page.locator(f"tr[data-customer='{association.customer.customer_id}']").get_by_test_id(
        "allocate"
    ).click()
    modal = page.locator(".modal.show")
    modal.locator("input[name=amount]").fill("100.00")
    modal.get_by_test_id("adjust-submit").click()
    expect(modal.get_by_test_id("confirm")).to_contain_text("是否确定调整")
    expect(modal.get_by_text("邮箱验证码")).to_be_visible()
    modal.get_by_test_id("send-code").click()
    expect(modal.get_by_test_id("code-sent")).to_contain_text("验证码已发送至 s***@demo.test")
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    assert "您的验证码" in mail.outbox[-1].subject
    modal.get_by_test_id("verification-code").fill(code)
    modal.get_by_test_id("confirm-button").click()
    expect(modal.get_by_test_id("adjust-success")).to_contain_text("调账成功")
    assert str(balance_of(association.customer)) == "100.00"
    assert console_errors == []
