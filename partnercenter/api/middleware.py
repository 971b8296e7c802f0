"""Every /v2/ and /v3/ request: a request id; HTTPS only in production; a bounded body;
signature authentication over the body as received, with a write's signature used once
(partnercenter.api.replay); the caller installed on the request; flow control; and an
API-shaped answer for unknown paths (never a redirect).

It sits last in MIDDLEWARE so that the session-based user set by the middlewares above is
replaced by the access key's owner, and so that nothing after it can redirect an API path.
"""

import dataclasses
import logging
import re
import time
import uuid

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext as _

from ..actor import Actor, client_ip
from ..mfa import has_authenticator
from ..models import Membership
from ..services import access_keys
from . import ratelimit, replay, signing
from .errors import (
    ApiError,
    error_response,
    forbidden,
    https_required,
    not_found,
    payload_too_large,
    too_many_requests,
    unauthorized,
)
from .operations import MONEY_OPERATIONS, WRITE_OPERATIONS

log = logging.getLogger(__name__)

API_PREFIXES = ("/v2/", "/v3/")
PUBLIC_PATHS = frozenset({"/v2/openapi.json"})
LANGUAGES = {"zh_cn": "zh-hans", "en_us": "en"}


def is_api_path(path):
    return path.startswith(API_PREFIXES)


class Caller:
    """Who signed the request: the key, its owner, and the account the owner acts for."""

    def __init__(self, key, membership=None, customer=None, ip=None):
        self.key = key
        self.user = key.user
        self.membership = membership
        self.partner = membership.partner if membership is not None else None
        self.customer = customer
        self.actor = Actor(
            user=key.user,
            partner=self.partner,
            membership=membership,
            ip=ip,
            via="api",
            access_key_id=key.access_key_id,
            customer=customer,
        )

    def sign_writes_with(self, claim):
        """The services this request calls use `claim` up with their change."""
        self.actor = dataclasses.replace(self.actor, signed_request=claim)

    @property
    def domain_id(self):
        return self.partner.domain_id if self.partner is not None else self.customer.customer_id


def authenticate(request, operation=None):
    """The signed caller, or ApiError 401/403. `operation` (the SDK method name, None for an
    unknown path) decides whether `UNSIGNED-PAYLOAD` may be accepted at all."""
    header = request.headers.get("Authorization")
    if not header:
        raise unauthorized("the Authorization header is missing")
    match = signing.AUTHORIZATION_RE.match(header)
    if match is None:
        raise unauthorized(
            "the Authorization header is not SDK-HMAC-SHA256 Access, SignedHeaders, Signature"
        )
    signed = match["signed"]
    names = signed.split(";")
    if "host" not in names or "x-sdk-date" not in names:
        raise unauthorized("host and x-sdk-date must be signed")
    headers = {}
    for name in names:
        value = request.headers.get(name)
        if value is None:
            raise unauthorized(f"the signed header {name} is missing")
        headers[name] = value
    sdk_date = request.headers.get("X-Sdk-Date", "")
    when = signing.parse_sdk_date(sdk_date)
    if when is None:
        raise unauthorized("X-Sdk-Date is missing or not YYYYMMDDTHHMMSSZ")
    if abs(time.time() - when.timestamp()) > settings.PC_API_SIGNATURE_WINDOW:
        raise unauthorized(
            "the request time X-Sdk-Date is more than 15 minutes from the server time"
        )
    found = access_keys.key_for_signing(match["ak"])
    if found is None:
        raise unauthorized("Get secretKey failed, ak not exist")
    key, secret = found
    body = request.body
    refusal = signing.content_sha256_refusal(
        request.headers.get("X-Sdk-Content-Sha256"),
        names,
        body,
        moves_money=operation in MONEY_OPERATIONS,
    )
    if refusal is not None:
        raise unauthorized(refusal)
    canonical = signing.canonical_request(
        request.method,
        request.path,
        request.META.get("QUERY_STRING", ""),
        headers,
        signed,
        body,
    )
    if not signing.matches(signing.signature(secret, sdk_date, canonical), match["signature"]):
        raise unauthorized("verify aksk signature fail")
    caller = _caller(key, client_ip(request))
    domain_id = request.headers.get("X-Domain-Id")
    if domain_id is not None and domain_id.strip() != caller.domain_id:
        raise forbidden("X-Domain-Id does not match the account of the access key")
    if operation in WRITE_OPERATIONS:
        claim = replay.SignatureClaim(key.access_key_id, match["signature"], when)
        # A completed X-Client-Token (allocation and recovery take one) is answered with its
        # stored result before the replay check: the operation's idempotency does that, and if
        # the token never completed, the claim inside the operation's transaction refuses it.
        retry = operation in MONEY_OPERATIONS and request.headers.get("X-Client-Token")
        if not retry and claim.already_used():
            raise replay.replayed()
        caller.sign_writes_with(claim)
    access_keys.touch(key)
    return caller


def _caller(key, ip):
    if not key.user.is_active:
        raise unauthorized("the owner of the access key is deactivated")
    if key.partner_id is not None:
        membership = (
            Membership.objects.active()
            .select_related("partner", "partner__distributor")
            .filter(user_id=key.user_id, partner_id=key.partner_id)
            .first()
        )
        if membership is None:
            raise unauthorized("the owner of the access key no longer belongs to the partner")
        if membership.partner.require_mfa and not has_authenticator(key.user):
            # The organisation's rule covers every credential of the member, not only the
            # portal's sign-in: a key made before the rule would otherwise bypass it.
            raise forbidden(
                _(
                    "Access denied: your organisation requires two-factor authentication. "
                    "Set up an authenticator app in the portal first."
                )
            )
        return Caller(key, membership=membership, ip=ip)
    login = getattr(key.user, "customer_login", None)
    if login is None or login.customer_id != key.customer_id:
        raise unauthorized("the owner of the access key no longer belongs to the customer")
    return Caller(key, customer=key.customer, ip=ip)


def _install(request, caller):
    request.api_caller = caller
    request.user = caller.user
    request.membership = caller.membership
    request.partner = caller.partner
    request.customer = caller.customer
    request.acting_as = None
    request.access_key_id = caller.key.access_key_id


def _operation(request):
    try:
        return f"{request.method} {resolve(request.path_info).route}"
    except Resolver404:
        return f"{request.method} ?"


_operation_ids = None
_ROUTE_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


def operation_id(request):
    """The SDK method name (ninja's operation id) the request calls, or None for an unknown
    path or method. Read from the OpenAPI document: the published contract is the one list."""
    global _operation_ids
    if _operation_ids is None:
        from .site import api

        paths = api.get_openapi_schema()["paths"]
        _operation_ids = {
            (method.upper(), path): op["operationId"]
            for path, methods in paths.items()
            for method, op in methods.items()
        }
    try:
        route = resolve(request.path_info).route
    except Resolver404:
        return None
    return _operation_ids.get((request.method, "/" + _ROUTE_PARAM.sub(r"{\1}", route)))


def _body_limit():
    django_limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    api_limit = settings.PC_API_MAX_BODY_BYTES
    return api_limit if django_limit is None else min(api_limit, django_limit)


def _content_length(request):
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class PartnerApiMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_api_path(request.path):
            return self.get_response(request)
        request.api_request_id = uuid.uuid4().hex
        request._dont_enforce_csrf_checks = True
        language = LANGUAGES.get(request.headers.get("X-Language", "").strip().lower(), "zh-hans")
        with translation.override(language):
            response = self._respond(request)
        response["X-Request-Id"] = request.api_request_id
        return response

    def _respond(self, request):
        # Exempt from the SSL redirect (never redirect an API path), so refused here instead.
        if settings.PC_API_HTTPS_ONLY and not request.is_secure():
            return error_response(request, https_required())
        limit = _body_limit()
        if _content_length(request) > limit:
            return error_response(request, payload_too_large(limit))
        if request.path not in PUBLIC_PATHS:
            try:
                # Resolved once: the signature rules, the replay check and the key's scope
                # (security.Signed) all ask which operation this is.
                request.api_operation = operation_id(request)
                caller = authenticate(request, request.api_operation)
            except ApiError as error:
                return error_response(request, error)
            except RequestDataTooBig:
                return error_response(request, payload_too_large(limit))
            _install(request, caller)
            if not ratelimit.allow(caller.key.access_key_id, _operation(request)):
                return error_response(request, too_many_requests())
        response = self.get_response(request)
        if response.status_code in (404, 405) and not getattr(response, "api_error", False):
            response = error_response(request, not_found())
        return response
