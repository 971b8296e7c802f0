"""Partner API tests go through Huawei's own SDK (huaweicloudsdkbss) against a live server."""

import secrets
import string

import pytest
from huaweicloudsdkbss.v2 import BssClient
from huaweicloudsdkcore.auth.credentials import GlobalCredentials
from huaweicloudsdkcore.http.http_config import HttpConfig

from partnercenter.models import AccessKeyScope
from partnercenter.services.access_keys import seed_key

# The middleware fails closed on a bad signature; a shared rate-limit bucket would let one test's
# burst trip another's, so every key is fresh.
_ALNUM = string.ascii_uppercase + string.digits


def new_key(who, *, customer=None, scope=AccessKeyScope.READ_WRITE):
    """An access key for a membership (its partner) or, with customer=, a customer's login user."""
    ak = "".join(secrets.choice(_ALNUM) for _ in range(20))
    sk = secrets.token_urlsafe(30)
    if customer is not None:
        seed_key(user=who, customer=customer, access_key_id=ak, secret=sk, scope=scope)
    else:
        seed_key(user=who.user, partner=who.partner, access_key_id=ak, secret=sk, scope=scope)
    return ak, sk


def bss(endpoint, ak, sk, domain_id=None):
    config = HttpConfig.get_default_config()
    config.timeout = (5, 30)
    credentials = GlobalCredentials(ak, sk, domain_id) if domain_id else GlobalCredentials(ak, sk)
    return (
        BssClient.new_builder()
        .with_http_config(config)
        .with_credentials(credentials)
        .with_endpoint(endpoint)
        .build()
    )


@pytest.fixture
def sdk(live_server):
    """sdk(membership) → a BssClient signing with a new key of that member, X-Domain-Id set."""

    def client(who, *, customer=None, domain_id=None, key=None):
        ak, sk = key or new_key(who, customer=customer)
        if domain_id is None:
            domain_id = customer.customer_id if customer is not None else who.partner.domain_id
        return bss(live_server.url, ak, sk, domain_id or None)

    return client


from tests.billing.conftest import funded, referral, resale  # noqa: E402,F401
from tests.billing.orders_fixtures import catalogue, shop  # noqa: E402,F401
