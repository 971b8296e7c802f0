from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "partnercenter"
    verbose_name = _("Partner Center")

    def ready(self):
        from django.urls import register_converter

        from . import signals  # noqa: F401
        from .ids import IdConverter

        # Before any URLconf is read: every portal URL takes its ids as <id:…>.
        register_converter(IdConverter, "id")
        from .revealables import register_all

        register_all()

        from django.db.models.signals import post_migrate

        # Every app's permissions must exist first, so run after each app (it is idempotent).
        post_migrate.connect(_sync_staff_groups, dispatch_uid="pc_sync_staff_groups")


def _sync_staff_groups(sender, **kwargs):
    from .staff import sync_groups

    sync_groups()
