"""Signature authentication, the error envelope and the transport rules (partner-api.md §1, §4, §5)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import requests
from huaweicloudsdkbss.v2 import (
    AdjustAccountReq,
    ListPartnerBalancesRequest,
    UpdateCustomerAccountAmountRequest,
)
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException

from billing.models import Transfer
from partnercenter.actor import Actor
from partnercenter.api import ratelimit
from partnercenter.models import AccessKey, AuditEvent
from partnercenter.services import access_keys
from tests.billing.conftest import balance_of, fund

from .conftest import bss, new_key
from .raw import send

pytestmark = pytest.mark.django_db(transaction=True)

BALANCES = "/v2/accounts/partner-accounts/balances"
AUTH_PREFIX = "Incorrect IAM authentication information: "


def _refused(call):
    with pytest.raises(ClientRequestException) as e:
        call()
    return e.value


def test_a_wrong_secret_is_401_and_moves_no_money(live_server, finance_member, partner, resale):
    fund(partner, recharge="100.00")
    ak, _sk = new_key(finance_member)
    client = bss(live_server.url, ak, "not-the-secret", partner.domain_id)
    error = _refused(
        lambda: client.update_customer_account_amount(
            UpdateCustomerAccountAmountRequest(
                body=AdjustAccountReq(customer_id=resale.customer.customer_id, amount=Decimal("10"))
            )
        )
    )
    assert (error.status_code, error.error_code) == (401, "APIGW.0301")
    assert error.error_msg.startswith(AUTH_PREFIX)
    assert error.request_id
    assert balance_of(resale.customer) == 0
    assert not Transfer.objects.filter(customer=resale.customer).exists()


def test_an_unknown_access_key_is_401(live_server, partner):
    client = bss(live_server.url, "NOSUCHKEY00000000000", "secret", partner.domain_id)
    error = _refused(lambda: client.list_partner_balances(ListPartnerBalancesRequest()))
    assert (error.status_code, error.error_code) == (401, "APIGW.0301")
    assert "ak not exist" in error.error_msg


@pytest.mark.parametrize("minutes, status", [(16, 401), (-16, 401), (14, 200), (-14, 200)])
def test_x_sdk_date_must_be_within_15_minutes(live_server, finance_member, minutes, status):
    ak, sk = new_key(finance_member)
    when = datetime.now(UTC) - timedelta(minutes=minutes)
    response = send("GET", live_server.url, BALANCES, ak, sk, when=when)
    assert response.status_code == status
    if status == 401:
        assert response.json()["error_code"] == "APIGW.0301"


def test_missing_or_foreign_authorization_is_401(live_server, finance_member):
    ak, sk = new_key(finance_member)
    plain = requests.get(live_server.url + BALANCES, timeout=10)
    assert plain.status_code == 401 and plain.json()["error_code"] == "APIGW.0301"
    sm3 = requests.get(
        live_server.url + BALANCES,
        headers={"Authorization": f"SDK-HMAC-SM3 Access={ak}, SignedHeaders=host, Signature=x"},
        timeout=10,
    )
    assert sm3.status_code == 401
    assert sm3.headers["X-Request-Id"] == sm3.json()["request_id"]


def test_a_tampered_body_fails_the_signature(live_server, finance_member, partner, resale):
    fund(partner, recharge="100.00")
    ak, sk = new_key(finance_member)
    signed = send(
        "POST",
        live_server.url,
        "/v2/accounts/partner-accounts/adjust-amount",
        ak,
        sk,
        body=b'{"customer_id": "%s", "amount": 1}' % resale.customer.customer_id.encode(),
    )
    assert signed.status_code == 200
    replay = requests.post(
        live_server.url + "/v2/accounts/partner-accounts/adjust-amount",
        data=b'{"customer_id": "%s", "amount": 90}' % resale.customer.customer_id.encode(),
        headers={
            k: v
            for k, v in signed.request.headers.items()
            if k in ("Authorization", "X-Sdk-Date", "Content-Type")
        },
        timeout=10,
    )
    assert replay.status_code == 401
    assert balance_of(resale.customer) == Decimal("1.00")


def test_a_foreign_domain_id_is_403(live_server, finance_member, other_partner):
    ak, sk = new_key(finance_member)
    client = bss(live_server.url, ak, sk, other_partner.domain_id)
    error = _refused(lambda: client.list_partner_balances(ListPartnerBalancesRequest()))
    assert (error.status_code, error.error_code) == (403, "CBC.0151")


def test_without_a_domain_id_the_key_names_the_account(live_server, finance_member):
    ak, sk = new_key(finance_member)
    client = bss(live_server.url, ak, sk)
    assert client.list_partner_balances(ListPartnerBalancesRequest()).account_balances


def test_disabled_and_deleted_keys_sign_nothing(live_server, admin_member, partner):
    ak, sk = new_key(admin_member)
    client = bss(live_server.url, ak, sk, partner.domain_id)
    assert client.list_partner_balances(ListPartnerBalancesRequest()).account_balances
    key = AccessKey.objects.get(access_key_id=ak)
    assert key.last_used_at is not None
    actor = Actor(user=admin_member.user, partner=partner, membership=admin_member)
    access_keys.set_key_enabled(actor=actor, key_id=key.pk, enabled=False)
    error = _refused(lambda: client.list_partner_balances(ListPartnerBalancesRequest()))
    assert (error.status_code, error.error_code) == (401, "APIGW.0301")
    access_keys.set_key_enabled(actor=actor, key_id=key.pk, enabled=True)
    assert client.list_partner_balances(ListPartnerBalancesRequest()).account_balances
    access_keys.delete_key(actor=actor, key_id=key.pk)
    assert (
        _refused(lambda: client.list_partner_balances(ListPartnerBalancesRequest())).status_code
        == 401
    )


def test_a_removed_colleagues_key_stops_working(live_server, finance_member, partner):
    from django.utils import timezone

    ak, sk = new_key(finance_member)
    finance_member.removed_at = timezone.now()
    finance_member.save(update_fields=["removed_at"])
    client = bss(live_server.url, ak, sk, partner.domain_id)
    assert (
        _refused(lambda: client.list_partner_balances(ListPartnerBalancesRequest())).status_code
        == 401
    )


def test_unknown_paths_are_404_after_authentication_and_never_redirect(live_server, finance_member):
    ak, sk = new_key(finance_member)
    unsigned = requests.get(live_server.url + "/v2/no/such/api", timeout=10, allow_redirects=False)
    assert unsigned.status_code == 401
    for method, path in [
        ("GET", "/v2/no/such/api"),
        ("GET", BALANCES + "/"),  # a trailing slash is another path, not a redirect
        ("DELETE", BALANCES),  # a known path with the wrong method
    ]:
        response = send(method, live_server.url, path, ak, sk)
        assert response.status_code == 404, (method, path)
        assert response.json()["error_code"] == "APIGW.0101"
        assert response.headers["X-Request-Id"]


def test_bodies_that_are_not_json_objects_are_parameter_errors(live_server, finance_member, resale):
    ak, sk = new_key(finance_member)
    for body in (b"not json", b"[1, 2]", b""):
        response = send(
            "POST",
            live_server.url,
            "/v2/accounts/partner-accounts/adjust-amount",
            ak,
            sk,
            body=body,
        )
        assert response.status_code == 400, body
        payload = response.json()
        assert payload["error_code"] == "CBC.0100"
        assert payload["error_msg"].startswith("Parameter error")
        assert response.headers["X-Request-Id"] == payload["request_id"]


def test_parameter_errors_name_the_parameter(live_server, finance_member):
    ak, sk = new_key(finance_member)
    response = send(
        "GET",
        live_server.url,
        "/v3/accounts/partner-accounts/adjust-records",
        ak,
        sk,
        query="limit=101",
    )
    assert response.status_code == 400
    assert response.json()["error_code"] == "CBC.0100"
    assert "limit" in response.json()["error_msg"]


def test_the_rate_limit_counts_per_key_and_operation_per_second():
    assert all(ratelimit.allow("AK1", "GET x", now=1000.2) for _ in range(10))
    assert not ratelimit.allow("AK1", "GET x", now=1000.7)
    assert ratelimit.allow("AK1", "GET y", now=1000.7)  # another operation has its own count
    assert ratelimit.allow("AK2", "GET x", now=1000.7)  # so does another key
    assert ratelimit.allow("AK1", "GET x", now=1001.0)  # and the next second starts afresh


def test_beyond_the_rate_limit_the_answer_is_429(live_server, finance_member, settings):
    import threading

    settings.PC_API_RATE_LIMIT = 2
    ak, sk = new_key(finance_member)
    # Sent at once, so that however slow the machine, they land in one or two seconds.
    start = threading.Barrier(8)
    statuses = []

    def call():
        start.wait()
        statuses.append(send("GET", live_server.url, BALANCES, ak, sk))

    threads = [threading.Thread(target=call) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    limited = [r for r in statuses if r.status_code == 429]
    assert limited, [r.status_code for r in statuses]
    assert limited[0].json()["error_code"] == "CBC.0250"
    assert limited[0].headers["X-Request-Id"]
    assert all(r.status_code in (200, 429) for r in statuses)


def test_the_audit_trail_names_the_key(sdk, live_server, finance_member, partner, resale):
    fund(partner, recharge="100.00")
    ak, sk = new_key(finance_member)
    client = bss(live_server.url, ak, sk, partner.domain_id)
    client.update_customer_account_amount(
        UpdateCustomerAccountAmountRequest(
            body=AdjustAccountReq(customer_id=resale.customer.customer_id, amount=Decimal("5"))
        )
    )
    event = AuditEvent.objects.filter(partner=partner, access_key_id=ak).get()
    assert event.via == "api"
    assert event.actor_id == finance_member.user_id


def test_unexpected_errors_are_500_without_a_traceback(rf):
    from partnercenter.api.site import api

    request = rf.get("/v2/x")
    request.api_request_id = "r-1"
    response = api.on_exception(request, RuntimeError("secret detail in a traceback"))
    assert response.status_code == 500
    assert b"CBC.0999" in response.content
    assert b"secret detail" not in response.content and b"Traceback" not in response.content


def test_the_openapi_document_lists_the_operations(client):
    response = client.get("/v2/openapi.json")
    assert response.status_code == 200
    assert response["X-Request-Id"]
    paths = response.json()["paths"]
    assert "/v2/accounts/partner-accounts/adjust-amount" in paths
    assert "/v3/accounts/partner-accounts/adjust-records" in paths
    assert all(not p.endswith("/") for p in paths)


def test_a_partner_that_requires_mfa_refuses_keys_of_members_without_it(sdk, finance_member):
    # The organisation's MFA rule covers the member's access keys too, even one made before it.
    from partnercenter.demo import ensure_totp

    client = sdk(finance_member)
    client.list_partner_balances(ListPartnerBalancesRequest())
    finance_member.partner.require_mfa = True
    finance_member.partner.save(update_fields=["require_mfa"])
    e = _refused(lambda: client.list_partner_balances(ListPartnerBalancesRequest()))
    assert e.status_code == 403 and e.error_code == "CBC.0151"
    assert "two-factor" in e.error_msg or "双重" in e.error_msg or "认证" in e.error_msg
    ensure_totp(finance_member.user)
    assert client.list_partner_balances(ListPartnerBalancesRequest()).status_code == 200
