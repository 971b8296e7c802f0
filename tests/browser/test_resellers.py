"""The whole reseller program in a browser: sign up, apply naming the distributor, Huawei's
approval in the admin, the distributor's approval, then 拨款 500.00 and 回收 200.00."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from partnercenter.demo import ensure_totp
from partnercenter.models import PartnerKind, Role
from resellers.models import ApplicationStatus, ResellerApplication
from tests.billing.conftest import fund
from tests.factories import MembershipFactory, PartnerFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(db):
    distributor = PartnerFactory(
        name="华联云分销有限公司", kind=PartnerKind.DISTRIBUTOR, account_name="hualian-dist"
    )
    MembershipFactory(
        partner=distributor,
        role=Role.ADMIN,
        user=UserFactory(email="dist-admin@demo.test", name="陈刚"),
    )
    fund(distributor, recharge="100000.00", credit="50000.00")
    staff = UserFactory(email="staff@demo.test", name="平台运营")
    staff.is_staff = staff.is_superuser = True
    staff.save()
    ensure_totp(staff)  # the admin asks for the second factor, as seed_demo sets it up
    return distributor


def _adjust(page, row, action, amount):
    row.get_by_test_id(action).click()
    modal = page.locator(".modal.show")
    expect(modal).to_be_visible()
    modal.locator("input[name=amount]").fill(amount)
    modal.get_by_test_id("adjust-submit").click()
    expect(modal.get_by_test_id("confirm")).to_be_visible()
    modal.get_by_test_id("confirm-button").click()
    expect(modal.get_by_test_id("adjust-success")).to_be_visible()
    modal.locator(".btn-close").click()
    expect(page.locator(".modal.show")).to_have_count(0)


def test_a_new_enterprise_becomes_a_funded_reseller(
    page, browser, live_server, sign_in, demo, console_errors
):
    # 1. A new enterprise signs up, confirms its e-mail and applies, naming the distributor.
    page.goto(live_server.url + "/accounts/signup/")
    page.fill("input[name=email]", "boss@xinqiye.test")
    page.fill("input[name=password1]", "Very-Secret-123")
    page.fill("input[name=password2]", "Very-Secret-123")
    page.click("main form button[type=submit]")
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(live_server.url + "/" + link.split("://", 1)[1].split("/", 1)[1])
    page.click("main form button[type=submit]")
    page.get_by_test_id("apply-reseller").click()
    page.fill("input[name=company_name]", "新企业科技有限公司")
    page.fill("input[name=credit_code]", "91310000MA1KXQY001")
    page.fill("input[name=contact_name]", "钱总")
    page.fill("input[name=contact_phone]", "13812345678")
    page.select_option("select[name=distributor]", label="华联云分销有限公司")
    page.check("input[name=agree]")
    page.get_by_test_id("apply-submit").click()
    expect(page.get_by_test_id("application-distributor")).to_have_text("华联云分销有限公司")
    application = ResellerApplication.objects.get(applicant__email="boss@xinqiye.test")
    assert application.status == ApplicationStatus.PENDING_HUAWEI
    assert console_errors == []

    # 2. Huawei's program reviewer approves it in the admin.
    staff = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    sign_in("staff@demo.test", context_page=staff)
    staff.goto(live_server.url + "/admin/resellers/resellerapplication/")
    staff.check(f"input[name=_selected_action][value='{application.pk}']")
    staff.select_option("select[name=action]", "huawei_approve")
    staff.click("button[name=index]")
    expect(staff.locator(".messagelist .success")).to_be_visible()
    staff.context.close()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING_DISTRIBUTOR

    # 3. dist-admin approves it on 审核云经销商的合作邀请.
    dist = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    dist_errors = []
    dist.on("console", lambda m: dist_errors.append(m.text) if m.type == "error" else None)
    sign_in("dist-admin@demo.test", context_page=dist)
    dist.goto(live_server.url + "/resellers/review/")
    row = dist.locator(f"tr[data-application='{application.pk}']")
    row.get_by_test_id("review").click()
    modal = dist.locator(".modal.show")
    expect(modal).to_be_visible()
    modal.locator("input[name=decision][value=approve]").check()
    modal.get_by_test_id("review-submit").click()
    expect(modal.get_by_test_id("review-done")).to_be_visible()
    modal.locator(".btn-close").click()
    application.refresh_from_db()
    reseller = application.partner
    assert application.status == ApplicationStatus.APPROVED and reseller.distributor == demo

    # 4. The new reseller is in 我的云经销商; the distributor allocates 500.00, recovers 200.00.
    dist.goto(live_server.url + "/resellers/")
    row = dist.locator(f"tr[data-reseller='{reseller.domain_id}']")
    expect(row.get_by_test_id("reseller-name")).to_have_text("新企业科技有限公司")
    expect(row.get_by_test_id("reseller-balance")).to_have_text("0.00")
    _adjust(dist, row, "allocate", "500.00")
    expect(row.get_by_test_id("reseller-balance")).to_have_text("500.00")
    _adjust(dist, row, "recover", "200.00")
    expect(row.get_by_test_id("reseller-balance")).to_have_text("300.00")
    assert dist_errors == []

    # 5. The reseller (the applicant, now its admin) sees a balance of 300.00.
    page.goto(live_server.url + "/")
    expect(page.get_by_test_id("account-balance")).to_have_text("300.00")
    expect(page.get_by_test_id("home-distributor")).to_have_text("华联云分销有限公司")
    page.goto(live_server.url + "/my-distributor/")
    expect(page.get_by_test_id("allocation-history")).to_contain_text("500.00")
    expect(page.get_by_test_id("allocation-history")).to_contain_text("200.00")
    assert console_errors == []
