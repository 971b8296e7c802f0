"""Accessibility (WCAG 2.2 A/AA, axe-core): every page the navigation reaches, in both languages, for
the partners' people: 云途科技's four roles, a second solution provider, the
distributor and its reseller.

The crawl is in axe_crawl.py. The demo personas are split over two files, each seeding the demo
data once, so that pytest-xdist (--dist loadfile) runs them side by side."""

import pytest

from .axe_crawl import LANGUAGES, check_persona, seed_and_serve

PERSONAS = [
    "sp-admin@demo.test",
    "sp-finance@demo.test",
    "sp-am@demo.test",
    "sp-sales@demo.test",
    "sp2-admin@demo.test",
    "dist-admin@demo.test",
    "reseller-admin@demo.test",
]

# The test database (never a real one); each test only reads what the module's fixture seeded.
pytestmark = pytest.mark.django_db
demo_site = pytest.fixture(scope="module")(seed_and_serve)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("email", PERSONAS)
def test_every_page_the_navigation_reaches_is_accessible(browser, demo_site, email, language):
    check_persona(browser, demo_site, email, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_reached_while_ordering_on_a_customers_behalf_is_accessible(
    browser, demo_site, language
):
    # The demo customer has authorised 云途科技 (seed), so its admin can act for it.
    from customers.models import Customer

    customer = Customer.objects.get(account_name="demo-customer")
    opened = check_persona(
        browser, demo_site, "sp-admin@demo.test", language, acting_for=customer.pk
    )
    assert any("/console/products/" in url for url in opened)
