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


class BadBody(ValueError):
    """A request body the API cannot read; the message says why (it reaches the client)."""


class BodyNotAnObject(BadBody):
    pass


# No field here takes a number with more characters or a larger exponent than this.
MAX_NUMBER_CHARS = 64
MAX_EXPONENT = 64


class OutOfRange:
    """A JSON number no field takes as it is: the field it was sent in refuses it by name, and
    nothing expands `1E+999999999` into an integer (which would take the server's memory).
    `number` is its exact value, for the money fields to say what is wrong with it."""

    def __init__(self, text):
        self.text = text
        self.number = Decimal(text)

    def __repr__(self):
        return self.text[:24]


def _json_number(text):
    number = Decimal(text)
    if len(text) > MAX_NUMBER_CHARS or abs(number.adjusted()) > MAX_EXPONENT:
        return OutOfRange(text)
    return number


def _json_int(text):
    return OutOfRange(text) if len(text) > MAX_NUMBER_CHARS else int(text)


class DecimalParser(Parser):
    def parse_body(self, request):
        body = request.body
        if not body:
            return {}
        try:
            # NaN and Infinity (which Python's json accepts) become Decimals too, so that the
            # field they were sent in refuses them by name.
            data = json.loads(
                body, parse_float=_json_number, parse_int=_json_int, parse_constant=Decimal
            )
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise BadBody("the request body is not valid JSON") from None
        if not isinstance(data, dict):
            raise BodyNotAnObject("the request body must be a JSON object")
        return data
