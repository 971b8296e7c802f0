"""Record ids typed into a URL or sent in a form: ASCII digits that fit a database integer.

A client can send any digits; a 40-digit id must be "no such record", never an overflow in the
database driver (PostgreSQL's bigint and SQLite's integer both stop at 2**63 - 1). Eighteen
digits always fit, and no row of ours will ever need more.
"""

import re

MAX_ID_DIGITS = 18
_ID = re.compile(rf"[0-9]{{1,{MAX_ID_DIGITS}}}")


class IdConverter:
    """`<id:pk>` in every portal URL: like `<int:…>`, but an id too long to exist is a 404."""

    regex = _ID.pattern

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(int(value))


def parse_id(value):
    """The id in `value` (a str of ASCII digits), or None."""
    text = str(value).strip() if value is not None else ""
    return int(text) if _ID.fullmatch(text) else None


def parse_ids(values):
    """The valid ids among `values` (e.g. request.POST.getlist("ids")), in order, without repeats."""
    seen = {}
    for value in values:
        pk = parse_id(value)
        if pk is not None:
            seen.setdefault(pk, None)
    return list(seen)
