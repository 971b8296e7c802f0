"""Cloud resellers (partner-api.md §3.4): a distributor lists its resellers and moves funds to and
from them. Rules live in resellers.services.funds and the selectors the pages use; this module
only translates between JSON and them. A reseller's id on the wire is its account (domain) id."""

from django.utils.translation import gettext_noop
from ninja import Router, Schema

from billing.models import TradeType
from partnercenter.api.idempotency import client_request_key, same_request
from partnercenter.api.schema import (
    Amount,
    Id,
    Limit,
    Offset,
    Text,
    TransferIdOut,
    TransIdOut,
    UtcTime,
    page,
    utc,
    utc_window,
)
from partnercenter.api.security import DISTRIBUTOR, Signed
from partnercenter.models import Partner, PartnerKind
from partnercenter.permissions import P

from .selectors import current_managers, filter_resellers, my_resellers
from .services import funds

router = Router(tags=["resellers"])


# --- 查询云经销商列表 --------------------------------------------------------------------------------


class QueryIndirectPartnersReq(Schema):
    account_name: Text | None = None
    associated_on_begin: UtcTime | None = None
    associated_on_end: UtcTime | None = None
    offset: Offset = 0
    limit: Limit = 10
    indirect_partner_id: Id | None = None


class IndirectPartnerInfo(Schema):
    indirect_partner_id: str
    mobile_phone: str | None = None
    email: str | None = None
    account_name: str
    name: str
    associated_on: str
    account_manager_id: str | None = None
    account_manager_name: str | None = None


class ListIndirectPartnersOut(Schema):
    count: int
    indirect_partners: list[IndirectPartnerInfo]


def reseller_as_api(reseller, assignment):
    manager = assignment.account_manager.user if assignment and assignment.account_manager else None
    return {
        "indirect_partner_id": reseller.domain_id,
        "mobile_phone": reseller.contact_phone or None,
        "email": reseller.contact_email or None,
        "account_name": reseller.account_name,
        "name": reseller.name,
        "associated_on": utc(reseller.associated_at),
        "account_manager_id": manager.account_name if manager else None,
        "account_manager_name": manager.display_name if manager else None,
    }


@router.post(
    "/v2/partners/indirect-partners/query",
    response=ListIndirectPartnersOut,
    auth=Signed(caller=DISTRIBUTOR, perm=P.RESELLER_LIST_VIEW),
    operation_id="list_indirect_partners",
    summary=gettext_noop("The distributor's cloud resellers, newest association first"),
    exclude_none=True,
)
def list_indirect_partners(request, req: QueryIndirectPartnersReq):
    qs = filter_resellers(
        my_resellers(request.auth.membership),
        {"account_name": req.account_name, "reseller_id": req.indirect_partner_id},
    )
    qs = utc_window(
        qs, "associated_at", req.associated_on_begin, req.associated_on_end, "associated_on"
    )
    total, rows = page(qs, req.offset, req.limit)
    managers = current_managers(rows)
    return {
        "count": total,
        "indirect_partners": [reseller_as_api(r, managers.get(r.pk)) for r in rows],
    }


# --- 拨款 / 回收 ----------------------------------------------------------------------------------


class AdjustToIndirectPartnerReq(Schema):
    indirect_partner_id: Id
    amount: Amount


class ReclaimIndirectPartnerAccountReq(AdjustToIndirectPartnerReq):
    pass


def _reseller_pk(indirect_partner_id):
    # None for an unknown id: the service answers it like another distributor's reseller
    # (CBC.99000037), after it has checked the amount, so parameter errors come first.
    return (
        Partner.objects.filter(domain_id=indirect_partner_id, kind=PartnerKind.RESELLER)
        .values_list("pk", flat=True)
        .first()
    )


def _move(request, req, service, trade_type):
    request_key = client_request_key(request)
    reseller_pk = _reseller_pk(req.indirect_partner_id)
    transfer = service(
        actor=request.auth.actor,
        reseller_pk=reseller_pk,
        amount=req.amount,
        request_key=request_key,
    )
    same_request(transfer, trade_type=trade_type, amount=req.amount, counterparty_pk=reseller_pk)
    return transfer


@router.post(
    "/v2/accounts/partner-accounts/indirect-partner-adjust",
    response=TransferIdOut,
    auth=Signed(caller=DISTRIBUTOR, perm=P.RESELLER_ALLOCATE),
    operation_id="update_indirect_partner_account",
    summary=gettext_noop("Allocate funds to a cloud reseller (拨款)"),
)
def update_indirect_partner_account(request, req: AdjustToIndirectPartnerReq):
    transfer = _move(request, req, funds.allocate, TradeType.BEADJUST)
    return {"transfer_id": transfer.trans_id}


@router.post(
    "/v2/accounts/partner-accounts/indirect-partner-reclaim",
    response=TransIdOut,
    auth=Signed(caller=DISTRIBUTOR, perm=P.RESELLER_RECOVER),
    operation_id="reclaim_indirect_partner_account",
    summary=gettext_noop("Recover funds from a cloud reseller (回收), up to what it can spare"),
)
def reclaim_indirect_partner_account(request, req: ReclaimIndirectPartnerAccountReq):
    transfer = _move(request, req, funds.recover, TradeType.BERETRIEVE)
    return {"trans_id": transfer.trans_id}
