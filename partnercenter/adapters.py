from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    """allauth, fitted to the portal: mail from our sender; the landing page decides by role."""

    def get_from_email(self):
        return settings.DEFAULT_FROM_EMAIL

    def is_safe_url(self, url):
        # Sign-in, sign-up and sign-out follow `next` through the portal's one check.
        from allauth.core import context

        from .redirects import is_safe_target

        return is_safe_target(context.request, url)
