import re
import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.cache import cache
from playwright.sync_api import expect

from partnercenter.models import PartnerKind, Role
from tests.factories import MembershipFactory, PartnerFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def fresh_code(secret):
    """The current TOTP code, taken early enough in its 30-second window to still be valid when
    the page submits it (allauth accepts only the current window)."""
    while 30 - time.time() % 30 < 6:
        time.sleep(0.5)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.fixture
def sp_admin(db):
    partner = PartnerFactory(name="云途科技有限公司")
    return MembershipFactory(
        partner=partner,
        role=Role.ADMIN,
        user=UserFactory(email="sp-admin@demo.test", name="王晓明"),
    )


def test_sign_in_and_switch_language(
    page, live_server, sign_in, open_menu, sp_admin, console_errors
):
    sign_in("sp-admin@demo.test")
    expect(page.locator("h1")).to_have_text("主页")
    expect(page.get_by_test_id("partner-kind")).to_have_text("解决方案提供商")
    open_menu("#account-menu").get_by_role("button", name="English").click()
    expect(page.locator("h1")).to_have_text("Home")
    expect(page.get_by_test_id("partner-kind")).to_have_text("Solution provider")
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    open_menu("#account-menu").get_by_role("button", name="简体中文").click()
    expect(page.locator("h1")).to_have_text("主页")
    assert console_errors == []


def _open_every_menu_entry(page, live_server, open_menu):
    """Open each menu through the real dropdowns and follow every entry."""
    page.goto(live_server.url + "/")
    entries = page.locator(
        "header nav [data-nav] ~ .dropdown-menu a[data-nav], header nav a.nav-link[href]:not([href='#'])"
    )
    targets = []
    for i in range(entries.count()):
        link = entries.nth(i)
        targets.append((link.get_attribute("data-nav"), link.get_attribute("href")))
    account = page.locator("header .dropdown-menu-end a.dropdown-item[data-nav]")
    for i in range(account.count()):
        link = account.nth(i)
        targets.append((link.get_attribute("data-nav"), link.get_attribute("href")))
    opened = []
    for key, href in targets:
        page.goto(live_server.url + "/")
        top = key.split(".")[0]
        if key != top and top != "account":
            open_menu(f"header nav a.dropdown-toggle[data-nav='{top}']")
        elif top == "account":
            open_menu("#account-menu")
        page.click(f"a[data-nav='{key}']")
        page.wait_for_load_state()
        assert page.url.endswith(href), (key, page.url)
        expect(page.locator("h1").first).to_be_visible()
        assert "访问拒绝" not in page.content() and "未找到" not in page.title()
        opened.append(key)
    return opened


@pytest.mark.parametrize(
    "kind,role,expected",
    [
        (
            PartnerKind.SOLUTION_PROVIDER,
            Role.ADMIN,
            {"home", "programs.joined", "org.members", "org.audit", "account.info"},
        ),
        (PartnerKind.SOLUTION_PROVIDER, Role.SALES, {"home", "programs.joined", "account.info"}),
        (PartnerKind.DISTRIBUTOR, Role.ADMIN, {"home", "org.members", "account.notifications"}),
        (PartnerKind.RESELLER, Role.FINANCE, {"home", "programs.joined", "account.info"}),
    ],
)
def test_every_menu_entry_opens(
    page, live_server, sign_in, open_menu, console_errors, kind, role, expected
):
    distributor = (
        PartnerFactory(kind=PartnerKind.DISTRIBUTOR) if kind == PartnerKind.RESELLER else None
    )
    partner = PartnerFactory(kind=kind, distributor=distributor)
    member = MembershipFactory(
        partner=partner, role=role, user=UserFactory(email=f"{kind}-{role}@demo.test")
    )
    sign_in(member.user.email)
    opened = set(_open_every_menu_entry(page, live_server, open_menu))
    assert expected <= opened
    if role != Role.ADMIN:
        assert "org.members" not in opened
    assert console_errors == []


def test_activate_totp_and_sign_in_with_it(
    page, live_server, sign_in, open_menu, sp_admin, console_errors
):
    sign_in("sp-admin@demo.test")
    open_menu("#account-menu").locator("a[data-nav='account.security']").click()
    page.locator("a[href$='/accounts/2fa/totp/activate/']").click()
    if "reauthenticate" in page.url:
        page.fill("input[name=password]", "PartnerDemo!2026")
        page.click("main button[type=submit]")
    expect(page.get_by_test_id("totp-qr")).to_be_visible()
    secret = page.locator("#authenticator_secret").input_value()
    page.fill("input[name=code]", fresh_code(secret))
    page.click("main form button[type=submit]")
    expect(page.locator("main")).to_contain_text(re.compile("恢复码|Recovery"))
    # Sign out and back in: the second step asks for the authenticator code. (The page may still
    # be loading here: open_menu waits for Bootstrap's menu, see test_menus.py.)
    open_menu("#account-menu").locator("button[data-nav='account.logout']").click()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", "sp-admin@demo.test")
    page.fill("input[name=password]", "PartnerDemo!2026")
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile("/accounts/2fa/authenticate/"))
    # A code is accepted once per 30-second window; the live server shares this process's
    # cache, so forgetting the used code stands in for waiting for the next window.
    cache.clear()
    page.fill("input[name=code]", fresh_code(secret))
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_have_text("主页")
    assert console_errors == []


def test_the_eye_reveals_a_masked_email(page, live_server, sign_in, sp_admin):
    MembershipFactory(
        partner=sp_admin.partner, role=Role.SALES, user=UserFactory(email="colleague@demo.test")
    )
    sign_in("sp-admin@demo.test")
    page.goto(live_server.url + "/organisation/members/")
    row = page.locator("tr", has_text="c***@demo.test")
    expect(row).to_be_visible()
    row.get_by_role("button", name=re.compile("显示")).click()
    expect(page.locator("table")).to_contain_text("colleague@demo.test")
