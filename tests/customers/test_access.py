"""The access matrix for the customers pages: anonymous → sign in; wrong role → 403."""

import pytest
from django.urls import reverse

from partnercenter.models import Role
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

VIEW = {Role.ADMIN, Role.FINANCE, Role.ACCOUNT_MANAGER, Role.SALES, Role.VIEWER}
INVITE = {Role.ADMIN, Role.ACCOUNT_MANAGER, Role.SALES}
PAGES = [
    ("customers:list", {}, VIEW),
    ("customers:records", {}, VIEW),
    ("customers:invite", {}, INVITE),
    ("customers:invitations", {}, INVITE),
    ("exports", {}, VIEW),
]


@pytest.mark.parametrize("name,kwargs,allowed", PAGES)
def test_anonymous_is_sent_to_sign_in(client, name, kwargs, allowed):
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("name,kwargs,allowed", PAGES)
def test_roles(client, partner, role, name, kwargs, allowed):
    member = MembershipFactory(partner=partner, role=role)
    client.force_login(member.user)
    assert client.get(reverse(name, kwargs=kwargs)).status_code == (200 if role in allowed else 403)


@pytest.mark.parametrize("role", Role.values)
def test_only_the_admin_opens_the_disassociation_pages(client, partner, role, resale_customer):
    member = MembershipFactory(partner=partner, role=role)
    client.force_login(member.user)
    url = reverse("customers:change", args=[resale_customer.customer_id, "disassociate"])
    assert client.get(url).status_code == (200 if role == Role.ADMIN else 403)


def test_the_console_needs_a_customer_login(client):
    response = client.get(reverse("customers:console"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
