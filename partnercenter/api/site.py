"""The partner API: one NinjaAPI at the root of the host (the SDK drops any path prefix), with
each app's operations in its own `api` module."""

import logging
from importlib import import_module

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from ..errors import DomainError
from .errors import (
    ApiError,
    error_response,
    internal_error,
    not_found,
    parameter_error,
    unauthorized,
)
from .render import DecimalParser, ExactJSONRenderer
from .security import bind_operations

log = logging.getLogger("partnercenter.api")

ROUTER_MODULES = ["customers.api", "billing.api", "resellers.api"]
PARAM_SOURCES = {"body", "query", "path", "header", "req", "q"}

api = NinjaAPI(
    title="Partner Center partner API",
    version="2",
    description=(
        "A compatible subset of Huawei Cloud's BSS partner API, callable with the official SDK "
        "huaweicloudsdkbss (SDK-HMAC-SHA256 request signing)."
    ),
    urls_namespace="partnerapi",
    openapi_url="/v2/openapi.json",
    docs_url=None,
    renderer=ExactJSONRenderer(),
    parser=DecimalParser(),
)


def _validation_message(errors):
    first = errors[0] if errors else {}
    loc = [str(part) for part in first.get("loc", ()) if str(part) not in PARAM_SOURCES]
    message = first.get("msg", "invalid value")
    if not loc:
        return f"the request body is missing or not a JSON object ({message})"
    return f"{'.'.join(loc)}: {message}"


@api.exception_handler(ApiError)
def _api_error(request, exc):
    return error_response(request, exc)


@api.exception_handler(DomainError)
def _domain_error(request, exc):
    message = str(exc.message)
    if exc.code == "CBC.0100":
        field = f"{exc.field}: " if exc.field else ""
        return error_response(request, parameter_error(f"{field}{message}"))
    return error_response(request, ApiError(exc.status, exc.code, message))


@api.exception_handler(ValidationError)
def _validation_error(request, exc):
    return error_response(request, parameter_error(_validation_message(exc.errors)))


@api.exception_handler(HttpError)
def _http_error(request, exc):
    if exc.status_code == 400:
        return error_response(request, parameter_error("the request body is not a JSON object"))
    if exc.status_code == 404:
        return error_response(request, not_found())
    return error_response(request, ApiError(exc.status_code, "CBC.0999", str(exc)))


@api.exception_handler(AuthenticationError)
def _authentication_error(request, exc):
    return error_response(request, unauthorized("the request is not signed"))


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error_response(request, not_found())


@api.exception_handler(Exception)
def _unexpected(request, exc):
    log.exception("partner API request %s failed", getattr(request, "api_request_id", ""))
    return error_response(request, internal_error())


for module in ROUTER_MODULES:
    api.add_router("", import_module(module).router)
bind_operations(api)
