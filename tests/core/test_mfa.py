"""Compulsory two-factor sign-in: staff in the admin, and a partner's colleagues when its admin
requires it. These tests sign in through allauth's own forms (never force_login, which the
suite's conftest treats as a sign-in that passed the second factor)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from partnercenter.demo import STAFF_TOTP_SECRET, current_code, ensure_totp
from partnercenter.models import AccessKey, AccessKeyStatus, AuditEvent, Partner, User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parents[2]


def totp_now(secret):
    while 30 - time.time() % 30 < 3:
        time.sleep(0.2)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def sign_in(client, user):
    """Password only, through allauth's sign-in form."""
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return response


@pytest.fixture
def staff(db):
    user = UserFactory(email="ops@platform.test")
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def admin_pages(partner):
    return [
        reverse("admin:index"),
        reverse("admin:partnercenter_partner_changelist"),
        reverse("admin:partnercenter_partner_add"),
        reverse("admin:partnercenter_partner_change", args=[partner.pk]),
        reverse("admin:partnercenter_accesskey_changelist"),
        reverse("admin:partnercenter_user_changelist"),
        reverse("admin:auth_group_changelist"),
    ]


def test_staff_with_only_a_password_are_sent_to_set_up_mfa_and_reach_no_admin_page(
    client, staff, partner, finance_member
):
    from partnercenter.services.access_keys import seed_key

    key = seed_key(
        user=finance_member.user, partner=partner, access_key_id="LEAKED00000000000001", secret="s"
    )
    sign_in(client, staff)
    setup = reverse("mfa_activate_totp")
    for url in admin_pages(partner):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, setup), url
    # Writes are refused the same way, and change nothing.
    posts = [
        (reverse("admin:partnercenter_partner_add"), {"name": "新伙伴", "kind": "reseller"}),
        (
            reverse("admin:partnercenter_partner_change", args=[partner.pk]),
            {"name": "改名", "kind": partner.kind, "account_name": partner.account_name},
        ),
        (
            reverse("admin:partnercenter_accesskey_changelist"),
            {"action": "disable_keys", "_selected_action": [key.pk]},
        ),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert (response.status_code, response["Location"]) == (302, setup), url
    assert Partner.objects.count() == 1
    assert Partner.objects.get(pk=partner.pk).name == partner.name
    assert AccessKey.objects.get(pk=key.pk).status == AccessKeyStatus.ACTIVE
    # The set-up page itself opens at once: the sign-in a moment ago is recent enough.
    assert client.get(setup).status_code == 200


# Activation marks the session in an on-commit callback, as in production: these two commit.
@pytest.mark.django_db(transaction=True)
def test_setting_up_mfa_opens_the_admin_and_leads_back(client, staff, partner):
    sign_in(client, staff)
    wanted = reverse("admin:partnercenter_partner_changelist")
    assert client.get(wanted)["Location"] == reverse("mfa_activate_totp")
    client.get(reverse("mfa_activate_totp"))
    secret = client.session["mfa.totp.secret"]
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_now(secret)})
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    codes_page = client.get(reverse("mfa_view_recovery_codes")).content.decode()
    assert f'href="{wanted}" data-testid="mfa-continue"' in codes_page
    for url in admin_pages(partner):
        assert client.get(url).status_code == 200, url


def test_an_authenticator_without_the_second_factor_in_this_session_is_not_enough(
    client, staff, partner
):
    sign_in(client, staff)
    ensure_totp(staff, STAFF_TOTP_SECRET)  # added after this session signed in
    response = client.get(reverse("admin:partnercenter_partner_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate") + "?next=")
    client.post(response["Location"], {"code": current_code(staff)[0]})
    assert client.get(reverse("admin:partnercenter_partner_changelist")).status_code == 200


def test_signing_in_with_the_second_factor_opens_every_admin_page(client, staff, partner):
    ensure_totp(staff, STAFF_TOTP_SECRET)
    response = sign_in(client, staff)
    assert response["Location"] == reverse("mfa_authenticate")
    for url in admin_pages(partner):  # not signed in until the second step is done
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url
    client.post(reverse("mfa_authenticate"), {"code": current_code(staff)[0]})
    for url in admin_pages(partner):
        assert client.get(url).status_code == 200, url


# --- a partner that requires it of every colleague ------------------------------------------------


def member_pages():
    return [
        reverse("home"),
        reverse("partner_info"),
        reverse("access_keys"),
        reverse("customers:list"),
        reverse("billing:orders"),
        reverse("notifications"),
        reverse("account_change_password"),
    ]


def require_mfa(partner):
    partner.require_mfa = True
    partner.save()


@pytest.mark.django_db(transaction=True)
def test_a_member_without_mfa_is_led_to_set_it_up_at_the_next_sign_in(
    client, partner, sales_member
):
    require_mfa(partner)
    response = sign_in(client, sales_member.user)
    assert client.get(response["Location"])["Location"] == reverse("mfa_activate_totp")
    setup = reverse("mfa_activate_totp")
    for url in member_pages():
        assert client.get(url)["Location"] == setup, url
    for url in (reverse("access_keys"), reverse("partner_info")):
        assert client.post(url, {"description": "x"})["Location"] == setup, url
    assert not AccessKey.objects.exists()
    htmx = client.get(reverse("customers:list"), HTTP_HX_REQUEST="true")
    assert htmx["HX-Redirect"] == setup
    # What stays open: setting it up, the account-security page, signing out.
    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.get(setup).status_code == 200
    secret = client.session["mfa.totp.secret"]
    client.post(setup, {"code": totp_now(secret)})
    assert (
        f'href="{reverse("home")}"'
        in client.get(reverse("mfa_view_recovery_codes")).content.decode()
    )
    for url in member_pages():
        assert client.get(url).status_code == 200, url


def test_a_member_already_signed_in_is_stopped_at_the_next_request(client, partner, sales_member):
    sign_in(client, sales_member.user)
    assert client.get(reverse("customers:list")).status_code == 200
    require_mfa(partner)
    assert client.get(reverse("customers:list"))["Location"] == reverse("mfa_activate_totp")
    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session


def test_members_who_have_an_authenticator_and_other_partners_are_not_held_up(
    client, partner, admin_member, other_admin
):
    require_mfa(partner)
    ensure_totp(admin_member.user, STAFF_TOTP_SECRET)
    sign_in(client, admin_member.user)
    client.post(reverse("mfa_authenticate"), {"code": current_code(admin_member.user)[0]})
    assert client.get(reverse("customers:list")).status_code == 200
    other = client.__class__()
    sign_in(other, other_admin.user)
    assert other.get(reverse("customers:list")).status_code == 200


def test_only_the_partner_admin_sets_it_and_the_change_is_audited(
    client, partner, admin_member, sales_member
):
    sign_in(client, sales_member.user)
    assert client.post(reverse("partner_info"), {"require_mfa": "on"}).status_code == 403
    assert not Partner.objects.get(pk=partner.pk).require_mfa
    client.post(reverse("account_logout"))
    sign_in(client, admin_member.user)
    page = client.get(reverse("partner_info")).content.decode()
    assert 'name="require_mfa"' in page
    response = client.post(
        reverse("partner_info"),
        {
            "contact_email": partner.contact_email,
            "contact_phone": "13800000000",
            "require_mfa": "on",
        },
    )
    assert response.status_code == 302
    assert Partner.objects.get(pk=partner.pk).require_mfa
    event = AuditEvent.objects.get(action="partner.update", partner=partner)
    assert (event.before, event.after) == ({"require_mfa": False}, {"require_mfa": True})
    assert event.actor == admin_member.user
    # The admin has no authenticator yet: the very next page is the set-up.
    assert client.get(reverse("home"))["Location"] == reverse("mfa_activate_totp")


# --- the demo stays easy to try --------------------------------------------------------------------


@pytest.fixture
def demo_staff(db):
    """staff@demo.test as seed_demo leaves it (tests/core/test_audit_and_admin.py runs the whole
    seed_demo and checks it does): a superuser with the demo authenticator."""
    user = UserFactory(email="staff@demo.test")
    user.is_staff = user.is_superuser = True
    user.save()
    ensure_totp(user)
    return user


def test_demo_code_prints_the_current_code_of_the_demo_authenticator(demo_staff, admin_member):
    from io import StringIO

    out = StringIO()
    while 30 - time.time() % 30 < 2:
        time.sleep(0.2)
    call_command("demo_code", "staff@demo.test", stdout=out, stderr=StringIO())
    expected = format_hotp_value(hotp_value(STAFF_TOTP_SECRET, int(time.time()) // 30))
    assert out.getvalue().strip() == expected
    with pytest.raises(CommandError, match="no authenticator"):
        call_command("demo_code", admin_member.user.email, stdout=StringIO())
    with pytest.raises(CommandError, match="No user"):
        call_command("demo_code", "nobody@demo.test", stdout=StringIO())


def test_the_demo_staff_signs_in_to_the_admin_with_demo_code(client, demo_staff):
    from io import StringIO

    assert sign_in(client, demo_staff)["Location"] == reverse("mfa_authenticate")
    out = StringIO()
    while 30 - time.time() % 30 < 3:
        time.sleep(0.2)
    call_command("demo_code", stdout=out, stderr=StringIO())
    client.post(reverse("mfa_authenticate"), {"code": out.getvalue().strip()})
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.parametrize("command", [["seed_demo"], ["demo_code", "staff@demo.test"]])
def test_demo_commands_refuse_to_run_in_production(db, settings, command):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="refuses to run with DJANGO_ENV=production"):
        call_command(*command)
    assert not User.objects.filter(email="staff@demo.test").exists()


def test_demo_commands_exit_non_zero_under_a_production_environment():
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "SECRET_KEY": "p" * 64,
        "ALLOWED_HOSTS": "localhost",
        "DATABASE_URL": "sqlite:////nonexistent/never-opened.sqlite3",
    }
    env.pop("PYTEST_VERSION", None)
    for command in (["seed_demo"], ["demo_code", "staff@demo.test"]):
        result = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode != 0, command
        assert "refuses to run with DJANGO_ENV=production" in result.stderr, result.stderr
    assert settings.DJANGO_ENV == "test"


def test_authenticator_secrets_are_stored_sealed_and_still_sign_in(client, demo_staff):
    # A database dump alone must not be enough to mint second-factor codes.
    from allauth.mfa.models import Authenticator

    from partnercenter.demo import STAFF_TOTP_SECRET

    authenticator = Authenticator.objects.get(user=demo_staff, type=Authenticator.Type.TOTP)
    stored = authenticator.data["secret"]
    assert STAFF_TOTP_SECRET not in stored and stored.startswith("pcbox:")
    test_the_demo_staff_signs_in_to_the_admin_with_demo_code(client, demo_staff)
