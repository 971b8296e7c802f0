"""商务折扣 over the partner API (partner-api.md §3.7). Which discounts a member sees and their
quote items come from billing.services.discounts (visible_discounts, discount_as_api), the same
source as 合同商务 > 商务信息; this module only filters, pages and translates.

`list_incentive_discount_policies` is not offered yet: there is no incentive-policy data."""

from decimal import Decimal
from typing import Annotated, Literal

from django.utils.translation import gettext_noop
from ninja import Field, Router, Schema

from partnercenter.api.scope import acting
from partnercenter.api.security import Signed
from partnercenter.permissions import P

from ..models import DiscountScope, ProductSpec
from ..services.discounts import discount_as_api, filter_by_status, visible_discounts

router = Router(tags=["discounts"])

Code = Annotated[str, Field(min_length=1, max_length=64)]


class BusinessDiscountQueryReq(Schema):
    quoting_item_type: Literal["PRODUCT_ITEM", "CATEGORY_ITEM"]
    cloud_service_types: list[Code] | None = Field(None, max_length=100)
    charging_modes: list[Code] | None = Field(None, max_length=20)
    # One sales site serves every customer here, so a site code narrows nothing.
    site_code: Code | None = None
    offset: Annotated[int, Field(ge=0, le=2_147_483_647)] = 0
    limit: Annotated[int, Field(ge=1, le=1000)] = 20


class ProductQuotingItem(Schema):
    item_id: str
    product_id: str
    product_spec_name: str
    cloud_service_type: str
    cloud_service_type_name: str | None = None
    charging_mode: str
    preferential_category: int
    preferential_type: int
    discount_ratio: Decimal
    effective_time: str
    expire_time: str


class ListBusinessDiscountInfoOut(Schema):
    total_count: int
    commerce_id: str | None = None
    commerce_code: str | None = None
    effective_time: str | None = None
    expire_time: str | None = None
    product_quoting_items: list[ProductQuotingItem]
    category_quoting_items: list[dict]
    category_quoting_item_steps: list[dict]


def _wanted(values):
    return {v.strip().lower() for v in values} if values else None


def quoting_items(membership, req):
    """[(discount header, item)] of the discounts in force now, in a stable order. Business
    discounts here are quoted per product spec (PRODUCT_ITEM); none is a category quote."""
    if req.quoting_item_type != "PRODUCT_ITEM":
        return []
    discounts = (
        filter_by_status(visible_discounts(membership), "active")
        .prefetch_related("products")
        .order_by("effective_time", "pk")
    )
    specs = list(
        ProductSpec.objects.filter(is_active=True, product__is_active=True).select_related(
            "product"
        )
    )
    service_types, modes = _wanted(req.cloud_service_types), _wanted(req.charging_modes)
    out = []
    for discount in discounts:
        covered = specs
        if discount.scope == DiscountScope.PRODUCTS:
            chosen = {p.pk for p in discount.products.all()}
            covered = [s for s in specs if s.product_id in chosen]
        data = discount_as_api(discount, specs=covered)
        header = {k: v for k, v in data.items() if k != "product_quoting_items"}
        for item in data["product_quoting_items"]:
            if service_types and item["cloud_service_type"].lower() not in service_types:
                continue
            if modes and item["charging_mode"].lower() not in modes:
                continue
            out.append((header, item))
    return out


@router.post(
    "/v2/promotions/business/discount-info",
    response=ListBusinessDiscountInfoOut,
    auth=Signed(perm=P.DISCOUNTS_VIEW),
    operation_id="list_business_discount_info",
    summary=gettext_noop(
        "Business (商务) discount quote items of the partner's customers, in force now"
    ),
    exclude_none=True,
)
def list_business_discount_info(request, req: BusinessDiscountQueryReq):
    membership, _actor = acting(request.auth)
    items = quoting_items(membership, req)
    rows = items[req.offset : req.offset + req.limit]
    headers = {h["commerce_id"]: h for h, _item in items}
    # The response has room for one business header: it is given when every item matched
    # belongs to the same discount; otherwise each item's own dates say when it applies.
    header = next(iter(headers.values())) if len(headers) == 1 else {}
    return {
        "total_count": len(items),
        **header,
        "product_quoting_items": [item for _h, item in rows],
        "category_quoting_items": [],
        "category_quoting_item_steps": [],
    }
