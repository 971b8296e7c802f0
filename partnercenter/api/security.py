"""Per-operation caller checks, run by ninja before any parameter is parsed (so 403 comes
before 400, as partner-api.md §4 orders them). The signature itself was checked by the
middleware; this asks whether the signed caller may call this operation, then refuses text no
parameter may hold (partnercenter.api.params) for every operation in one place."""

from django.utils.translation import gettext as _
from ninja.security import APIKeyHeader

from ..models import PartnerKind
from ..permissions import has_perm
from .errors import forbidden
from .operations import WRITE_OPERATIONS
from .params import refuse_nul

PARTNER = "partner"
DISTRIBUTOR = "distributor"
CUSTOMER = "customer"


class Signed(APIKeyHeader):
    """SDK-HMAC-SHA256 (partner-api.md §1): `Authorization: SDK-HMAC-SHA256 Access=…,
    SignedHeaders=…, Signature=…` over the canonical request, with X-Sdk-Date."""

    param_name = "Authorization"

    def __init__(self, *, caller=PARTNER, perm=None):
        super().__init__()
        self.caller = caller
        self.perm = perm

    def authenticate(self, request, key):
        caller = getattr(request, "api_caller", None)
        if caller is None:
            return None
        self._check(caller, getattr(request, "api_operation", None))
        # The first thing after the caller checks, for every operation: text the database
        # cannot take is refused before any parameter is parsed (403 still comes before 400).
        refuse_nul(request)
        return caller

    def _check(self, caller, operation):
        if operation in WRITE_OPERATIONS and not caller.key.may_write:
            raise forbidden(
                _(
                    "Access denied: the access key is read-only. Create a read-and-write key "
                    "for operations that change data."
                )
            )
        membership = caller.membership
        if self.caller == CUSTOMER:
            if caller.customer is None or membership is not None:
                raise forbidden(
                    _("Access denied: this API is called with a customer's own access key.")
                )
            return
        if membership is None:
            raise forbidden(_("Access denied: the account is not a partner."))
        if self.caller == DISTRIBUTOR and membership.partner.kind != PartnerKind.DISTRIBUTOR:
            raise forbidden(_("Access denied: only distributors may call this API."))
        if self.perm is not None and not has_perm(membership, self.perm):
            raise forbidden(
                _("Access denied: your role does not have the permission %(item)s.")
                % {"item": self.perm.code}
            )
