from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    """allauth, fitted to the portal: mail from our sender; the landing page decides by role."""

    def get_from_email(self):
        return settings.DEFAULT_FROM_EMAIL
