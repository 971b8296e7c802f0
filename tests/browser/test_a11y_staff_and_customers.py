"""Accessibility (WCAG 2.2 A/AA, axe-core): every page the navigation reaches, in both languages, for
the platform staff (the portal and the Django admin: its changelists, add pages and
first objects), the customer's console and the two enterprises applying to be cloud resellers.

The crawl is in axe_crawl.py. The demo personas are split over two files, each seeding the demo
data once, so that pytest-xdist (--dist loadfile) runs them side by side."""

import pytest

from .axe_crawl import LANGUAGES, check_persona, seed_and_serve

PERSONAS = [
    "staff@demo.test",
    "customer@demo.test",
    "applicant-huawei@demo.test",
    "applicant-dist@demo.test",
]

# The test database (never a real one); each test only reads what the module's fixture seeded.
pytestmark = pytest.mark.django_db
demo_site = pytest.fixture(scope="module")(seed_and_serve)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("email", PERSONAS)
def test_every_page_the_navigation_reaches_is_accessible(browser, demo_site, email, language):
    check_persona(browser, demo_site, email, language)
