"""代客下单 is for ordering, nothing else (issue 10 §2).

While a partner colleague acts for a customer, every route of the portal is tried with GET and
POST: the ordering pages work, everything else — the customer's relationship decisions, its
notices, credentials, the partner's own pages — answers 403 with a message and changes nothing.
The routes are found by walking the URL configuration, so a console page added later is covered
(or makes this test ask for its parameters).
"""

import re

import pytest
from django.apps import apps
from django.urls import URLResolver, get_resolver, reverse

from billing.models import Order, OrderStatus, Resource, ResourceStatus
from billing.services import funds
from billing.services import orders as order_svc
from customers.acting import ALLOWED_WHILE_ACTING, SESSION_KEY
from customers.models import (
    AssociationEvent,
    Authorization,
    AuthorizationStatus,
    EventStatus,
    NoticeSignature,
)
from customers.services import associations
from partnercenter.actor import Actor
from partnercenter.errors import PermissionRefused
from tests.customers.factories import customer_login

from .orders_fixtures import ON_DEMAND, PREPAID, authorize

pytestmark = pytest.mark.django_db

REFUSAL = "只能为其下单"  # "… you can only order for it …", in the portal's default language


def routes():
    """(url name, route with <converters>, view) for every URL pattern of the portal."""
    found = []

    def walk(patterns, prefix, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            else:
                found.append((f"{namespace}{p.name}", prefix + str(p.pattern), p.callback))

    walk(get_resolver().url_patterns, "", "")
    return found


def console_routes():
    return [(name, route) for name, route, view in routes() if getattr(view, "customer_console", 0)]


def other_portal_routes():
    """Every page that is neither the customer console nor the signed API nor the admin."""
    out = []
    for name, route, view in routes():
        if getattr(view, "customer_console", False) or name in ALLOWED_WHILE_ACTING:
            continue
        if name.startswith(("partnerapi:", "admin:")) or route.startswith("^v[23]/"):
            continue
        out.append((name, route))
    return out


def concrete(route, values):
    """The route with each <converter:name> (or regex group) replaced by values[name]."""

    def fill(match):
        name = match.group(1)
        assert name in values, f"{route}: give the test a value for <{name}>"
        return str(values[name])

    # allauth's few regex routes first: ^confirm-email/(?P<key>[-:\w]+)/$
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", fill, route).replace("^", "").replace("$", "")
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", fill, path)


def snapshot():
    """Every row of the portal's own tables and the sign-in tables, to prove nothing changed."""
    state = {}
    for label in ("customers", "billing", "partnercenter", "resellers", "auth", "account", "mfa"):
        for model in apps.get_app_config(label).get_models():
            state[model._meta.label] = list(model.objects.order_by("pk").values())
    return state


@pytest.fixture
def world(client, admin_member, finance_member, funded, resale, actor, catalogue):
    """A 代售 customer that authorised its partner, with everything its console can act on:
    its own pending disassociation request, a signed notice, a pending order, a running
    pay-per-use resource. The partner's admin is acting for it."""
    authorization = authorize(resale)
    funds.allocate(actor=actor(finance_member), customer_pk=resale.customer_id, amount="500.00")
    me = customer_login(resale.customer, "owner@customer.test")
    customer = Actor(user=me, customer=resale.customer)
    request = associations.customer_request_disassociation(actor=customer, reason="不再合作")
    signature = NoticeSignature.objects.create(
        customer=resale.customer,
        association=resale,
        user=me,
        association_type=2,
        version="resale-v1",
        language="zh-hans",
    )
    pending = order_svc.place_order(
        actor=customer, spec_id=catalogue["ecs"].pk, charging_mode=PREPAID
    )
    running = order_svc.place_order(
        actor=customer, spec_id=catalogue["eip"].pk, charging_mode=ON_DEMAND
    )
    resource = Resource.objects.get(order=running)
    client.force_login(admin_member.user)
    response = client.post(reverse("customers:act_start", args=[resale.customer_id]))
    assert response.status_code == 302 and client.session[SESSION_KEY] == resale.customer_id
    return {
        "client": client,
        "association": resale,
        "request": request,
        "authorization": authorization,
        "values": {
            "event_pk": request.pk,
            "signature_pk": signature.pk,
            "authorization_pk": authorization.pk,
            "order_id": pending.order_id,
            "spec_pk": catalogue["ecs"].pk,
            "resource_id": resource.resource_id,
        },
        "pending": pending,
        "resource": resource,
    }


# The `action` segment of the console routes that have one, with every value they accept.
ACTIONS = {
    "customers:console_authorization": ["grant", "refuse", "cancel"],
    "billing:console_order_action": ["pay", "cancel"],
}


def urls_of(name, route, values):
    if "<str:action>" in route:
        return [concrete(route, {**values, "action": a}) for a in ACTIONS[name]]
    return [concrete(route, values)]


def test_the_walk_finds_the_whole_customer_console():
    names = {name for name, _route in console_routes()}
    # If the mark on customer_required were lost, the tests below would pass by having nothing
    # to try: these routes must be found.
    assert {
        "customers:console",
        "customers:notice",
        "customers:console_disassociate",
        "customers:console_respond",
        "customers:console_cancel",
        "customers:console_authorization",
        "billing:console_products",
        "billing:console_order_new",
        "billing:console_order_action",
        "billing:console_release",
    } <= names
    assert len(other_portal_routes()) > 30


def test_the_acting_partner_cannot_cancel_the_customers_own_disassociation_request(world):
    response = world["client"].post(reverse("customers:console_cancel", args=[world["request"].pk]))
    assert response.status_code == 403
    assert REFUSAL in response.content.decode()
    assert AssociationEvent.objects.get(pk=world["request"].pk).status == EventStatus.PENDING


def test_every_console_route_but_ordering_is_refused_and_changes_nothing(world):
    client = world["client"]
    before = snapshot()
    tried = []
    for name, route in console_routes():
        if name in ALLOWED_WHILE_ACTING:
            continue
        for url in urls_of(name, route, world["values"]):
            for method in (client.get, client.post):
                response = method(url, {"reason": "伙伴代为操作", "decision": "agree"})
                tried.append(url)
                assert response.status_code == 403, (method.__name__, url, response.status_code)
                assert REFUSAL in response.content.decode(), url
    assert snapshot() == before
    # The customer's own disassociation request is still waiting for the customer.
    assert AssociationEvent.objects.get(pk=world["request"].pk).status == EventStatus.PENDING
    assert len(tried) >= 2 * 9


def test_every_other_page_of_the_portal_is_refused_while_acting(world):
    client = world["client"]
    values = {
        "customer_pk": world["association"].customer_id,
        "token": "x",
        "fmt": "csv",
        "kind": "customers",
    }

    class AnyValue(dict):
        def __contains__(self, key):
            return True

        def __missing__(self, key):
            return 1

    before = snapshot()
    for name, route in other_portal_routes():
        url = concrete(route, AnyValue(values))
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 403, (method.__name__, name, url, response.status_code)
            assert REFUSAL in response.content.decode(), (name, url)
    assert snapshot() == before
    assert client.session[SESSION_KEY] == world["association"].customer_id


def test_ordering_on_behalf_still_works(world, catalogue):
    client = world["client"]
    values = world["values"]
    assert client.get(reverse("home"))["Location"] == reverse("billing:console_products")
    for name in ("billing:console_products", "billing:console_orders", "billing:console_resources"):
        assert client.get(reverse(name)).status_code == 200, name
    assert (
        client.get(reverse("billing:console_order", args=[values["order_id"]])).status_code == 200
    )
    new = reverse("billing:console_order_new", args=[catalogue["ecs"].pk])
    assert client.get(new).status_code == 200
    placed = client.post(
        new,
        {
            "charging_mode": 1,
            "period_type": 2,
            "period_num": 1,
            "quantity": 1,
            "region_code": "cn-north-4",
            "submit": "1",
        },
    )
    assert placed.status_code == 302
    mine = Order.objects.filter(source_type=2).get()
    client.post(reverse("billing:console_order_action", args=[mine.order_id, "pay"]))
    client.post(reverse("billing:console_order_action", args=[values["order_id"], "cancel"]))
    assert Order.objects.get(pk=mine.pk).status == OrderStatus.COMPLETED
    assert Order.objects.get(pk=world["pending"].pk).status == OrderStatus.CANCELLED
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302 and client.session[SESSION_KEY]
    # Nothing the acting colleague did touched the relationship.
    assert AssociationEvent.objects.get(pk=world["request"].pk).status == EventStatus.PENDING
    assert client.post(reverse("customers:act_stop")).status_code == 302
    assert SESSION_KEY not in client.session


def test_the_menu_while_acting_offers_only_ordering(world):
    page = world["client"].get(reverse("billing:console_products")).content.decode()
    for href in ("/console/products/", "/console/orders/", "/console/resources/"):
        assert f'href="{href}"' in page
    for name in ("customers:console", "access_keys", "api_guide", "notifications", "mfa_index"):
        assert f'href="{reverse(name)}"' not in page, name
    # A running pay-per-use resource is released by the customer itself, not by its partner.
    resources = world["client"].get(reverse("billing:console_resources")).content.decode()
    assert world["resource"].name in resources
    assert reverse("billing:console_release", args=[world["resource"].resource_id]) not in resources


def test_a_refused_htmx_request_is_sent_to_a_page_that_says_why(world):
    client = world["client"]
    response = client.post(
        reverse("customers:console_cancel", args=[world["request"].pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 403
    assert response["HX-Redirect"] == reverse("billing:console_products")
    page = client.get(response["HX-Redirect"]).content.decode()
    assert REFUSAL in page
    assert AssociationEvent.objects.get(pk=world["request"].pk).status == EventStatus.PENDING


# --- the services refuse on their own --------------------------------------------------------


def _acting_actor(world, admin_member):
    customer = world["association"].customer
    return Actor(
        user=admin_member.user,
        partner=admin_member.partner,
        membership=admin_member,
        acting_as=customer,
        customer=customer,
    )


def test_the_service_refuses_a_partner_acting_for_the_customer_to_cancel_its_request(
    world, admin_member
):
    with pytest.raises(PermissionRefused):
        associations.cancel_request(
            actor=_acting_actor(world, admin_member), event_id=world["request"].pk
        )
    assert AssociationEvent.objects.get(pk=world["request"].pk).status == EventStatus.PENDING


def test_the_customer_itself_still_cancels_its_request(world):
    me = world["association"].customer.logins.get().user
    associations.cancel_request(
        actor=Actor(user=me, customer=world["association"].customer), event_id=world["request"].pk
    )
    assert AssociationEvent.objects.get(pk=world["request"].pk).status == EventStatus.CANCELLED


def test_the_service_refuses_a_partner_acting_for_the_customer_to_release_its_resources(
    world, admin_member
):
    with pytest.raises(PermissionRefused):
        order_svc.release_resource(
            actor=_acting_actor(world, admin_member), resource_id=world["resource"].resource_id
        )
    assert Resource.objects.get(pk=world["resource"].pk).status == ResourceStatus.ACTIVE
    assert Authorization.objects.get(pk=world["authorization"].pk).status == (
        AuthorizationStatus.GRANTED
    )
