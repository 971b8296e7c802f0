"""Client request ids for allocation and recovery: `X-Client-Token`.

The token becomes the transfer's request key, which a unique constraint holds once per partner:
a retry — or a concurrent twin — gets the first transfer back and moves no money.
"""

import re

from django.utils.translation import gettext as _

from .errors import parameter_error

TOKEN_RE = re.compile(r"^[A-Za-z0-9._:-]{1,60}$")


def client_request_key(request):
    token = request.headers.get("X-Client-Token")
    if token is None:
        return ""
    if not TOKEN_RE.match(token):
        raise parameter_error(_("X-Client-Token must be 1 to 60 letters, digits or . _ : -"))
    return f"api:{token}"


def same_request(transfer, *, trade_type, amount, customer_pk=None, counterparty_pk=None):
    """A token names one request: reusing it for a different one is refused, not absorbed."""
    if (
        transfer.trade_type != trade_type
        or transfer.amount != amount
        or (customer_pk is not None and transfer.customer_id != customer_pk)
        or (counterparty_pk is not None and transfer.counterparty_id != counterparty_pk)
    ):
        raise parameter_error(_("X-Client-Token was already used for a different request."))
