"""The API's error envelope (partner-api.md §4): status, CBC/APIGW code, message, request id."""

from django.http import HttpResponse
from django.utils.translation import gettext as _

from .render import dumps

AUTH_PREFIX = "Incorrect IAM authentication information: "


class ApiError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = str(message)


def unauthorized(reason):
    # The prefix is the gateway's own wording, which clients match on; never the expected value.
    return ApiError(401, "APIGW.0301", AUTH_PREFIX + reason)


def forbidden(message="Access denied"):
    return ApiError(403, "CBC.0151", message)


def parameter_error(message):
    return ApiError(400, "CBC.0100", f"Parameter error: {message}")


def https_required():
    return ApiError(
        403,
        "CBC.0151",
        _("Access denied: the partner API accepts HTTPS only; call the https:// endpoint."),
    )


def payload_too_large(limit):
    return ApiError(
        413,
        "CBC.0100",
        "Parameter error: "
        + _("the request body is larger than %(limit)s bytes") % {"limit": limit},
    )


def not_found():
    return ApiError(404, "APIGW.0101", "The API does not exist or has not been published")


def too_many_requests():
    return ApiError(429, "CBC.0250", "Flow control: too many requests, retry later")


def internal_error():
    return ApiError(500, "CBC.0999", "Internal error, contact support with the request id")


def error_response(request, error: ApiError):
    request_id = getattr(request, "api_request_id", "")
    response = HttpResponse(
        dumps({"error_code": error.code, "error_msg": error.message, "request_id": request_id}),
        status=error.status,
        content_type="application/json",
    )
    response.api_error = True
    return response
