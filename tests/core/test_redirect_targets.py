"""Every `next` / `back` target the portal follows or writes into a page stays on this site.

Each view that takes a target is fed four hostile ones — another site, a scheme-relative
`//host`, the backslash trick `/\\host` (browsers read it as `//host`) and a `javascript:` URL —
and must redirect to a local path and never write one of them into an `href` or a hidden field.
"""

import html
import inspect
import re
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.urls import reverse

from billing import ledger
from billing.services import funds as customer_funds
from customers.models import AssociationType
from partnercenter import masking
from partnercenter.models import Notification, NotificationCategory
from resellers.models import ApplicationStatus
from resellers.services import funds as reseller_funds
from tests.billing.conftest import fund
from tests.customers.factories import AssociationFactory, CustomerFactory
from tests.resellers.conftest import (  # noqa: F401  (fixtures)
    make_application,
    reviewer,
    reviewer_actor,
)

pytestmark = pytest.mark.django_db

EVIL = [
    "https://evil.example/phish",
    "//evil.example/phish",
    "/\\evil.example/phish",
    "javascript:alert(document.domain)",
]
HTMX = {"HTTP_HX_REQUEST": "true"}


def assert_local(location):
    """A redirect target a browser resolves to this site (the page's own address may carry the
    hostile value in its query string: that is not a target)."""
    assert location.startswith("/"), location
    assert not location.startswith(("//", "/\\")), location
    assert not any(ord(c) < 32 for c in location), location


_ATTR = re.compile(r'\b(href|action|hx-get|hx-post)="([^"]*)"')
_TARGET_INPUT = re.compile(r'<input[^>]*\bname="(?:next|back)"[^>]*>')


def assert_page_safe(response, *, target_inputs=True):
    body = response.content.decode()
    for _name, raw in _ATTR.findall(body):
        value = html.unescape(raw).strip()
        assert not value.lower().startswith("javascript:"), value
        if "evil.example" in value:
            # Only inside this page's own address (a local path carrying the query string).
            assert value.startswith("/") and not value.startswith(("//", "/\\")), value
    for tag in _TARGET_INPUT.findall(body) if target_inputs else ():
        value = html.unescape(re.search(r'value="([^"]*)"', tag).group(1))
        assert_local(value)


def assert_redirects_home_ground(response):
    assert response.status_code in (301, 302, 303), response.status_code
    assert_local(response["Location"])


# --- The scenarios: each view that reads a target ---------------------------------------------


@pytest.fixture
def resale(partner):
    return AssociationFactory(
        partner=partner,
        association_type=AssociationType.RESALE,
        customer=CustomerFactory(name="代售客户甲"),
    )


@pytest.fixture
def funded(partner):
    fund(partner, recharge="1000.00")
    return partner


def customer_adjust_dialog(client, target, *, admin_member, resale, funded, **_):
    client.force_login(admin_member.user)
    url = reverse("billing:adjust", args=[resale.customer_id, "allocate"])
    assert_page_safe(client.get(url, {"back": target}))
    assert_page_safe(client.get(url, {"back": target}, **HTMX))
    review = client.post(
        url, {"amount": "1.00", "request_key": f"k-{target}", "back": target}, **HTMX
    )
    assert_page_safe(review)
    done = client.post(
        url,
        {"amount": "1.00", "request_key": f"k-{target}", "step": "confirm", "back": target},
        **HTMX,
    )
    assert_page_safe(done)
    assert 'data-testid="adjust-success"' in done.content.decode()
    plain = client.post(
        url + "?" + urlencode({"back": target}),
        {"amount": "2.00", "request_key": f"p-{target}", "step": "confirm", "back": target},
    )
    assert_redirects_home_ground(plain)
    # The money moved: the target is refused, not the allocation.
    assert ledger.customer_account(resale.customer).balance > 0


def customer_recover_dialog(client, target, *, admin_member, resale, funded, actor, **_):
    customer_funds.allocate(
        actor=actor(admin_member), customer_pk=resale.customer_id, amount=Decimal("5.00")
    )
    client.force_login(admin_member.user)
    url = reverse("billing:adjust", args=[resale.customer_id, "recover"])
    assert_page_safe(client.get(url, {"back": target}))
    plain = client.post(
        url, {"amount": "1.00", "request_key": f"r-{target}", "step": "confirm", "back": target}
    )
    assert_redirects_home_ground(plain)


def reseller_adjust_dialog(client, target, *, distributor_admin, reseller, distributor, actor, **_):
    fund(distributor, recharge="100.00")
    client.force_login(distributor_admin.user)
    for action in ("allocate", "recover"):
        if action == "recover":
            reseller_funds.allocate(
                actor=actor(distributor_admin), reseller_pk=reseller.pk, amount="5.00"
            )
        url = reverse("resellers:adjust", args=[reseller.pk, action])
        assert_page_safe(client.get(url, {"back": target}))
        assert_page_safe(client.get(url, {"back": target}, **HTMX))
        plain = client.post(
            url + "?" + urlencode({"back": target}),
            {"amount": "1.00", "request_key": f"{action}-{target}", "step": "confirm"},
        )
        assert_redirects_home_ground(plain)
        plain = client.post(
            url,
            {
                "amount": "1.00",
                "request_key": f"{action}2-{target}",
                "step": "confirm",
                "next": target,
            },
        )
        assert_redirects_home_ground(plain)


def reseller_review_dialog(client, target, *, distributor_admin, make_application, **_):  # noqa: F811
    application = make_application(ApplicationStatus.PENDING_DISTRIBUTOR)
    client.force_login(distributor_admin.user)
    url = reverse("resellers:review_one", args=[application.pk])
    assert_page_safe(client.get(url, {"back": target}))
    assert_page_safe(client.get(url, {"back": target}, **HTMX))
    answered = client.post(url, {"decision": "approve", "back": target})
    assert_redirects_home_ground(answered)


def reseller_batch_review(client, target, *, distributor_admin, make_application, **_):  # noqa: F811
    application = make_application(ApplicationStatus.PENDING_DISTRIBUTOR)
    client.force_login(distributor_admin.user)
    url = reverse("resellers:review_batch")
    assert_redirects_home_ground(client.post(url, {"decision": "approve", "next": target}))
    assert_redirects_home_ground(
        client.post(url, {"ids": [application.pk], "decision": "reject", "next": target})
    )


def customer_row_actions(client, target, *, admin_member, resale, **_):
    client.force_login(admin_member.user)
    assign = reverse("customers:assign_manager")
    # Nothing selected: the early answer goes back too.
    assert_redirects_home_ground(client.post(assign, {"next": target}))
    assert_redirects_home_ground(
        client.post(
            assign,
            {"ids": [resale.pk], "account_manager": admin_member.pk, "next": target},
        )
    )
    assert_redirects_home_ground(
        client.post(
            assign + "?" + urlencode({"next": target}),
            {"ids": [resale.pk], "account_manager": ""},
        )
    )
    authorize = reverse("customers:authorize", args=[resale.customer_id])
    assert_redirects_home_ground(client.post(authorize, {"next": target}))


def reseller_row_actions(client, target, *, distributor_admin, reseller, **_):
    client.force_login(distributor_admin.user)
    assign = reverse("resellers:assign_manager")
    assert_redirects_home_ground(client.post(assign, {"next": target}))
    assert_redirects_home_ground(
        client.post(assign, {"ids": [reseller.pk], "account_manager": "nobody", "back": target})
    )
    assert_redirects_home_ground(
        client.post(
            assign,
            {"ids": [reseller.pk], "account_manager": distributor_admin.pk, "next": target},
        )
    )
    authorization = reverse("resellers:authorization", args=[reseller.pk])
    assert_redirects_home_ground(client.post(authorization, {"action": "grant", "next": target}))


def reveal_and_hide(client, target, *, admin_member, sales_member, **_):
    client.force_login(admin_member.user)
    token = masking.token_for("members.user", sales_member.user.pk, "email")
    for name in ("reveal", "hide"):
        assert_redirects_home_ground(client.post(reverse(name), {"token": token, "next": target}))
        assert_page_safe(client.post(reverse(name), {"token": token, "next": target}, **HTMX))


def export_refused(client, target, *, admin_member, **_):
    client.force_login(admin_member.user)
    url = reverse("export_start", args=["customers"])
    assert_redirects_home_ground(client.post(url, {"mode": "selected", "next": target}))


def notification_link(client, target, *, admin_member, **_):
    n = Notification.objects.create(
        recipient=admin_member.user,
        category=NotificationCategory.FUNDS,
        title="t",
        url=target,
    )
    client.force_login(admin_member.user)
    url = reverse("notification_read", args=[n.pk])
    assert_redirects_home_ground(client.post(url, {"open": "1"}))


def language_switch(client, target, *, admin_member, **_):
    client.force_login(admin_member.user)
    url = reverse("set_language")
    assert_redirects_home_ground(client.post(url, {"language": "en", "next": target}))
    assert_redirects_home_ground(
        client.post(url, {"language": "en"}, HTTP_REFERER=target.replace("/\\", "//"))
    )


def sign_in_and_out(client, target, *, admin_member, **_):
    login = reverse("account_login")
    # allauth echoes the raw `next` into its own hidden field (escaped, never a link); what
    # matters is that posting it back is checked — through partnercenter.redirects.
    assert_page_safe(client.get(login, {"next": target}), target_inputs=False)
    signed_in = client.post(
        login,
        {"login": admin_member.user.email, "password": "PartnerDemo!2026", "next": target},
    )
    assert_redirects_home_ground(signed_in)
    assert_redirects_home_ground(client.post(reverse("account_logout"), {"next": target}))


SCENARIOS = [
    customer_adjust_dialog,
    customer_recover_dialog,
    reseller_adjust_dialog,
    reseller_review_dialog,
    reseller_batch_review,
    customer_row_actions,
    reseller_row_actions,
    reveal_and_hide,
    export_refused,
    notification_link,
    language_switch,
    sign_in_and_out,
]


@pytest.mark.parametrize("target", EVIL, ids=["offsite", "scheme-relative", "backslash", "js"])
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__)
def test_every_redirect_target_stays_on_site(scenario, target, client, request):
    names = [
        p.name for p in inspect.signature(scenario).parameters.values() if p.kind is p.KEYWORD_ONLY
    ]
    scenario(client, target, **{name: request.getfixturevalue(name) for name in names})


def test_a_local_target_is_still_followed(client, admin_member, resale, funded):
    client.force_login(admin_member.user)
    back = reverse("customers:detail", args=[resale.customer_id]) + "?tab=overview"
    url = reverse("billing:adjust", args=[resale.customer_id, "allocate"])
    done = client.post(
        url, {"amount": "1.00", "request_key": "local", "step": "confirm", "back": back}
    )
    assert done.status_code == 302 and done["Location"] == back


def test_no_view_reads_a_target_without_the_one_check():
    """A new view that reads `next`/`back`/the Referer itself, instead of through
    partnercenter.redirects, fails here before it can redirect anywhere."""
    base = Path(settings.BASE_DIR)
    pattern = re.compile(
        r"""(GET|POST|REQUEST)\.get(list)?\(\s*["'](next|back|return|return_to|redirect_to)["']"""
        r"""|HTTP_REFERER|headers\.get\(\s*["']Referer"""
    )
    offenders = []
    for app in ("partnercenter", "customers", "billing", "resellers"):
        for path in (base / app).rglob("*.py"):
            if path.name == "redirects.py" or "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if pattern.search(line):
                    offenders.append(f"{path.relative_to(base)}:{number}: {line.strip()}")
    assert offenders == []
