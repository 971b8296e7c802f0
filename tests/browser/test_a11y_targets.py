"""Small controls are still 24 × 24 px targets (WCAG 2.5.8). axe accepts a smaller target when
nothing else is near it; these hold the icon-only buttons to the size itself, wherever they sit."""

import pytest

from partnercenter.models import Role
from tests.factories import MembershipFactory, PartnerFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_masking_eye_is_at_least_24_px_square(page, live_server, sign_in):
    partner = PartnerFactory()
    MembershipFactory(partner=partner, role=Role.ADMIN, user=UserFactory(email="a@demo.test"))
    MembershipFactory(partner=partner, role=Role.SALES, user=UserFactory(email="b@demo.test"))
    sign_in("a@demo.test")
    page.goto(live_server.url + "/organisation/members/")
    eyes = page.locator("button.pc-eye")
    assert eyes.count() >= 1
    for i in range(eyes.count()):
        box = eyes.nth(i).bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24, box
