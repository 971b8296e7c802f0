import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings

from . import secretbox


class AccountAdapter(DefaultAccountAdapter):
    """allauth, fitted to the portal: mail from our sender; the landing page decides by role."""

    def get_from_email(self):
        return settings.DEFAULT_FROM_EMAIL

    def is_reauthentication_required(self, *, app, **kwargs):
        """A sign-in a few minutes ago proves as much as typing the password again: someone sent
        to set up two-factor authentication right after signing in is not asked twice. Later in
        the session, allauth's re-authentication applies as usual."""
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        request = self.request or context.request
        user = getattr(request, "user", None)
        if request is None or user is None or not user.is_authenticated:
            return True
        records = get_authentication_records(request, user)
        if not records:
            return True
        return time.time() - records[-1].get("at", 0) >= account_settings.REAUTHENTICATION_TIMEOUT

    def is_safe_url(self, url):
        # Sign-in, sign-up and sign-out follow `next` through the portal's one check.
        from allauth.core import context

        from .redirects import is_safe_target

        return is_safe_target(context.request, url)


class MFAAdapter(DefaultMFAAdapter):
    """allauth keeps TOTP secrets and recovery-code seeds in the database in the clear unless its
    adapter encrypts them. They are sealed like access-key secrets (partnercenter.secretbox: the
    same rotatable keys), so a database dump alone cannot mint second-factor codes."""

    PREFIX = "pcbox:"

    def encrypt(self, text):
        return self.PREFIX + secretbox.seal(text)

    def decrypt(self, encrypted_text):
        if not encrypted_text.startswith(self.PREFIX):
            return encrypted_text  # written before secrets were sealed
        return secretbox.open_(encrypted_text.removeprefix(self.PREFIX))
