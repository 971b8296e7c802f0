"""Per-operation caller checks, run by ninja before any parameter is parsed (so 403 comes
before 400, as partner-api.md §4 orders them). The signature itself was checked by the
middleware; this only asks whether the signed caller may call this operation."""

from django.utils.translation import gettext as _
from ninja.security import APIKeyHeader

from ..models import PartnerKind
from ..permissions import has_perm
from .errors import forbidden
from .operations import WRITE_OPERATIONS

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
        self.operation_id = None  # set by bind_operations() once the routers are in

    def authenticate(self, request, key):
        caller = getattr(request, "api_caller", None)
        if caller is None:
            return None
        if self.operation_id in WRITE_OPERATIONS and not caller.key.may_write:
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
            return caller
        if membership is None:
            raise forbidden(_("Access denied: the account is not a partner."))
        if self.caller == DISTRIBUTOR and membership.partner.kind != PartnerKind.DISTRIBUTOR:
            raise forbidden(_("Access denied: only distributors may call this API."))
        if self.perm is not None and not has_perm(membership, self.perm):
            raise forbidden(
                _("Access denied: your role does not have the permission %(item)s.")
                % {"item": self.perm.code}
            )
        return caller


def bind_operations(api):
    """Tell each operation's Signed which operation it guards (ninja passes only the request),
    so the key's scope can be checked against the list of writes."""
    from django.core.exceptions import ImproperlyConfigured

    def routers(router):
        yield router
        for _prefix, child, *_rest in getattr(router, "_routers", ()):
            yield from routers(child)

    for _prefix, top in api._routers:
        for router in routers(top):
            for path_view in router.path_operations.values():
                for operation in path_view.operations:
                    for auth in operation.auth_callbacks:
                        if not isinstance(auth, Signed):
                            continue
                        if auth.operation_id not in (None, operation.operation_id):
                            raise ImproperlyConfigured(
                                f"one Signed() guards {auth.operation_id} and "
                                f"{operation.operation_id}: give each operation its own"
                            )
                        auth.operation_id = operation.operation_id
