from .errors import error_response, not_found


def unknown(request, rest=""):
    """Any other /v2/ or /v3/ path: 404 APIGW.0101, after the signature was checked."""
    return error_response(request, not_found())
