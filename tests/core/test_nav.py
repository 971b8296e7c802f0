import pytest
from django.urls import reverse

from partnercenter.models import PartnerKind, Role
from partnercenter.nav import all_page_urls, build_nav
from tests.factories import MembershipFactory, PartnerFactory

pytestmark = pytest.mark.django_db


def keys(membership):
    class Req:
        pass

    req = Req()
    req.membership = membership
    req.resolver_match = None
    out = set()

    def walk(nodes):
        for n in nodes:
            out.add(n.key)
            walk(n.children)

    walk(build_nav(req))
    return out


@pytest.mark.parametrize("kind", PartnerKind.values)
@pytest.mark.parametrize("role", Role.values)
def test_every_menu_entry_opens_for_everyone_who_sees_it(client, kind, role):
    distributor = (
        PartnerFactory(kind=PartnerKind.DISTRIBUTOR) if kind == PartnerKind.RESELLER else None
    )
    partner = PartnerFactory(kind=kind, distributor=distributor)
    member = MembershipFactory(partner=partner, role=role)
    client.force_login(member.user)
    urls = all_page_urls(member)
    assert urls, "every member sees at least one page"
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_only_the_admin_sees_the_organisation_menu(partner):
    admin = MembershipFactory(partner=partner, role=Role.ADMIN)
    sales = MembershipFactory(partner=partner, role=Role.SALES)
    assert "org.members" in keys(admin)
    assert "org" not in keys(sales)


def test_menus_without_an_existing_feature_are_not_shown(partner):
    admin = MembershipFactory(partner=partner, role=Role.ADMIN)
    visible = keys(admin)
    # Baseline solutions arrive with a later feature: until then the 构建 menu is absent.
    assert "build" not in visible and "build.solutions" not in visible


def test_the_shell_marks_the_current_page(client, partner):
    admin = MembershipFactory(partner=partner, role=Role.ADMIN)
    client.force_login(admin.user)
    page = client.get(reverse("programs")).content.decode()
    assert 'data-nav="programs.joined" aria-current="page"' in page
