"""The access matrix for every foundation page: anonymous, wrong role, right role, other partner."""

import pytest
from django.urls import reverse

from partnercenter.models import MemberInvitation, Role

pytestmark = pytest.mark.django_db

# (url name, roles that may open it)
ALL_ROLES = set(Role.values)
PAGES = [
    ("home", ALL_ROLES),
    ("programs", ALL_ROLES),
    ("partner_info", ALL_ROLES),
    ("members", {Role.ADMIN}),
    ("audit_log", {Role.ADMIN}),
    ("notifications", ALL_ROLES),
    ("notification_settings", ALL_ROLES),
]


@pytest.mark.parametrize("name", [p[0] for p in PAGES])
def test_anonymous_is_sent_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("name,allowed", PAGES)
def test_each_role_gets_exactly_its_pages(client, partner, role, name, allowed):
    from tests.factories import MembershipFactory

    member = MembershipFactory(partner=partner, role=role)
    client.force_login(member.user)
    response = client.get(reverse(name))
    assert response.status_code == (200 if role in allowed else 403)


def test_a_user_without_partner_sees_the_welcome_page_not_partner_pages(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    client.cookies["django_language"] = "en"
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "does not belong to a partner organisation" in response.content.decode()
    assert client.get(reverse("members")).status_code == 403
    assert client.get(reverse("programs")).status_code == 403


def test_another_partners_member_and_invitation_are_out_of_reach(
    client, admin_member, other_admin, actor
):
    from partnercenter.services.members import invite_member

    other_inv = invite_member(actor=actor(other_admin), email="x@b.test", role=Role.SALES)
    client.force_login(admin_member.user)
    client.post(reverse("member_role", args=[other_admin.pk]), {"role": Role.VIEWER})
    client.post(reverse("member_remove", args=[other_admin.pk]))
    client.post(reverse("member_invitation_revoke", args=[other_inv.pk]))
    other_admin.refresh_from_db()
    assert other_admin.role == Role.ADMIN and other_admin.removed_at is None
    assert MemberInvitation.objects.get(pk=other_inv.pk).status == "invited"
    # The other partner's data never appears on our pages.
    page = client.get(reverse("members") + "?tab=invitations").content.decode()
    assert "x***@b.test" not in page


def test_staff_without_membership_lands_in_the_admin(client, staff_user):
    client.force_login(staff_user)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200


def test_admin_login_goes_through_allauth(client, db):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
