"""The initial catalogue, re-creatable outside migrations (tests flush tables; demo resets)."""

import importlib


def ensure_catalogue():
    """Create the seeded products and specifications if they are missing (idempotent)."""
    from django.apps import apps

    migration = importlib.import_module("billing.migrations.0004_seed_catalogue")
    migration.forward(apps, None)
