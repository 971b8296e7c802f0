"""Filtering the customer list: one function used by the page and by its export."""

from datetime import timedelta

from partnercenter.timeutil import start_of_local_day

SORTS = {"-associated_at", "associated_at", "customer__name", "-customer__name"}


def filter_associations(qs, params):
    if params.get("association_type"):
        qs = qs.filter(association_type=int(params["association_type"]))
    if params.get("name"):
        qs = qs.filter(customer__name__icontains=params["name"].strip())
    if params.get("account_name"):
        qs = qs.filter(customer__account_name__icontains=params["account_name"].strip())
    if params.get("customer_id"):
        qs = qs.filter(customer__customer_id=params["customer_id"].strip())  # exact, like Huawei's
    manager = params.get("account_manager")
    if manager == "none":
        qs = qs.filter(account_manager__isnull=True)
    elif manager:
        qs = qs.filter(account_manager_id=int(manager))
    if params.get("mobile"):
        qs = qs.filter(customer__mobile__contains=params["mobile"].strip())
    if params.get("tag"):
        qs = qs.filter(tag__icontains=params["tag"].strip())
    if params.get("date_from"):
        qs = qs.filter(associated_at__gte=start_of_local_day(params["date_from"]))
    if params.get("date_to"):
        qs = qs.filter(associated_at__lt=start_of_local_day(params["date_to"] + timedelta(days=1)))
    sort = params.get("sort") or "-associated_at"
    if sort not in SORTS:
        sort = "-associated_at"
    return qs.order_by(sort, "-pk")


def filter_reseller_associations(qs, params):
    if params.get("name"):
        qs = qs.filter(customer__name__icontains=params["name"].strip())
    if params.get("customer_id"):
        qs = qs.filter(customer__customer_id=params["customer_id"].strip())
    if params.get("reseller"):
        qs = qs.filter(partner_id=int(params["reseller"]))
    return qs.order_by("-associated_at", "-pk")
