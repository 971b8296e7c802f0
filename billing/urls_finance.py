"""销售 > 账务: partner bills, fund-request contracts and business information."""

from django.urls import path

from .views import bills, contracts

app_name = "finance"

urlpatterns = [
    path("finance/bills/", bills.bills, name="bills"),
    path("finance/bills/<id:bill_pk>/print/", bills.bill_print, name="bill_print"),
    path("finance/bills/<id:bill_pk>/settle/", bills.bill_settle, name="bill_settle"),
    path("finance/contracts/", contracts.contracts, name="contracts"),
    path("finance/contracts/apply/", contracts.contract_apply, name="contract_apply"),
    path("finance/contracts/<id:contract_pk>/", contracts.contract_detail, name="contract_detail"),
    path(
        "finance/contracts/<id:contract_pk>/cancel/",
        contracts.contract_cancel,
        name="contract_cancel",
    ),
]
