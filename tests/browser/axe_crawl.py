"""The accessibility crawl: every page the navigation reaches, for one demo persona in one language,
checked with axe-core (npm, node_modules/axe-core) against WCAG 2.2 A/AA.

The crawl knows no list of pages. It starts at the persona's home and follows what a person can
click: the header's menus and account menu, then the links in each page's content — the admin
index's changelists and add pages, a list's rows (its detail pages), a page's tabs. A page added
later is checked as soon as a menu or a page links to it.
"""

import io
import re
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from pytest_django.live_server_helper import LiveServer

AXE_JS = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "PartnerDemo!2026"
LANGUAGES = ("zh-hans", "en")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SERIOUS = ["serious", "critical"]

NAV_LINKS = "header a[href]"  # the menu tree and the account menu (home page only)
CONTENT_LINKS = "main a[href]"
TAB_LINKS = "main .nav a[href]"  # tabs and pills: a different query is a different page
CURRENT_TAB = "main .nav a[href].active, main .nav a[href][aria-current]"
# Links that end the session or delete something, and links that are not pages.
NEVER_FOLLOW = re.compile(
    r"logout|/delete/|/switch-role/|/admin/r/|/jsi18n/|^/static/|^/media/|^/exports/\d+/"
)
# home (0) → a menu's page (1) → what its content links to (2: a list's detail page, a tab, an
# admin changelist or add page) → one step more (3: an admin object, a detail page's dialog).
MAX_DEPTH = 3
# Query parameters that never make a different page.
NOT_A_PAGE_PARAM = {"back", "next", "page", "o", "q", "_changelist_filters"}

AXE_RUN = """async ([tags, serious, within]) => {
    const result = await axe.run(within ? document.querySelector(within) : document, {
        runOnly: {type: "tag", values: tags},
        resultTypes: ["violations"],
    });
    return result.violations
        .map(v => ({
            rule: v.id,
            nodes: v.nodes
                .filter(n => serious.includes(n.impact))
                .map(n => n.target.join(" ") + "  " + n.html.replace(/\\s+/g, " ").slice(0, 160)),
        }))
        .filter(v => v.nodes.length);
}"""


def seed_and_serve(django_db_setup, django_db_blocker):
    """The demo data in the test database and a live server, shared by the tests of one module:
    seeding is the slow part and the crawl only reads. Afterwards the database is flushed, as
    after any transactional test."""
    with django_db_blocker.unblock():
        # Never seed, let alone flush, a real database (the tests' django_db mark makes
        # pytest-django set up the test database even when only these tests run).
        assert connection.settings_dict["NAME"].startswith("test_"), "not the test database"
        call_command("seed_demo", stdout=io.StringIO())
        server = LiveServer("localhost")
        try:
            yield server
        finally:
            server.stop()
            call_command("flush", interactive=False, verbosity=0)


def page_key(url, keep_query=False):
    """Pages of one kind are one page (a path segment with a digit stands for any object);
    a tab is a page of its own."""
    parts = urlsplit(url)
    path = "/".join("N" if re.search(r"\d", seg) else seg for seg in parts.path.split("/"))
    # Every admin object's history is one and the same Django page, whatever the model.
    path = re.sub(r"^/admin/[^/]+/[^/]+/N/history/$", "/admin/*/*/N/history/", path)
    if not keep_query:
        return path
    query = sorted((k, v) for k, v in parse_qsl(parts.query) if k not in NOT_A_PAGE_PARAM)
    return path + ("?" + urlencode(query) if query else "")


def totp_code(email):
    """The current code of the person's authenticator, early enough in its 30-second window to
    still be valid when the page submits it."""
    authenticator = Authenticator.objects.get(user__email=email, type=Authenticator.Type.TOTP)
    secret = get_mfa_adapter().decrypt(authenticator.data["secret"])
    while 30 - time.time() % 30 < 5:
        time.sleep(0.5)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def sign_in(page, base, email, language):
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}]
    )
    page.goto(base + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    if page.locator("input[name=code]").count():  # a second factor (staff must have one)
        page.fill("input[name=code]", totp_code(email))
        page.click("main button[type=submit]")
        page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"{email} could not sign in"
    assert "/accounts/2fa/authenticate/" not in page.url, f"{email}: the TOTP code was refused"


def _links(page, selector, base):
    # A link with a download attribute saves a file: it is not a page.
    hrefs = page.eval_on_selector_all(
        selector,
        "els => els.filter(a => !a.hasAttribute('download')).map(a => a.getAttribute('href'))",
    )
    out = []
    for href in hrefs:
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        url = urljoin(page.url, href).split("#")[0]
        if url.startswith(base + "/") and not NEVER_FOLLOW.search(urlsplit(url).path):
            out.append(url)
    return out


def _axe(page, within=None):
    return page.evaluate(AXE_RUN, [WCAG_TAGS, SERIOUS, within])


def _check_menus(page):
    """The header's menus are hidden until opened, and axe skips what is hidden: open each one
    (the same on every page) and check it open."""
    found = []
    toggles = page.locator("header [data-bs-toggle='dropdown']")
    for i in range(toggles.count()):
        toggle = toggles.nth(i)
        toggle.click()
        page.locator("header .dropdown-menu.show").wait_for()
        name = f"{page.url} (menu {toggle.inner_text().strip()})"
        found += [(name, v["rule"], v["nodes"]) for v in _axe(page, "header .dropdown-menu.show")]
        page.keyboard.press("Escape")
    return found


def crawl(page, base, language):
    """Open every page the navigation reaches and run axe on it.

    Returns the pages opened and the serious/critical violations as (url, rule, [nodes]).
    """
    lang_prefix = language.split("-")[0]
    queue = [(base + "/", 0, False)]
    seen = set()
    opened, violations = [], []
    while queue:
        url, depth, is_tab = queue.pop(0)
        if page_key(url, is_tab) in seen:
            continue
        seen.add(page_key(url, is_tab))
        try:
            response = page.goto(url)
        except Exception as exc:
            if "Download is starting" in str(exc):  # a file, not a page
                continue
            raise
        landed = page.url
        if not landed.startswith(base + "/") or NEVER_FOLLOW.search(urlsplit(landed).path):
            continue
        if landed != url:  # redirected: the page it lands on is the page
            if page_key(landed, is_tab) in seen:
                continue
            seen.add(page_key(landed, is_tab))
        if response is not None and response.status >= 400:
            violations.append((landed, f"HTTP {response.status}", ["the link leads to an error"]))
            continue
        if response is not None and response.headers.get("content-type", "").startswith("image/"):
            continue
        opened.append(landed)
        # Each page renders in the session's language (and says so).
        lang = page.evaluate("document.documentElement.lang")
        if not lang.lower().startswith(lang_prefix):
            violations.append(
                (landed, "language", [f'<html lang="{lang}"> in a {language} session'])
            )
        violations += [(landed, v["rule"], v["nodes"]) for v in _axe(page)]
        if depth == 0:
            violations += _check_menus(page)
        # The tab already shown is this page.
        seen.update(page_key(u, True) for u in _links(page, CURRENT_TAB, base))
        if depth >= MAX_DEPTH:
            continue
        tabs = set(_links(page, TAB_LINKS, base))
        found = _links(page, CONTENT_LINKS, base)
        if depth == 0:
            found = _links(page, NAV_LINKS, base) + found
        queue += [(u, depth + 1, u in tabs) for u in found]
    return opened, violations


def describe(email, language, opened, violations):
    lines = [
        f"{email} [{language}]: {len(violations)} serious or critical WCAG 2.2 A/AA violation(s) "
        f"on {len({v[0] for v in violations})} of {len(opened)} pages:"
    ]
    for url, rule, nodes in violations:
        parts = urlsplit(url)
        lines.append(f"  {parts.path}{'?' + parts.query if parts.query else ''}  {rule}")
        lines += [f"      {node}" for node in nodes[:10]]
        if len(nodes) > 10:
            lines.append(f"      … and {len(nodes) - 10} more")
    return "\n".join(lines)


def start_acting(page, base, customer_pk):
    """代客下单: the confirm step on the customer's order-on-behalf page, as a person does it.
    From then on the session is the customer's console, with its own navigation."""
    page.goto(f"{base}/customers/{customer_pk}/order-on-behalf/")
    page.get_by_test_id("acting-confirm").click()
    page.wait_for_load_state()
    assert "/console/" in page.url, f"acting did not start: {page.url}"


def check_persona(browser, server, email, language, *, acting_for=None):
    """Sign in as the persona in the language and crawl; fail listing page, rule and nodes.
    With `acting_for` (a customer's pk) the crawl is of what the persona reaches while acting
    for that customer (代客下单)."""
    context = browser.new_context(
        # axe is the test's own script: the test's browser context bypasses the CSP for it, and
        # the portal's CSP stays exactly as strict as in production.
        bypass_csp=True,
        viewport={"width": 1366, "height": 900},
        locale="zh-CN" if language == "zh-hans" else "en-US",
    )
    # Into every page before its own scripts: measured cheaper than a <script> added after load.
    context.add_init_script(path=str(AXE_JS))
    try:
        page = context.new_page()
        sign_in(page, server.url, email, language)
        if acting_for is not None:
            start_acting(page, server.url, acting_for)
            email = f"{email} acting for customer {acting_for}"
        opened, violations = crawl(page, server.url, language)
    finally:
        context.close()
    assert len(opened) > 1, f"{email} [{language}]: the crawl reached no page beyond home"
    if violations:
        pytest.fail(describe(email, language, opened, violations), pytrace=False)
    return opened
