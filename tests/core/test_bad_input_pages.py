"""Odd input a page reads on its own — a date at the end of the calendar, a 40-digit id, a NUL
character — is a clear refusal, never a 500 (issue 10 §5).

The list pages are crawled: every list with a date filter gets both extremes, every URL
pattern with an id gets 40 digits, and every filter parameter of every list gets a NUL.
"""

import html
import re
from datetime import date

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter

from partnercenter.ids import IdConverter, parse_id, parse_ids
from tests.customers.factories import AssociationFactory

pytestmark = pytest.mark.django_db

# (persona fixture, url name, query) for every list page with a filter form.
LISTS = [
    ("admin_member", "customers:list", {}),
    ("admin_member", "customers:records", {}),
    ("admin_member", "customers:invitations", {}),
    ("admin_member", "billing:orders", {}),
    ("admin_member", "billing:consumption", {}),
    ("admin_member", "billing:adjustments", {}),
    ("admin_member", "billing:funds", {"tab": "details"}),
    ("admin_member", "finance:contracts", {"tab": "contracts"}),
    ("admin_member", "finance:contracts", {"tab": "business"}),
    ("admin_member", "audit_log", {}),
    ("distributor_admin", "resellers:list", {}),
    ("distributor_admin", "resellers:review", {}),
    ("distributor_admin", "billing:adjustments", {}),
    ("distributor_admin", "customers:list", {"tab": "resellers"}),
]


@pytest.fixture
def as_persona(client, request):
    def _as(persona):
        client.cookies["django_language"] = "en"
        client.force_login(request.getfixturevalue(persona).user)
        return client

    return _as


def _date_fields(form):
    from django import forms

    return [name for name, f in form.fields.items() if isinstance(f, forms.DateField)]


# --- Dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona,name,query", LISTS, ids=lambda v: v if isinstance(v, str) else "")
def test_a_date_at_either_end_of_the_calendar_is_a_form_error(as_persona, persona, name, query):
    client = as_persona(persona)
    url = reverse(name)
    page = client.get(url, query)
    fields = _date_fields(page.context["form"])
    for field in fields:
        for extreme in ("0001-01-01", "9999-12-31", "1899-12-31", "3000-01-01"):
            response = client.get(url, {**query, field: extreme})
            assert response.status_code == 200, (field, extreme)
            body = html.unescape(response.content.decode())
            assert "Enter a date between 1900-01-01 and 2999-12-31." in body, (field, extreme)
            # htmx answers only the table: no 500 there either.
            table = client.get(url, {**query, field: extreme}, HTTP_HX_REQUEST="true")
            assert table.status_code == 200, (field, extreme)
        both = client.get(url, {**query, fields[0]: "9999-12-31", fields[-1]: "9999-12-31"})
        assert both.status_code == 200
    # An ordinary range still filters.
    if fields:
        ok = client.get(url, {**query, fields[0]: "2020-01-01", fields[-1]: date.today()})
        assert ok.status_code == 200 and not ok.context["form"].errors


def test_every_list_with_a_date_filter_is_in_the_crawl(as_persona):
    """The crawl above would miss a new dated list: every DateRangeMixin form must be met."""
    from partnercenter.forms import DateRangeMixin

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    seen = set()
    for persona, name, query in LISTS:
        form = as_persona(persona).get(reverse(name), query).context["form"]
        seen.add(type(form))
    dated = {c for c in subclasses(DateRangeMixin) if not c.__name__.startswith("_")}
    assert dated <= seen, dated - seen


@pytest.mark.parametrize(
    "name,param", [("billing:consumption", "month"), ("finance:bills", "cycle")]
)
@pytest.mark.parametrize("value", ["0001-01", "9999-12", "0000-01", "١٢٣٤-01", "2026-13"])
def test_month_filters_at_the_ends_of_the_calendar(as_persona, name, param, value):
    response = as_persona("admin_member").get(reverse(name), {param: value})
    assert response.status_code == 200


# --- Ids ------------------------------------------------------------------------------------

PORTAL_MODULES = ("partnercenter.views", "billing.views", "customers.views", "resellers.views")


def _patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def _portal_patterns():
    for route, p in _patterns():
        module = getattr(p.callback, "__module__", "")
        if module.startswith(PORTAL_MODULES):
            yield route, p


def test_no_portal_url_takes_an_unbounded_int():
    routes = list(_portal_patterns())
    assert len(routes) > 40  # the walk found the portal
    unbounded = [
        route
        for route, p in routes
        if any(isinstance(c, IntConverter) for c in p.pattern.converters.values())
    ]
    assert unbounded == []


ARGS = {
    "action": "allocate",
    "event_type": "disassociate",
    "fmt": "csv",
    "kind": "customers",
    "token": "x",
    "order_id": "x",
    "resource_id": "x",
}


def _id_routes():
    for route, p in _portal_patterns():
        converters = p.pattern.converters
        if any(isinstance(c, IdConverter) for c in converters.values()):
            yield route, p


ID_ROUTES = [route for route, _p in _id_routes()]


@pytest.mark.parametrize("route", ID_ROUTES)
def test_a_40_digit_id_in_any_portal_path_is_a_404_without_a_query(
    route, client, admin_member, django_assert_num_queries
):
    def value(match):
        converter, name = match.group(1) or "str", match.group(2)
        return "9" * 40 if converter == "id" else ARGS.get(name, "x")

    path = "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route)
    assert "<" not in path, path
    # Anonymous: the answer comes before any session, user or record is read.
    with django_assert_num_queries(0):
        assert client.get(path).status_code == 404
        assert client.post(path).status_code in (403, 404)  # 403: CSRF refuses first
    client.force_login(admin_member.user)
    assert client.get(path).status_code == 404
    # Eighteen digits is the largest id a path may carry: a miss, not an overflow.
    small = path.replace("9" * 40, "9" * 18)
    assert client.get(small).status_code in (302, 403, 404, 405)
    assert client.post(small).status_code in (302, 400, 403, 404)


def test_ids_posted_by_forms_are_read_safely(client, admin_member, partner):
    assert parse_ids(["1", " 2 ", "2", "²", "١", "9" * 19, "9" * 18, "-3", "", "x"]) == [
        1,
        2,
        int("9" * 18),
    ]
    assert parse_id("²") is None and parse_id("9" * 40) is None and parse_id("7") == 7
    association = AssociationFactory(partner=partner)
    client.force_login(admin_member.user)
    for manager in ("²", "9" * 40, "abc"):
        response = client.post(
            reverse("customers:assign_manager"),
            {"ids": [association.pk, "²", "9" * 40], "account_manager": manager},
        )
        assert response.status_code == 302
    response = client.post(reverse("billing:batch_recover"), {"ids": ["²", "9" * 40]})
    assert response.status_code == 302


# --- NUL ------------------------------------------------------------------------------------

NUL_MESSAGE = "contains a NUL character (U+0000)"


@pytest.mark.parametrize("persona,name,query", LISTS, ids=lambda v: v if isinstance(v, str) else "")
def test_a_nul_in_any_filter_parameter_is_a_400_that_names_it(as_persona, persona, name, query):
    client = as_persona(persona)
    url = reverse(name)
    form = client.get(url, query).context["form"]
    params = [*form.fields, "page", "tab", "sort", "account", "q"]
    for param in params:
        for value in ("a\x00b", "\x00"):
            response = client.get(url, {**query, param: value}, HTTP_HX_REQUEST="true")
            assert response.status_code == 400, param
            body = html.unescape(response.content.decode())
            assert f"“{param}” {NUL_MESSAGE}" in body
    assert client.get(url, {**query, "x\x00": "1"}).status_code == 400


def test_a_nul_in_a_form_field_a_path_a_cookie_or_a_header(client, admin_member):
    client.cookies["django_language"] = "en"
    client.force_login(admin_member.user)
    claim = client.post(
        reverse("billing:funds") + "?tab=recharge",
        {"amount": "1", "remitted_on": "2026-01-01", "payer": "a\x00", "reference": "r"},
    )
    assert claim.status_code == 400 and "“payer” " + NUL_MESSAGE in claim.content.decode()
    hidden = client.post(reverse("customers:assign_manager"), {"ids": "1\x00"})
    assert hidden.status_code == 400
    for path in ("/join/%00/", "/invite/a%00b/", "/reseller-program/join/%00/"):
        response = client.get(path)
        assert response.status_code == 400 and NUL_MESSAGE in response.content.decode()
    assert client.get(reverse("home"), HTTP_X_ANYTHING="a\x00").status_code == 400
    client.cookies["sessionid"] = "abc\x00def"
    assert client.get(reverse("home")).status_code == 400


def test_the_refusal_speaks_the_visitors_language(client):
    zh = client.get(reverse("customers:list"), {"name": "\x00"})
    assert zh.status_code == 400 and 'lang="zh-CN"' in zh.content.decode()
    client.cookies["django_language"] = "en"
    en = client.get(reverse("customers:list"), {"name": "\x00"})
    assert 'lang="en"' in en.content.decode() and NUL_MESSAGE in en.content.decode()


def test_the_api_keeps_its_own_answer_for_a_nul(client):
    # /v2/ and /v3/ answer in their JSON envelope (checked by the API itself), not this page.
    response = client.get("/v2/nothing-here/", {"q": "\x00"})
    assert response["Content-Type"].startswith("application/json")
