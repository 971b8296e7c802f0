"""敏感操作验证 tests use the money fixtures of the billing tests."""

from tests.billing.conftest import funded, resale  # noqa: F401
from tests.billing.orders_fixtures import catalogue, shop  # noqa: F401
