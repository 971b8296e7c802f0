"""Playwright in Debian's Chromium (its own browser download cannot work here)."""

import os
import re
import time

import pytest
from playwright.sync_api import expect

os.environ.setdefault(
    "DJANGO_ALLOW_ASYNC_UNSAFE", "true"
)  # Playwright's sync API runs an event loop

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1366, "height": 900}, "locale": "zh-CN"}


@pytest.fixture
def console_errors(page):
    """Collects console errors (CSP violations show up here) for a test to assert on."""
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def second_factor_code(email):
    """The current code of the user's authenticator app, as `manage.py demo_code` prints it,
    taken early enough in its 30-second window to still be valid when the page submits it."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP
    from django.core.cache import cache

    from partnercenter.demo import current_code
    from partnercenter.models import User

    user = User.objects.get(email=email)
    code, seconds = current_code(user)
    if seconds < 6:
        time.sleep(seconds + 0.5)
        code, seconds = current_code(user)
    # allauth accepts a code once per window; the live server shares this process's cache, so
    # forgetting that an earlier sign-in used it stands in for waiting for the next window.
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    cache.delete(TOTP(authenticator)._get_used_cache_key(code))
    return code


@pytest.fixture
def sign_in(page, live_server):
    """Signs in through allauth's pages, with the authenticator code when the account has one."""

    def _sign_in(email, password="PartnerDemo!2026", context_page=None):
        p = context_page or page
        p.goto(live_server.url + "/accounts/login/")
        p.fill("input[name=login]", email)
        p.fill("input[name=password]", password)
        p.click("main button[type=submit]")
        p.wait_for_load_state()
        if "/accounts/2fa/authenticate/" in p.url:
            p.fill("input[name=code]", second_factor_code(email))
            p.click("main button[type=submit]")
            p.wait_for_load_state()
        return p

    return _sign_in


@pytest.fixture
def open_menu(page):
    """Click a menu's toggle (a selector or a locator) and wait until Bootstrap has opened the
    menu — not merely the no-JavaScript CSS of a page still loading — and return the menu."""

    def _open(toggle, p=None):
        p = p or page
        toggle = p.locator(toggle) if isinstance(toggle, str) else toggle
        toggle.click()
        menu = toggle.locator("xpath=following-sibling::*[contains(@class, 'dropdown-menu')][1]")
        expect(menu).to_have_class(re.compile(r"\bshow\b"))
        return menu

    return _open
