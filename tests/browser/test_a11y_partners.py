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
