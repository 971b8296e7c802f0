"""A hand-rolled signed HTTP client, for the cases the SDK will not produce (stale dates, odd
paths, broken bodies). It signs with the algorithm of partner-api.md §1.2, written out here
independently of the server's module."""

import hashlib
import hmac
from datetime import UTC, datetime
from urllib.parse import quote, unquote, urlsplit

import requests


def _canonical_uri(path):
    p = "/".join(quote(s, safe="~") for s in path.split("/"))
    return p if p.endswith("/") else p + "/"


def prepare(
    method,
    base_url,
    path,
    ak,
    sk,
    *,
    body=b"",
    query="",
    when=None,
    headers=None,
    sign_path=None,
    domain_id=None,
    unsigned_headers=None,
    hashed_payload=None,
):
    """(url, headers) of a signed request. `headers` are sent and signed; `unsigned_headers` are
    sent but left out of SignedHeaders; `hashed_payload` replaces the body's SHA-256 in the
    canonical request (what a client claiming `X-Sdk-Content-Sha256` signs)."""
    host = urlsplit(base_url).netloc
    date = (when or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    h = {"Content-Type": "application/json", "Host": host, "X-Sdk-Date": date}
    if domain_id:
        h["X-Domain-Id"] = domain_id
    h.update(headers or {})
    names = sorted(k.lower() for k in h)
    lower = {k.lower(): v for k, v in h.items()}
    canonical = "\n".join(
        [
            method,
            _canonical_uri(sign_path or path),
            query,
            "".join(f"{n}:{lower[n].strip()}\n" for n in names),
            ";".join(names),
            hashed_payload or hashlib.sha256(body).hexdigest(),
        ]
    )
    to_sign = f"SDK-HMAC-SHA256\n{date}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    sig = hmac.new(sk.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    h["Authorization"] = (
        f"SDK-HMAC-SHA256 Access={ak}, SignedHeaders={';'.join(names)}, Signature={sig}"
    )
    h.update(unsigned_headers or {})
    return base_url + path + (f"?{query}" if query else ""), h


def send(method, base_url, path, ak, sk, *, body=b"", **kw):
    url, h = prepare(method, base_url, path, ak, sk, body=body, **kw)
    return requests.request(method, url, data=body, headers=h, allow_redirects=False, timeout=30)


def resend(response, *, body=None, headers=None, drop=()):
    """Send a request captured from the wire again: byte for byte, or with its body swapped
    and headers added or dropped, as someone who recorded it could."""
    sent = response.request
    h = {k: v for k, v in sent.headers.items() if k.lower() not in {"content-length", *drop}}
    h.update(headers or {})
    return requests.request(
        sent.method,
        sent.url,
        data=sent.body if body is None else body,
        headers=h,
        allow_redirects=False,
        timeout=30,
    )


def signed_headers(method, path, ak, sk, *, host="testserver", body=b"", query=""):
    """Headers (Django test-client style, HTTP_*) for an in-process request: query counts are
    measured in the test's own connection, which a live server thread would not share."""
    date = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    h = {"content-type": "application/json", "host": host, "x-sdk-date": date}
    names = sorted(h)
    canonical = "\n".join(
        [
            method,
            _canonical_uri(unquote(path)),  # as sent, percent-encoded: decoded once (§1.2 step 2)
            query,
            "".join(f"{n}:{h[n]}\n" for n in names),
            ";".join(names),
            hashlib.sha256(body).hexdigest(),
        ]
    )
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    to_sign = f"SDK-HMAC-SHA256\n{date}\n{digest}"
    sig = hmac.new(sk.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    return {
        "CONTENT_TYPE": "application/json",
        "HTTP_HOST": host,
        "HTTP_X_SDK_DATE": date,
        "HTTP_AUTHORIZATION": (
            f"SDK-HMAC-SHA256 Access={ak}, SignedHeaders={';'.join(names)}, Signature={sig}"
        ),
    }


def call(client, method, path, ak, sk, *, query="", body=b""):
    """Sign and send through Django's test client."""
    headers = signed_headers(method, path, ak, sk, body=body, query=query)
    url = path + (f"?{query}" if query else "")
    # Passed as an extra: the test client leaves Content-Type out of body-less requests.
    return client.generic(method, url, data=body, **headers)
