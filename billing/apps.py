from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = _("Billing")

    def ready(self):
        from . import (  # noqa: F401  (customer list columns, home widget, disassociation hook …)
            finance_hooks,
            hooks,
        )
