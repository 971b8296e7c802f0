"""SDK-HMAC-SHA256 request signatures, exactly as Huawei's SDK computes them (partner-api.md §1).

Pure functions: the middleware feeds them the request as received. There is no key derivation:
the raw SK is the HMAC key.
"""

import contextlib
import hashlib
import hmac
import re
from datetime import UTC, datetime
from urllib.parse import quote, unquote

ALGORITHM = "SDK-HMAC-SHA256"
EMPTY_BODY_SHA256 = hashlib.sha256(b"").hexdigest()
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
AUTHORIZATION_RE = re.compile(
    r"^SDK-HMAC-SHA256 Access=(?P<ak>[^,\s]+), SignedHeaders=(?P<signed>[^,\s]+), "
    r"Signature=(?P<signature>[0-9a-f]{64})$"
)
SDK_DATE_FORMAT = "%Y%m%dT%H%M%SZ"


def canonical_uri(decoded_path):
    """From the already-decoded path (Django's request.path): decoding twice would break a
    value containing a literal '%'."""
    p = "/".join(quote(segment, safe="~") for segment in decoded_path.split("/"))
    return p if p.endswith("/") else p + "/"


def canonical_query(raw_query):
    pairs = sorted(
        (unquote(k), unquote(v))
        for k, _sep, v in (part.partition("=") for part in raw_query.split("&") if part)
    )
    return "&".join(f"{quote(k, safe='~')}={quote(v, safe='~')}" for k, v in pairs)


def header_value(raw):
    # Servers expose header bytes as latin-1 text; the SDK sent UTF-8.
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        raw = raw.encode("latin-1").decode("utf-8")
    return raw.strip()


def payload_hash(body):
    """Always the hash of the body as received: a client's own claim of it (X-Sdk-Content-Sha256)
    is checked against this, never used in its place (partner-api.md §1.2 step 6)."""
    return hashlib.sha256(body).hexdigest() if body else EMPTY_BODY_SHA256


def content_sha256_refusal(claimed, signed_names, body, *, moves_money):
    """Why an `X-Sdk-Content-Sha256` header makes the request unacceptable, or None.

    Trusting the header instead of hashing the body let a captured 0.01 allocation be replayed
    with a 55.55 body. The header may only repeat what the server computes anyway, and must be
    signed. `UNSIGNED-PAYLOAD` (the SDK sends it for non-JSON bodies, which BSS never has) is
    accepted only where there is nothing to leave unsigned: no body, and no money moved."""
    if claimed is None:
        return None
    if "x-sdk-content-sha256" not in signed_names:
        return "X-Sdk-Content-Sha256 must be listed in SignedHeaders"
    if claimed == UNSIGNED_PAYLOAD:
        if body or moves_money:
            return "UNSIGNED-PAYLOAD is not accepted: sign the request body"
        return None
    if not hmac.compare_digest(claimed.encode(), payload_hash(body).encode()):
        return "X-Sdk-Content-Sha256 is not the SHA-256 of the request body"
    return None


def canonical_request(method, decoded_path, raw_query, headers, signed_headers, body):
    """`headers` maps lower-case names to received values; every signed one must be there."""
    names = signed_headers.split(";")
    canonical_headers = "".join(f"{n}:{header_value(headers[n])}\n" for n in names)
    return "\n".join(
        [
            method.upper(),
            canonical_uri(decoded_path),
            canonical_query(raw_query),
            canonical_headers,
            signed_headers,
            payload_hash(body),
        ]
    )


def string_to_sign(sdk_date, canonical):
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return f"{ALGORITHM}\n{sdk_date}\n{digest}"


def signature(secret, sdk_date, canonical):
    message = string_to_sign(sdk_date, canonical).encode("utf-8")
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def parse_sdk_date(value):
    """The X-Sdk-Date as an aware UTC datetime, or None when it is not `YYYYMMDDTHHMMSSZ`."""
    try:
        return datetime.strptime(value or "", SDK_DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def matches(expected, given):
    """The whole value, in constant time: a prefix or a near miss is a mismatch."""
    return hmac.compare_digest(expected.encode(), given.encode())
