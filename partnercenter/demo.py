"""Demo-only credentials: known passwords and a known authenticator secret for staff@demo.test,
so the demo can be tried end to end. Nothing here may ever reach a production account."""

import time

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt, encrypt
from django.conf import settings
from django.core.management.base import CommandError

# Published in the README: it protects nothing but demo data.
STAFF_TOTP_SECRET = "PARTNERCENTERDEMOSTAFFTOTP234567"
PERIOD = 30


def refuse_in_production(command):
    if settings.PRODUCTION:
        raise CommandError(
            f"{command} refuses to run with DJANGO_ENV=production: it sets demo passwords and "
            "authenticator secrets that are published, so no real account may ever get them."
        )


def ensure_totp(user, secret=STAFF_TOTP_SECRET):
    """Give `user` a TOTP authenticator with `secret` (idempotent)."""
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        return TOTP.activate(user, secret).instance
    if decrypt(authenticator.data["secret"]) != secret:
        authenticator.data = {**authenticator.data, "secret": encrypt(secret)}
        authenticator.save(update_fields=["data"])
    return authenticator


def current_code(user, at=None):
    """(code, seconds it stays valid) for the user's authenticator app, or None without one."""
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        return None
    now = time.time() if at is None else at
    secret = decrypt(authenticator.data["secret"])
    code = format_hotp_value(hotp_value(secret, int(now) // PERIOD))
    return code, PERIOD - int(now) % PERIOD
