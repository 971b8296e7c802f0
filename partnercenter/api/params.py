"""Checks on a request's text that hold for every operation, made once before any parameter is
parsed.

NUL: PostgreSQL cannot store or compare a string containing U+0000 (psycopg raises "A string
literal cannot contain NUL (0x00) characters", a 500). No parameter of the contract can carry
one, so a NUL anywhere — path, query, a JSON string or key at any depth — is a parameter error
naming where it was, and never reaches the database.
"""

import json

from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from .errors import parameter_error

NUL = "\x00"


def _shown(name):
    return str(name).replace(NUL, "\\u0000")


def _nul_in_json(value, where):
    """The dotted path of the first JSON string (or key) holding a NUL, or None."""
    if isinstance(value, str):
        return where if NUL in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            name = f"{where}.{key}" if where else key
            if NUL in key:
                return name
            found = _nul_in_json(item, name)
            if found:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found = _nul_in_json(item, f"{where}[{i}]")
            if found:
                return found
    return None


def _nul_parameter(request):
    if NUL in request.path:
        try:
            kwargs = resolve(request.path_info).kwargs
        except Resolver404:
            kwargs = {}
        return next((k for k, v in kwargs.items() if NUL in str(v)), "path")
    for key, values in request.GET.lists():
        if NUL in key or any(NUL in v for v in values):
            return key
    body = request.body
    # A NUL can only be in a JSON string as the escape \u0000 (a raw one is not JSON at all).
    if b"\\u0000" in body:
        try:
            data = json.loads(body, parse_float=str, parse_int=str, parse_constant=str)
        except ValueError:
            return None  # not JSON: the body parser says so
        return _nul_in_json(data, "")
    return None


def refuse_nul(request):
    name = _nul_parameter(request)
    if name is not None:
        raise parameter_error(
            _("%(name)s: must not contain NUL (\\u0000) characters") % {"name": _shown(name)}
        )
