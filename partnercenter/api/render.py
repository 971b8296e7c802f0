"""JSON in and out with exact decimals.

The SDK parses JSON numbers with parse_float=Decimal, so money goes out as a number written
digit for digit (never through a binary float) and comes in the same way.
"""

import json
from datetime import date, datetime
from decimal import Decimal

from ninja.parser import Parser
from ninja.renderers import BaseRenderer

_encode_string = json.JSONEncoder(ensure_ascii=False).encode


def _number(value):
    text = format(value, "f")
    if not value.is_finite():
        raise ValueError("money must be finite")
    return text


def dumps(value):
    parts = []
    _write(value, parts)
    return "".join(parts)


def _write(value, out):
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(_encode_string(value))
    elif isinstance(value, Decimal):
        out.append(_number(value))
    elif isinstance(value, int):
        out.append(str(int(value)))
    elif isinstance(value, float):
        out.append(repr(value))
    elif isinstance(value, dict):
        out.append("{")
        for i, (k, v) in enumerate(value.items()):
            if i:
                out.append(", ")
            out.append(_encode_string(str(k)))
            out.append(": ")
            _write(v, out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for i, v in enumerate(value):
            if i:
                out.append(", ")
            _write(v, out)
        out.append("]")
    elif isinstance(value, datetime | date):
        out.append(_encode_string(value.isoformat()))
    elif hasattr(value, "model_dump"):
        _write(value.model_dump(), out)
    else:
        out.append(_encode_string(str(value)))


class ExactJSONRenderer(BaseRenderer):
    media_type = "application/json"
    charset = "utf-8"

    def render(self, request, data, *, response_status):
        return dumps(data)


class BodyNotAnObject(ValueError):
    pass


class DecimalParser(Parser):
    def parse_body(self, request):
        body = request.body
        if not body:
            return {}
        data = json.loads(body, parse_float=Decimal)
        if not isinstance(data, dict):
            raise BodyNotAnObject("the body must be a JSON object")
        return data
