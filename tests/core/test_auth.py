import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from partnercenter.models import AuditEvent
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def totp_code(secret, offset=0):
    # Early enough in the 30-second window to still be valid when the request reaches the view.
    while 30 - time.time() % 30 < 3:
        time.sleep(0.2)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))


def test_it_signs_in_with_email_and_password_and_audits_it(client, admin_member):
    response = client.post(
        reverse("account_login"), {"login": admin_member.user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    assert AuditEvent.objects.filter(
        action="auth.login", actor=admin_member.user, partner=admin_member.partner
    ).exists()


def test_a_wrong_password_is_refused(client, admin_member):
    response = client.post(
        reverse("account_login"), {"login": admin_member.user.email, "password": "nope-nope"}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_plain_sign_up_must_verify_its_email_first(client, db):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "fresh@example.test",
            "password1": "Very-Secret-123",
            "password2": "Very-Secret-123",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1 and "fresh@example.test" in mail.outbox[0].to


def test_password_reset_sends_a_link(client, admin_member):
    client.post(reverse("account_reset_password"), {"email": admin_member.user.email})
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_allauth_rate_limits_failed_sign_ins(client, admin_member):
    client.cookies["django_language"] = "en"
    for _ in range(5):
        client.post(
            reverse("account_login"),
            {"login": admin_member.user.email, "password": "wrong-password"},
        )
    # After five failures even the right password is refused while the limit holds.
    r = client.post(
        reverse("account_login"), {"login": admin_member.user.email, "password": PASSWORD}
    )
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in r.content.decode()


def test_totp_activation_and_a_second_factor_at_sign_in(client, admin_member):
    user = admin_member.user
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    # allauth asks to re-authenticate before activating.
    response = client.get(reverse("mfa_activate_totp"))
    if response.status_code == 302:
        client.post(response["Location"], {"password": PASSWORD})
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    secret = client.session["mfa.totp.secret"]
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists()
    client.post(reverse("account_logout"))

    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    bad = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert bad.status_code == 200 and "_auth_user_id" not in client.session
    cache.clear()  # a code is single-use within its 30 s window; pretend the window passed
    ok = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert ok.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_a_recovery_code_also_completes_the_second_step(client, admin_member):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    user = admin_member.user
    TOTP.activate(user, generate_totp_secret())
    codes = RecoveryCodes.activate(user).get_unused_codes()
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    ok = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert ok.status_code == 302 and "_auth_user_id" in client.session


def test_signup_page_and_login_page_render_in_both_languages(client, db):
    for lang, word in (("zh-hans", "登录"), ("en", "Sign In")):
        client.cookies["django_language"] = lang
        assert word in client.get(reverse("account_login")).content.decode()


def test_staff_user_signs_in_to_the_admin_with_the_second_factor(client, db):
    from partnercenter.demo import ensure_totp

    staff = UserFactory(email="ops@platform.test")
    staff.is_staff = staff.is_superuser = True
    staff.save()
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    ensure_totp(staff, secret)
    response = client.post(reverse("account_login"), {"login": staff.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert client.get(reverse("admin:partnercenter_partner_changelist")).status_code == 200
