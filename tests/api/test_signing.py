"""The signer against partner-api.md §1.4, byte for byte."""

import pytest

from partnercenter.api import signing

SK = "ExampleSecretKey0000000000000000000000Sk"
DATE = "20250115T083000Z"
SIGNED = "content-type;host;user-agent;x-domain-id;x-sdk-date"
HEADERS = {
    "content-type": "application/json",
    "host": "127.0.0.1:8000",
    "user-agent": "huaweicloud-usdk-python/3.0; example",
    "x-domain-id": "0a1b2c3d4e5f40718293a4b5c6d7e8f9",
    "x-sdk-date": DATE,
}


def test_example_a_post_with_a_json_body():
    body = b'{"customer_id": "c-0001", "amount": 100.50}'
    assert len(body) == 43
    canonical = signing.canonical_request(
        "POST", "/v2/accounts/partner-accounts/adjust-amount", "", HEADERS, SIGNED, body
    )
    assert canonical == (
        "POST\n"
        "/v2/accounts/partner-accounts/adjust-amount/\n"
        "\n"
        "content-type:application/json\n"
        "host:127.0.0.1:8000\n"
        "user-agent:huaweicloud-usdk-python/3.0; example\n"
        "x-domain-id:0a1b2c3d4e5f40718293a4b5c6d7e8f9\n"
        "x-sdk-date:20250115T083000Z\n"
        "\n"
        "content-type;host;user-agent;x-domain-id;x-sdk-date\n"
        "14ca98a38355e026aa33a7ded1feae2b2822c4a8cf21c2e65ebe1fd721c9db3f"
    )
    assert signing.string_to_sign(DATE, canonical) == (
        "SDK-HMAC-SHA256\n20250115T083000Z\n"
        "f39ce4a85162da92f1edd842908c9d2c3e95905e06f600cf7d2707357239e142"
    )
    assert (
        signing.signature(SK, DATE, canonical)
        == "8777949507436b40a2212e27bedbea605e9e12cad4dcd202dba838d66057984d"
    )


def test_example_b_get_with_a_query():
    query = "customer_id=c-0001&limit=10&offset=0&operation_type=SOURCE_OPERATION_BEADJUST"
    canonical = signing.canonical_request(
        "GET", "/v3/accounts/partner-accounts/adjust-records", query, HEADERS, SIGNED, b""
    )
    assert canonical.split("\n")[1:3] == [
        "/v3/accounts/partner-accounts/adjust-records/",
        query,
    ]
    assert canonical.endswith(signing.EMPTY_BODY_SHA256)
    assert signing.string_to_sign(DATE, canonical).endswith(
        "87b13329ea0270b1e69605c493aef1dc1bd75ea9f9e5c2487f04aa86b418a3f1"
    )
    assert (
        signing.signature(SK, DATE, canonical)
        == "7141f9d426ffe62e24fdd58ffcc1ff2f0200f5f9ff2d816ccb2cf92d54ed5f59"
    )


def test_example_c_a_path_parameter_that_needs_encoding():
    # Django hands over the decoded path; the canonical URI re-encodes each segment.
    decoded = "/v2/orders/customer-orders/details/CS2501150830ABC:1 x"
    assert (
        signing.canonical_uri(decoded)
        == "/v2/orders/customer-orders/details/CS2501150830ABC%3A1%20x/"
    )
    canonical = signing.canonical_request("GET", decoded, "limit=5", HEADERS, SIGNED, b"")
    assert signing.string_to_sign(DATE, canonical).endswith(
        "79300a6da97f2c734597bf181d60f4f1b1c3c202dab92543327997efbfe6dde0"
    )
    assert (
        signing.signature(SK, DATE, canonical)
        == "c2033a1bff20adbdd3baf378c902e3e792c64495d2949b1cb51ac32fe874487a"
    )


def test_query_pairs_are_sorted_and_re_encoded():
    assert signing.canonical_query("b=2&a=%2B1&a=0&c=") == "a=%2B1&a=0&b=2&c="
    assert signing.canonical_query("") == ""


def test_non_ascii_header_values_are_read_back_as_utf8():
    received = "示例".encode().decode("latin-1")  # what a WSGI server hands over
    assert signing.header_value(f"  {received} ") == "示例"


def test_the_authorization_header_form_is_exact():
    good = "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=" + "a" * 64
    assert signing.AUTHORIZATION_RE.match(good)["ak"] == "AK"
    assert not signing.AUTHORIZATION_RE.match(good.replace("SDK-HMAC-SHA256", "SDK-HMAC-SM3"))
    assert not signing.AUTHORIZATION_RE.match(good.replace(", Signature", ",Signature"))
    assert signing.parse_sdk_date("20250115T083000Z").isoformat() == "2025-01-15T08:30:00+00:00"
    assert signing.parse_sdk_date("2025-01-15T08:30:00Z") is None


def test_the_payload_hash_is_always_the_received_body():
    body = b'{"customer_id": "c-0001", "amount": 100.50}'
    assert signing.payload_hash(body) == (
        "14ca98a38355e026aa33a7ded1feae2b2822c4a8cf21c2e65ebe1fd721c9db3f"
    )
    assert signing.payload_hash(b"") == signing.EMPTY_BODY_SHA256
    # A claimed X-Sdk-Content-Sha256 never enters the canonical request in place of the hash.
    with_claim = dict(HEADERS, **{"x-sdk-content-sha256": "0" * 64})
    assert signing.canonical_request(
        "POST", "/v2/x", "", with_claim, SIGNED, body
    ) == signing.canonical_request("POST", "/v2/x", "", HEADERS, SIGNED, body)


def test_a_claimed_content_hash_must_be_signed_and_right():
    body = b'{"amount": 1}'
    right = signing.payload_hash(body)
    signed = SIGNED.split(";") + ["x-sdk-content-sha256"]
    refusal = signing.content_sha256_refusal
    assert refusal(None, SIGNED.split(";"), body, moves_money=True) is None
    assert refusal(right, signed, body, moves_money=True) is None
    assert "SignedHeaders" in refusal(right, SIGNED.split(";"), body, moves_money=False)
    assert "not the SHA-256" in refusal(right[:-1] + "0", signed, body, moves_money=False)
    assert "not the SHA-256" in refusal(right.upper(), signed, body, moves_money=False)
    unsigned = "UNSIGNED-PAYLOAD"
    assert refusal(unsigned, signed, body, moves_money=False)  # a body exists
    assert refusal(unsigned, signed, b"", moves_money=True)  # money moves
    assert refusal(unsigned, signed, b"", moves_money=False) is None  # a body-less read


@pytest.mark.django_db
def test_the_server_accepts_example_a_as_signed_and_nothing_else(rf, settings):
    """The whole verification (middleware.authenticate) on the documented request, byte for
    byte: accepted as is; refused with its body swapped or a hash header claiming the old body."""
    from partnercenter.api.errors import ApiError
    from partnercenter.api.middleware import authenticate
    from partnercenter.services.access_keys import seed_key
    from tests.factories import MembershipFactory, PartnerFactory

    settings.PC_API_SIGNATURE_WINDOW = 10**10  # the example was signed in January 2025
    partner = PartnerFactory(domain_id=HEADERS["x-domain-id"])
    member = MembershipFactory(partner=partner)
    seed_key(user=member.user, partner=partner, access_key_id="EXAMPLEAK0000000000A", secret=SK)
    body = b'{"customer_id": "c-0001", "amount": 100.50}'
    auth = (
        "SDK-HMAC-SHA256 Access=EXAMPLEAK0000000000A, SignedHeaders=" + SIGNED + ", "
        "Signature=8777949507436b40a2212e27bedbea605e9e12cad4dcd202dba838d66057984d"
    )

    def request(data, **extra):
        return rf.post(
            "/v2/accounts/partner-accounts/adjust-amount",
            data=data,
            content_type="application/json",
            HTTP_HOST=HEADERS["host"],
            HTTP_USER_AGENT=HEADERS["user-agent"],
            HTTP_X_DOMAIN_ID=HEADERS["x-domain-id"],
            HTTP_X_SDK_DATE=DATE,
            HTTP_AUTHORIZATION=auth,
            **extra,
        )

    caller = authenticate(request(body), "update_customer_account_amount")
    assert caller.partner == partner
    swapped = b'{"customer_id": "c-0001", "amount": 555.50}'
    for forged in (
        request(swapped),
        request(swapped, HTTP_X_SDK_CONTENT_SHA256=signing.payload_hash(body)),
        request(body, HTTP_X_SDK_CONTENT_SHA256="UNSIGNED-PAYLOAD"),
    ):
        with pytest.raises(ApiError) as e:
            authenticate(forged, "update_customer_account_amount")
        assert (e.value.status, e.value.code) == (401, "APIGW.0301")
