"""Customers (partner-api.md §3.1): create a customer, list customers, check a login identity.
Rules live in customers.services.registration and the selectors the pages use; this module only
translates between JSON and them."""

from typing import Literal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Field, Router, Schema

from partnercenter.api.schema import Id, Limit, Offset, Text, UtcTime, page, utc, utc_window
from partnercenter.api.scope import acting
from partnercenter.api.security import Signed
from partnercenter.permissions import P

from .filters import filter_associations
from .models import CustomerKind
from .selectors import visible_associations
from .services import registration

router = Router(tags=["customers"])

# Phone country prefixes of the regions a customer can be in, as CustomerInformation carries them.
COUNTRY_CODES = {
    "CN": "0086",
    "HK": "00852",
    "SG": "0065",
    "TH": "0066",
    "MY": "0060",
    "ID": "0062",
    "AE": "00971",
    "ZA": "0027",
    "BR": "0055",
}
CUSTOMER_TYPES = {CustomerKind.INDIVIDUAL: 0, CustomerKind.ENTERPRISE: 1}


# --- 创建客户 -------------------------------------------------------------------------------------


class CreateCustomerV2Req(Schema):
    domain_name: str | None = Field(None, max_length=64)
    mobile_phone: str | None = Field(None, max_length=32)
    # Omitted means "none"; an empty string is a client bug the contract refuses.
    verification_code: str | None = Field(None, min_length=1, max_length=32)
    xaccount_id: str = Field(..., min_length=1, max_length=64)
    xaccount_type: str = Field(..., min_length=1, max_length=64)
    password: str | None = Field(None, min_length=1, max_length=128)
    is_close_market_ms: Literal["true", "false", ""] | None = None
    cooperation_type: str | None = Field(None, max_length=16)
    indirect_partner_id: Id | None = None
    include_association_result: bool | None = None


class CreateSubCustomerOut(Schema):
    domain_id: str
    domain_name: str


@router.post(
    "/v2/partners/sub-customers",
    response=CreateSubCustomerOut,
    auth=Signed(perm=P.CUSTOMER_INVITE),
    operation_id="create_sub_customer",
    summary=gettext_noop(
        "Create a customer account associated with the partner (代售 unless cooperation_type is 1)"
    ),
    exclude_none=True,
)
def create_sub_customer(request, req: CreateCustomerV2Req):
    _membership, actor = acting(request.auth, req.indirect_partner_id)
    # The association is made before the answer, so include_association_result needs no waiting.
    customer = registration.create_customer(
        actor=actor,
        xaccount_id=req.xaccount_id,
        xaccount_type=req.xaccount_type,
        domain_name=req.domain_name,
        mobile=req.mobile_phone,
        verification_code=req.verification_code,
        password=req.password,
        referral=req.cooperation_type == "1",
        close_marketing=req.is_close_market_ms == "true",
    )
    return {"domain_id": customer.customer_id, "domain_name": customer.account_name}


# --- 查询客户列表 -----------------------------------------------------------------------------------


class QuerySubCustomerListReq(Schema):
    account_name: Text | None = None
    customer: Text | None = None
    offset: Offset = 0
    limit: Limit = 10
    label: Text | None = None
    association_type: Literal["1", "2", ""] | None = None
    associated_on_begin: UtcTime | None = None
    associated_on_end: UtcTime | None = None
    customer_id: Id | None = None
    indirect_partner_id: Id | None = None


class AccountManager(Schema):
    account_name: str


class CustomerInformation(Schema):
    customer: str | None = None
    account_name: str
    customer_id: str
    associated_on: str
    association_type: str
    label: str | None = None
    telephone: str | None = None
    country_code: str | None = None
    customer_type: int | None = None
    is_frozen: int
    account_managers: list[AccountManager]
    xaccount_id: str | None = None
    xaccount_type: str | None = None
    email: str | None = None


class ListSubCustomersOut(Schema):
    customer_infos: list[CustomerInformation]
    count: int


def customer_as_api(association):
    customer = association.customer
    manager = association.account_manager
    return {
        "customer": customer.name or None,
        "account_name": customer.account_name,
        "customer_id": customer.customer_id,
        "associated_on": utc(association.associated_at),
        "association_type": str(association.association_type),
        "label": association.tag or None,
        "telephone": customer.mobile or None,
        "country_code": COUNTRY_CODES.get(customer.country_region) if customer.mobile else None,
        "customer_type": CUSTOMER_TYPES.get(customer.kind),
        "is_frozen": 1 if customer.is_frozen else 0,
        "account_managers": [{"account_name": manager.user.account_name}] if manager else [],
        "xaccount_id": customer.xaccount_id or None,
        "xaccount_type": customer.xaccount_type or None,
        "email": customer.email or None,
    }


@router.post(
    "/v2/partners/sub-customers/query",
    response=ListSubCustomersOut,
    auth=Signed(perm=P.CUSTOMER_LIST_VIEW),
    operation_id="list_sub_customers",
    summary=gettext_noop(
        "The partner's customers, newest association first; an account manager sees its own"
    ),
    exclude_none=True,
)
def list_sub_customers(request, req: QuerySubCustomerListReq):
    membership, _actor = acting(request.auth, req.indirect_partner_id)
    qs = filter_associations(
        visible_associations(membership).select_related("customer", "account_manager__user"),
        {
            "association_type": req.association_type,
            "name": req.customer,
            "account_name": req.account_name,
            "customer_id": req.customer_id,
        },
    )
    if req.label:
        qs = qs.filter(tag__contains=req.label)  # case-sensitive, as the contract says
    qs = utc_window(
        qs, "associated_at", req.associated_on_begin, req.associated_on_end, "associated_on"
    )
    total, rows = page(qs, req.offset, req.limit)
    return {"customer_infos": [customer_as_api(a) for a in rows], "count": total}


# --- 校验客户注册信息 ---------------------------------------------------------------------------------


class CheckSubcustomerUserReq(Schema):
    search_type: Literal["email", "mobile", "name"]
    search_value: str = Field(..., min_length=1, max_length=64)


class CheckUserIdentityOut(Schema):
    error_code: str
    error_msg: str
    check_result: str
    mobile_remain_available_num: int | None = None


@router.post(
    "/v2/partners/sub-customers/users/check-identity",
    response=CheckUserIdentityOut,
    auth=Signed(perm=P.CUSTOMER_INVITE),
    operation_id="check_user_identity",
    summary=gettext_noop("Whether a login name, e-mail or mobile number can still be registered"),
    exclude_none=True,
)
def check_user_identity(request, req: CheckSubcustomerUserReq):
    result, remaining = registration.identity_in_use(req.search_type, req.search_value)
    return {
        "error_code": "CBC.0000",
        "error_msg": _("Success"),
        "check_result": result,
        "mobile_remain_available_num": remaining,
    }
