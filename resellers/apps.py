from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResellersConfig(AppConfig):
    name = "resellers"
    verbose_name = _("Cloud resellers")

    def ready(self):
        from . import hooks  # noqa: F401  (landing page, home widget, revealables, prerequisites …)
