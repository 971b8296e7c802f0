from django.urls import path

from .views import adjust, console, funds, orders, records

app_name = "billing"

urlpatterns = [
    path("finance/funds/", funds.funds, name="funds"),
    path("finance/adjustments/", records.adjustments, name="adjustments"),
    path("customers/<id:customer_pk>/funds/<str:action>/", adjust.adjust, name="adjust"),
    path("customers/batch-recover/", adjust.batch_recover, name="batch_recover"),
    path("customer-orders/", orders.orders, name="orders"),
    path("customer-orders/<str:order_id>/", orders.order_detail, name="order"),
    path("customer-consumption/", orders.consumption, name="consumption"),
    # The customer's console (also used while a partner acts for the customer).
    path("console/products/", console.products, name="console_products"),
    path("console/products/<id:spec_pk>/order/", console.order_new, name="console_order_new"),
    path("console/orders/", console.orders, name="console_orders"),
    path("console/orders/<str:order_id>/", console.order, name="console_order"),
    path(
        "console/orders/<str:order_id>/<str:action>/",
        console.order_action,
        name="console_order_action",
    ),
    path("console/resources/", console.resources, name="console_resources"),
    path("console/resources/<str:resource_id>/release/", console.release, name="console_release"),
]
