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


def payload_hash(body, content_sha256=None):
    if not body:
        return EMPTY_BODY_SHA256
    return content_sha256 or hashlib.sha256(body).hexdigest()


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
            payload_hash(body, headers.get("x-sdk-content-sha256")),
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
    return hmac.compare_digest(expected.encode(), given.encode())
