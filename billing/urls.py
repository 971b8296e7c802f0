from django.urls import path

from .views import adjust, funds, records

app_name = "billing"

urlpatterns = [
    path("finance/funds/", funds.funds, name="funds"),
    path("finance/adjustments/", records.adjustments, name="adjustments"),
    path("customers/<int:customer_pk>/funds/<str:action>/", adjust.adjust, name="adjust"),
    path("customers/batch-recover/", adjust.batch_recover, name="batch_recover"),
]
