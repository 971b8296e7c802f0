"""HTTPS only in production, a proxy's X-Forwarded-Proto believed only when configured, and
oversized bodies answered in the API's own envelope (issue 10 §1)."""

import json

import pytest
import requests
from huaweicloudsdkbss.v2 import ListPartnerBalancesRequest
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException

from tests.billing.conftest import balance_of, fund
from tests.core.test_settings import GOOD_KEY, run_manage

from .conftest import new_key
from .raw import send

pytestmark = pytest.mark.django_db(transaction=True)

BALANCES = "/v2/accounts/partner-accounts/balances"
ADJUST = "/v2/accounts/partner-accounts/adjust-amount"


def _envelope(response, status, code):
    assert response.status_code == status, response.content
    assert response.headers["Content-Type"].startswith("application/json")
    payload = response.json()
    assert payload["error_code"] == code and payload["error_msg"]
    assert response.headers["X-Request-Id"] == payload["request_id"]
    return payload["error_msg"]


def test_plain_http_is_refused_in_production(settings, sdk, finance_member, partner, resale):
    settings.PC_API_HTTPS_ONLY = True
    fund(partner, recharge="100.00")
    client = sdk(finance_member)
    with pytest.raises(ClientRequestException) as e:
        client.list_partner_balances(ListPartnerBalancesRequest())
    assert (e.value.status_code, e.value.error_code) == (403, "CBC.0151")
    assert "HTTPS" in e.value.error_msg
    assert e.value.request_id


def test_x_forwarded_proto_is_believed_only_behind_a_trusted_proxy(
    settings, live_server, finance_member
):
    settings.PC_API_HTTPS_ONLY = True
    ak, sk = new_key(finance_member)
    claimed = {"X-Forwarded-Proto": "https"}
    # Anyone can send the header straight to gunicorn: without a trusted proxy it proves nothing.
    settings.SECURE_PROXY_SSL_HEADER = None
    response = send("GET", live_server.url, BALANCES, ak, sk, unsigned_headers=claimed)
    assert "HTTPS" in _envelope(response, 403, "CBC.0151")
    # TRUST_X_FORWARDED_PROTO=true: the proxy in front terminated TLS and says so.
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert send("GET", live_server.url, BALANCES, ak, sk, unsigned_headers=claimed).ok
    response = send("GET", live_server.url, BALANCES, ak, sk)
    _envelope(response, 403, "CBC.0151")


def test_outside_production_plain_http_is_served(sdk, finance_member):
    assert sdk(finance_member).list_partner_balances(ListPartnerBalancesRequest()).account_balances


def _production(**env):
    code = (
        "from django.conf import settings as s; import json;"
        "print(json.dumps([s.PC_API_HTTPS_ONLY, s.SECURE_PROXY_SSL_HEADER,"
        " s.SECURE_REDIRECT_EXEMPT]))"
    )
    result = run_manage(
        "shell",
        "-c",
        code,
        DJANGO_ENV="production",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="partner.example.com",
        **env,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_settings_trust_the_proxy_header_only_when_told():
    https_only, proxy_header, exempt = _production()
    assert https_only is True and proxy_header is None
    assert r"^v[23]/" in exempt  # the API is never redirected: it is refused instead
    _https_only, proxy_header, _exempt = _production(TRUST_X_FORWARDED_PROTO="true")
    assert proxy_header == ["HTTP_X_FORWARDED_PROTO", "https"]


@pytest.mark.parametrize("limit_by", ["api", "django"])
def test_a_body_over_the_limit_gets_the_json_envelope(
    settings, live_server, finance_member, partner, resale, limit_by
):
    if limit_by == "django":
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    else:
        settings.PC_API_MAX_BODY_BYTES = 4096
    fund(partner, recharge="100.00")
    ak, sk = new_key(finance_member)
    body = json.dumps(
        {"customer_id": resale.customer.customer_id, "amount": 1, "memo": "x" * 5000}
    ).encode()
    response = send("POST", live_server.url, ADJUST, ak, sk, body=body)
    assert "4096" in _envelope(response, 413, "CBC.0100")
    assert balance_of(resale.customer) == 0


def test_an_oversized_body_is_refused_before_anything_is_read(live_server):
    response = requests.post(
        live_server.url + ADJUST,
        data=b"{" + b" " * (300 * 1024) + b"}",
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    _envelope(response, 413, "CBC.0100")
