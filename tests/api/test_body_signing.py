"""The signature covers the body the server received (partner-api.md §1.2 step 6), and the whole
signature is compared (issue 10 §1, §8)."""

import hashlib
import json
from decimal import Decimal

import pytest
import requests

from billing.models import Transfer
from tests.billing.conftest import balance_of, fund

from .conftest import new_key
from .raw import prepare, resend, send

pytestmark = pytest.mark.django_db(transaction=True)

ADJUST = "/v2/accounts/partner-accounts/adjust-amount"
BALANCES = "/v2/accounts/partner-accounts/balances"
SUB_CUSTOMERS = "/v2/partners/sub-customers/query"
SHA = "X-Sdk-Content-Sha256"


def _body(customer_id, amount):
    return json.dumps({"customer_id": customer_id, "amount": amount}).encode()


def _auth_refused(response):
    assert response.status_code == 401, response.content
    payload = response.json()
    assert payload["error_code"] == "APIGW.0301"
    assert payload["error_msg"].startswith("Incorrect IAM authentication information: ")
    return payload["error_msg"]


@pytest.mark.parametrize("claim", ["none", "unsigned header", "signed header"])
def test_a_captured_allocation_with_its_body_swapped_moves_nothing(
    live_server, finance_member, partner, resale, claim
):
    fund(partner, recharge="1000.00")
    ak, sk = new_key(finance_member)
    cid = resale.customer.customer_id
    small = _body(cid, 0.01)
    old_hash = hashlib.sha256(small).hexdigest()
    # The captured request: signed over the 0.01 body, by a client that (in the last case) also
    # sent and signed the body's hash in X-Sdk-Content-Sha256.
    signed = {SHA: old_hash} if claim == "signed header" else None
    captured = send("POST", live_server.url, ADJUST, ak, sk, body=small, headers=signed)
    assert captured.status_code == 200, captured.content
    swapped = _body(cid, 55.55)
    # Without a hash header the swap fails the signature; with one claiming the old hash, the
    # server must still hash what it received.
    added = {SHA: old_hash} if claim == "unsigned header" else None
    _auth_refused(resend(captured, body=swapped, headers=added))
    assert balance_of(resale.customer) == Decimal("0.01")
    assert Transfer.objects.filter(customer=resale.customer).count() == 1


def test_a_hash_header_must_be_signed_and_match_the_body(live_server, finance_member, resale):
    ak, sk = new_key(finance_member)
    body = json.dumps({"limit": 5}).encode()
    right = hashlib.sha256(body).hexdigest()
    # Signed and equal to the body's hash: accepted (a client may send it).
    ok = send("POST", live_server.url, SUB_CUSTOMERS, ak, sk, body=body, headers={SHA: right})
    assert ok.status_code == 200, ok.content
    # Present but not signed: refused even though its value is right.
    message = _auth_refused(
        send(
            "POST", live_server.url, SUB_CUSTOMERS, ak, sk, body=body, unsigned_headers={SHA: right}
        )
    )
    assert "X-Sdk-Content-Sha256" in message
    # Signed, but not the hash of the body that arrived.
    wrong = hashlib.sha256(b"{}").hexdigest()
    _auth_refused(
        send(
            "POST",
            live_server.url,
            SUB_CUSTOMERS,
            ak,
            sk,
            body=body,
            headers={SHA: wrong},
            hashed_payload=wrong,
        )
    )


def test_unsigned_payload_is_refused_wherever_a_body_exists(
    live_server, finance_member, partner, resale
):
    fund(partner, recharge="1000.00")
    ak, sk = new_key(finance_member)
    unsigned = {SHA: "UNSIGNED-PAYLOAD"}
    for path, body in [
        (ADJUST, _body(resale.customer.customer_id, 1)),
        (SUB_CUSTOMERS, json.dumps({"limit": 5}).encode()),
    ]:
        # Signed the way a client sending UNSIGNED-PAYLOAD signs: the literal in place of a hash.
        response = send(
            "POST",
            live_server.url,
            path,
            ak,
            sk,
            body=body,
            headers=unsigned,
            hashed_payload="UNSIGNED-PAYLOAD",
        )
        assert "UNSIGNED-PAYLOAD" in _auth_refused(response), path
    assert balance_of(resale.customer) == 0


def test_unsigned_payload_is_refused_for_money_even_without_a_body(
    live_server, finance_member, partner, resale
):
    fund(partner, recharge="1000.00")
    ak, sk = new_key(finance_member)
    unsigned = {SHA: "UNSIGNED-PAYLOAD"}
    # No body: the signed hash is the empty body's, as the SDK signs it.
    refused = send("POST", live_server.url, ADJUST, ak, sk, headers=unsigned)
    assert "UNSIGNED-PAYLOAD" in _auth_refused(refused)
    # A body-less read may carry it (the SDK sends it for non-JSON content types).
    read = send("GET", live_server.url, BALANCES, ak, sk, headers=unsigned)
    assert read.status_code == 200, read.content


@pytest.mark.parametrize("position", [0, 63])
def test_a_signature_with_one_hex_character_flipped_is_refused(
    live_server, finance_member, position
):
    ak, sk = new_key(finance_member)
    url, headers = prepare("GET", live_server.url, BALANCES, ak, sk)
    assert requests.get(url, headers=headers, timeout=30).status_code == 200
    prefix, signature = headers["Authorization"].rsplit("Signature=", 1)
    flipped = list(signature)
    flipped[position] = "0" if flipped[position] != "0" else "1"
    headers["Authorization"] = prefix + "Signature=" + "".join(flipped)
    message = _auth_refused(requests.get(url, headers=headers, timeout=30))
    assert signature not in message  # never reveal the expected value
