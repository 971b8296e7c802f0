"""Menus opened while the page is still loading (issue 10 §9).

Until static/js/app.js has run, app.css opens a menu on hover and focus (the page works without
JavaScript). A menu clicked open in that moment used to close again as soon as the scripts
arrived — the cause of a flaky test that clicked the account menu right after a form post."""

import re

import pytest
from playwright.sync_api import expect

from partnercenter.models import Role
from tests.factories import MembershipFactory, PartnerFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def member(db):
    return MembershipFactory(
        partner=PartnerFactory(name="云途科技有限公司"),
        role=Role.ADMIN,
        user=UserFactory(email="menus@demo.test"),
    )


@pytest.mark.parametrize(
    "toggle, item",
    [
        ("#account-menu", "button[data-nav='account.logout']"),
        ("header nav a.dropdown-toggle[data-nav='org']", "a[data-nav='org.members']"),
    ],
    ids=["account-menu", "main-menu"],
)
def test_a_menu_opened_before_the_scripts_ran_stays_open(
    page, live_server, sign_in, member, console_errors, toggle, item
):
    sign_in(member.user.email)
    # Hold Bootstrap (and app.js, which the browser runs after it) until the menu is open.
    held = []
    page.route("**/vendor/bootstrap/js/bootstrap.bundle.min.js", lambda route: held.append(route))
    page.goto(live_server.url + "/programs/", wait_until="commit")
    expect(page.locator(toggle)).to_be_visible()
    expect(page.locator("html")).to_have_class(re.compile(r"\bno-js\b"))
    page.click(toggle)
    expect(page.locator(item)).to_be_visible()  # the no-JavaScript menu, opened by CSS
    assert len(held) == 1  # requested from <head>, long before the menu was clickable
    held[0].continue_()
    page.unroute("**/vendor/bootstrap/js/bootstrap.bundle.min.js")
    expect(page.locator("html")).not_to_have_class(re.compile(r"\bno-js\b"))
    expect(page.locator(item)).to_be_visible()
    page.click(item)
    page.wait_for_load_state()
    assert console_errors == []
