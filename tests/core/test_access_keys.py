"""伙伴信息 > 管理我的凭证 and the API guide page."""

import contextlib
import html
import io
import re

import pytest
from django.urls import reverse

from partnercenter.models import AccessKey, AccessKeyStatus, AuditEvent
from partnercenter.services.access_keys import key_for_signing
from tests.customers.factories import AssociationFactory, customer_login


def _create(client, description="ERP"):
    return client.post(reverse("access_keys"), {"description": description})


def test_the_secret_is_shown_once_and_stored_encrypted(login, finance_member):
    client = login(finance_member)
    response = _create(client)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = AccessKey.objects.get(user=finance_member.user)
    _key, secret = key_for_signing(key.access_key_id)
    page = response.content.decode()
    assert secret in page and key.access_key_id in page
    assert secret not in key.secret_encrypted
    again = client.get(reverse("access_keys")).content.decode()
    assert key.access_key_id in again and secret not in again
    assert AuditEvent.objects.filter(action="access_key.create", actor=finance_member.user).exists()


def test_at_most_two_enabled_keys_per_person(login, finance_member):
    client = login(finance_member)
    client.cookies["django_language"] = "en"
    _create(client, "one")
    _create(client, "two")
    third = _create(client, "three")
    assert third.status_code == 400
    assert "at most 2" in third.content.decode()
    assert AccessKey.objects.filter(user=finance_member.user).count() == 2
    first = AccessKey.objects.filter(user=finance_member.user).order_by("created_at").first()
    client.post(reverse("access_key_action", args=[first.pk, "disable"]))
    first.refresh_from_db()
    assert first.status == AccessKeyStatus.DISABLED
    assert _create(client, "three").status_code == 200
    # Enabling the old one again would make three.
    response = client.post(reverse("access_key_action", args=[first.pk, "enable"]), follow=True)
    assert "at most 2" in response.content.decode()
    first.refresh_from_db()
    assert first.status == AccessKeyStatus.DISABLED


def test_delete_asks_first_then_deletes(login, finance_member):
    client = login(finance_member)
    _create(client)
    key = AccessKey.objects.get(user=finance_member.user)
    confirm = client.get(reverse("access_key_action", args=[key.pk, "delete"]))
    assert confirm.status_code == 200 and AccessKey.objects.filter(pk=key.pk).exists()
    client.post(reverse("access_key_action", args=[key.pk, "delete"]))
    assert not AccessKey.objects.filter(pk=key.pk).exists()
    assert key_for_signing(key.access_key_id) is None


def test_the_admin_sees_and_can_disable_colleagues_keys_others_only_their_own(
    login, admin_member, finance_member, sales_member
):
    _create(login(finance_member))
    key = AccessKey.objects.get(user=finance_member.user)
    sales = login(sales_member)
    assert key.access_key_id not in sales.get(reverse("access_keys")).content.decode()
    assert sales.post(reverse("access_key_action", args=[key.pk, "disable"])).status_code == 404
    admin = login(admin_member)
    page = admin.get(reverse("access_keys")).content.decode()
    assert key.access_key_id in page and finance_member.user.email in page
    admin.post(reverse("access_key_action", args=[key.pk, "disable"]))
    key.refresh_from_db()
    assert key.status == AccessKeyStatus.DISABLED


def test_another_partners_key_is_unreachable(login, finance_member, other_admin):
    _create(login(finance_member))
    key = AccessKey.objects.get(user=finance_member.user)
    other = login(other_admin)
    assert key.access_key_id not in other.get(reverse("access_keys")).content.decode()
    for action in ("disable", "enable", "delete"):
        assert other.post(reverse("access_key_action", args=[key.pk, action])).status_code == 404
        assert other.get(reverse("access_key_action", args=[key.pk, action])).status_code == 404
    assert AccessKey.objects.get(pk=key.pk).is_active


def test_a_customer_manages_its_own_keys_in_its_console(client, partner):
    association = AssociationFactory(partner=partner, association_type=2)
    user = customer_login(association.customer, "owner@customer.test")
    client.force_login(user)
    assert _create(client).status_code == 200
    key = AccessKey.objects.get(user=user)
    assert key.customer_id == association.customer_id and key.partner_id is None
    guide = client.get(reverse("api_guide")).content.decode()
    assert "show_customer_account_balances" in guide
    assert association.customer.customer_id in guide


def test_people_without_an_account_cannot_manage_keys(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory(email="nobody@x.test"))
    assert client.get(reverse("access_keys")).status_code == 403
    client.logout()
    assert client.get(reverse("access_keys")).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_the_api_guide_example_runs_as_printed(live_server, client, finance_member, monkeypatch):
    client.force_login(finance_member.user)
    _create(client)
    key = AccessKey.objects.get(user=finance_member.user)
    _key, secret = key_for_signing(key.access_key_id)
    host = live_server.url.split("://", 1)[1]
    page = client.get(reverse("api_guide"), HTTP_HOST=host).content.decode()
    assert "list_partner_balances" in page and "/v2/openapi.json" in page
    code = html.unescape(re.search(r'<code id="sdk-example">(.*?)</code>', page, re.S).group(1))
    assert key.access_key_id in code and finance_member.partner.domain_id in code
    monkeypatch.setenv("PC_SK", secret)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "api_guide_example", "exec"), {})  # noqa: S102 - the page's own example
    lines = out.getvalue().split("\n")
    assert lines[0].split() == ["1", "0.0", "CNY"]


def test_staff_disable_a_leaked_key_in_the_admin(client, staff_user, finance_member):
    client.force_login(finance_member.user)
    _create(client)
    key = AccessKey.objects.get(user=finance_member.user)
    client.force_login(staff_user)
    changelist = reverse("admin:partnercenter_accesskey_changelist")
    page = client.get(changelist).content.decode()
    assert key.access_key_id in page
    client.post(changelist, {"action": "disable_keys", "_selected_action": [key.pk]})
    key.refresh_from_db()
    assert key.status == AccessKeyStatus.DISABLED
    detail = client.get(reverse("admin:partnercenter_accesskey_change", args=[key.pk]))
    assert key.secret_encrypted not in detail.content.decode()


def test_secrets_survive_a_key_rotation(settings, finance_member, login):
    from django.core.management import call_command

    _create(login(finance_member))
    key = AccessKey.objects.get(user=finance_member.user)
    _key, secret = key_for_signing(key.access_key_id)
    settings.ACCESS_KEY_ENCRYPTION_KEYS = ["new-key-material", settings.SECRET_KEY]
    call_command("rotate_access_key_secrets")
    settings.ACCESS_KEY_ENCRYPTION_KEYS = ["new-key-material"]  # the old key is gone
    assert key_for_signing(key.access_key_id)[1] == secret
    settings.ACCESS_KEY_ENCRYPTION_KEYS = ["some-other-key"]
    assert key_for_signing(key.access_key_id) is None  # unreadable secrets sign nothing
